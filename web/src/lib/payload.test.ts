import { describe, expect, it } from "vitest";
import {
  formatValue, normalizeColor, numberPadKey, numberPadPayload, parseIncoming, sameValue, sliderPayload, splitCsvLine,
  stepDecimals, toggleState, toNumber, validateValue,
} from "./payload";

describe("parseIncoming", () => {
  it("takes raw payloads as they are", () => {
    expect(parseIncoming(" 23.5 ", "raw")).toEqual({ value: " 23.5 " });
  });
  it("reads Adafruit JSON payloads", () => {
    expect(parseIncoming('{"value": 21.5, "lat": 1, "lon": "2", "ele": null}', "json")).toEqual({ value: "21.5", lat: 1, lon: 2, ele: null, created_at: null });
    expect(parseIncoming('{"value":"on"}', "json")?.value).toBe("on");
    expect(parseIncoming('{"nope":1}', "json")).toBeNull();
    expect(parseIncoming("not json", "json")).toBeNull();
    expect(parseIncoming("[1]", "json")).toBeNull();
  });
  it("reads CSV payloads, including the Arduino library's quoted value", () => {
    expect(parseIncoming('"22.5",40.1,-73.9,10', "csv")).toEqual({ value: "22.5", lat: 40.1, lon: -73.9, ele: 10 });
    expect(parseIncoming("42", "csv")).toEqual({ value: "42", lat: null, lon: null, ele: null });
  });
  it("splits quoted CSV fields", () => {
    expect(splitCsvLine('"a,b",1,"say ""hi"""')).toEqual(["a,b", "1", 'say "hi"']);
  });
});

describe("numbers and display", () => {
  it("recognises numbers only", () => {
    expect(toNumber("23.5")).toBe(23.5);
    expect(toNumber(" -7 ")).toBe(-7);
    expect(toNumber("1e3")).toBe(1000);
    expect(toNumber(".5")).toBe(0.5);
    expect(toNumber("ON")).toBeNull();
    expect(toNumber("0x10")).toBeNull();
    expect(toNumber("")).toBeNull();
    expect(toNumber("Infinity")).toBeNull();
    expect(toNumber(null)).toBeNull();
  });
  it("formats values with decimals and units", () => {
    expect(formatValue("23.456", 1, "°C")).toBe("23.5 °C");
    expect(formatValue("23.456")).toBe("23.456");
    expect(formatValue("ON", 2)).toBe("ON");
    expect(formatValue(null)).toBe("—");
    expect(formatValue("", 1, "V")).toBe("—");
  });
});

describe("slider", () => {
  it("knows the decimals of a step", () => {
    expect(stepDecimals(1)).toBe(0);
    expect(stepDecimals(0.1)).toBe(1);
    expect(stepDecimals(0.25)).toBe(2);
    expect(stepDecimals(1e-7)).toBe(7);
  });
  it("snaps, clamps and formats without float noise", () => {
    expect(sliderPayload(0.30000000000000004, 0, 1, 0.1)).toBe("0.3");
    expect(sliderPayload(57.4, 0, 100, 5)).toBe("55");
    expect(sliderPayload(150, 0, 100, 1)).toBe("100");
    expect(sliderPayload(-3, 0, 100, 1)).toBe("0");
    expect(sliderPayload(7, 1, 10, 2)).toBe("7");
    expect(sliderPayload(10, 1, 10, 2)).toBe("9");
    expect(sliderPayload(0.5, 0, 1, 0.25)).toBe("0.50");
  });
});

describe("colour and number pad", () => {
  it("normalises colours to #rrggbb", () => {
    expect(normalizeColor("#FFAA00")).toBe("#ffaa00");
    expect(normalizeColor("fa0")).toBe("#ffaa00");
    expect(normalizeColor("red")).toBeNull();
    expect(normalizeColor("#12345")).toBeNull();
  });
  it("sends what was typed as a plain number", () => {
    expect(numberPadPayload("007")).toEqual({ value: "7" });
    expect(numberPadPayload(".5")).toEqual({ value: "0.5" });
    expect(numberPadPayload("3.")).toEqual({ value: "3" });
    expect(numberPadPayload("-12.50")).toEqual({ value: "-12.50" });
    expect(numberPadPayload("-0")).toEqual({ value: "0" });
    expect(numberPadPayload("")).toHaveProperty("error");
    expect(numberPadPayload("1-2")).toHaveProperty("error");
  });
  it("applies key presses", () => {
    let t = "";
    for (const k of ["1", "2", ".", ".", "5"]) t = numberPadKey(t, k);
    expect(t).toBe("12.5");
    expect(numberPadKey(t, "⌫")).toBe("12.");
    expect(numberPadKey(t, "±")).toBe("-12.5");
    expect(numberPadKey("-12.5", "±")).toBe("12.5");
    expect(numberPadKey("", ".")).toBe("0.");
    expect(numberPadKey("-", ".")).toBe("-0.");
    expect(numberPadKey("99", "C")).toBe("");
    expect(numberPadKey("1234567890123456", "7")).toBe("1234567890123456");
  });
});

describe("reported state", () => {
  it("compares values the way a board reports them", () => {
    expect(sameValue("ON", "on")).toBe(true);
    expect(sameValue("1.0", "1")).toBe(true);
    expect(sameValue(" 1 ", "1")).toBe(true);
    expect(sameValue("1", "0")).toBe(false);
    expect(sameValue(null, "1")).toBe(false);
  });
  it("derives the toggle state", () => {
    expect(toggleState("ON", "ON", "OFF")).toBe(true);
    expect(toggleState("off", "ON", "OFF")).toBe(false);
    expect(toggleState("1", "1", "0")).toBe(true);
    expect(toggleState("maybe", "ON", "OFF")).toBeNull();
    expect(toggleState(undefined, "ON", "OFF")).toBeNull();
  });
  it("validates hand-typed values", () => {
    expect(validateValue("")).toMatch(/Enter/);
    expect(validateValue("x".repeat(1025))).toMatch(/1024/);
    expect(validateValue("é".repeat(513))).toMatch(/1024/); // 1026 bytes in UTF-8
    expect(validateValue("21.5")).toBeNull();
  });
});
