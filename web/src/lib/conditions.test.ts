import { describe, expect, it } from "vitest";
import { bandColor, bandsFromWarnings, formatRules, indicatorColor, matches, parseBands, parseRules } from "./conditions";

describe("indicator rules", () => {
  it("parses rules separated by ';' or lines", () => {
    const { rules, bad } = parseRules("> 30 red; >= 20 #f59e0b\n== on green; != \"\" gray");
    expect(bad).toEqual([]);
    expect(rules).toEqual([
      { op: ">", value: "30", color: "red" },
      { op: ">=", value: "20", color: "#f59e0b" },
      { op: "==", value: "on", color: "green" },
      { op: "!=", value: "", color: "gray" },
    ]);
  });
  it("accepts '=' for '==' and reports unreadable parts", () => {
    const { rules, bad } = parseRules("= 1 green; oops; < 0");
    expect(rules).toEqual([{ op: "==", value: "1", color: "green" }]);
    expect(bad).toEqual([2, 3]);
  });
  it("round-trips through formatRules", () => {
    const text = formatRules([{ op: "==", value: "door open", color: "red" }, { op: "<", value: "5", color: "blue" }]);
    expect(text).toBe('== "door open" red; < 5 blue');
    expect(parseRules(text).rules[0].value).toBe("door open");
  });
  it("compares numbers as numbers and text case-insensitively", () => {
    expect(matches("31", { op: ">", value: "30", color: "" })).toBe(true);
    expect(matches("100", { op: ">", value: "30", color: "" })).toBe(true); // not "100" < "30" as text
    expect(matches("1.0", { op: "==", value: "1", color: "" })).toBe(true);
    expect(matches("ON", { op: "==", value: "on", color: "" })).toBe(true);
    expect(matches("on", { op: ">", value: "off", color: "" })).toBe(false);
    expect(matches("x", { op: "!=", value: "", color: "" })).toBe(true);
  });
  it("takes the first matching rule's colour", () => {
    const { rules } = parseRules("> 30 red; > 20 amber; > -100 green");
    expect(indicatorColor("35", rules, "#000000")).toBe("#ef4444");
    expect(indicatorColor("25", rules, "#000000")).toBe("#f59e0b");
    expect(indicatorColor("0", rules, "#000000")).toBe("#22c55e");
    expect(indicatorColor("abc", rules, "#000000")).toBe("#000000");
    expect(indicatorColor(undefined, rules, "#000000")).toBe("#000000");
  });
  it("never lets an unknown colour through", () => {
    const { rules } = parseRules("> 0 url(javascript:alert(1))");
    expect(indicatorColor("5", rules, "#6b7280")).toBe("#6b7280");
  });
});

describe("gauge bands", () => {
  it("parses and sorts bands", () => {
    expect(parseBands("80:red, 0:green; 60:amber")).toEqual([
      { from: 0, color: "#22c55e" }, { from: 60, color: "#f59e0b" }, { from: 80, color: "#ef4444" },
    ]);
    expect(parseBands("")).toEqual([]);
    expect(parseBands("x:red, 5:notacolour")).toEqual([{ from: 5, color: "#6b7280" }]);
  });
  it("colours a value by its band", () => {
    const b = parseBands("0:green, 60:amber, 80:red");
    expect(bandColor(10, b, "#000")).toBe("#22c55e");
    expect(bandColor(60, b, "#000")).toBe("#f59e0b");
    expect(bandColor(95, b, "#000")).toBe("#ef4444");
    expect(bandColor(-5, b, "#000")).toBe("#000");
  });
  it("builds bands from Adafruit's minWarning / maxWarning", () => {
    expect(bandsFromWarnings(0, null, null)).toEqual([]);
    const b = bandsFromWarnings(0, 10, 90);
    expect(bandColor(5, b, "#000")).toBe("#ef4444");
    expect(bandColor(50, b, "#000")).toBe("#22c55e");
    expect(bandColor(95, b, "#000")).toBe("#ef4444");
  });
});
