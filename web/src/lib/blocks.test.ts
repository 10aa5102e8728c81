import { describe, expect, it } from "vitest";
import { BLOCK_TYPES, blockFeedKeys, blockType, defaultBlockName, propBool, propNum, validateBlock, withDefaults } from "./blocks";

describe("block catalogue", () => {
  it("has every block the issue asks for", () => {
    const types = BLOCK_TYPES.map((b) => b.type);
    for (const t of ["line_chart", "gauge", "toggle_button", "slider", "momentary_button", "text", "stream", "indicator", "color_picker", "number_pad"]) {
      expect(types).toContain(t);
    }
  });
  it("keeps property defaults as strings (Adafruit IO's string map)", () => {
    for (const b of BLOCK_TYPES) {
      for (const v of Object.values(b.defaults)) expect(typeof v).toBe("string");
      expect(b.w).toBeGreaterThanOrEqual(b.minW);
      expect(b.h).toBeGreaterThanOrEqual(b.minH);
      expect(b.minW).toBeGreaterThanOrEqual(2);
      expect(b.minH).toBeGreaterThanOrEqual(2);
    }
  });
  it("marks the blocks that send", () => {
    const sends = BLOCK_TYPES.filter((b) => b.sends).map((b) => b.type).sort();
    expect(sends).toEqual(["color_picker", "momentary_button", "number_pad", "slider", "toggle_button"]);
  });
  it("uses Adafruit's default momentary values", () => {
    expect(blockType("momentary_button")!.defaults).toMatchObject({ value: "1", release: "0" });
  });
});

describe("properties", () => {
  it("lays the block's values over the defaults", () => {
    const p = withDefaults("slider", { max: "255", extra: "kept" });
    expect(p).toMatchObject({ min: "0", max: "255", step: "1", extra: "kept" });
    expect(withDefaults("unknown", { a: "1" })).toEqual({ a: "1" });
  });
  it("reads numbers and Adafruit booleans", () => {
    expect(propNum({ a: "2.5" }, "a", 0)).toBe(2.5);
    expect(propNum({ a: "" }, "a", 7)).toBe(7);
    expect(propNum({ a: "x" }, "a", null)).toBeNull();
    expect(propBool({ a: "yes" }, "a", false)).toBe(true);
    expect(propBool({ a: "true" }, "a", false)).toBe(true);
    expect(propBool({ a: "no" }, "a", true)).toBe(false);
    expect(propBool({}, "a", true)).toBe(true);
  });
  it("lists a block's feed keys", () => {
    expect(blockFeedKeys({ block_feeds: [{ feed: { key: "a" } }, { feed: { key: "b", name: "B" } }] })).toEqual(["a", "b"]);
    expect(blockFeedKeys({ block_feeds: [] })).toEqual([]);
  });
});

describe("validateBlock", () => {
  it("requires a type and a feed", () => {
    expect(validateBlock("nope", "x", ["a"], {})).toMatch(/type/);
    expect(validateBlock("gauge", "x", [], {})).toMatch(/feed/);
    expect(validateBlock("gauge", "x", ["a", "b"], withDefaults("gauge", {}))).toMatch(/one feed/);
    expect(validateBlock("line_chart", "x", ["a", "b"], withDefaults("line_chart", {}))).toBeNull();
  });
  it("checks ranges and values", () => {
    expect(validateBlock("slider", "s", ["a"], withDefaults("slider", { min: "10", max: "5" }))).toMatch(/maximum/);
    expect(validateBlock("slider", "s", ["a"], withDefaults("slider", { step: "0" }))).toMatch(/step/);
    expect(validateBlock("gauge", "g", ["a"], withDefaults("gauge", { maxValue: "abc" }))).toMatch(/not a number/);
    expect(validateBlock("toggle_button", "t", ["a"], withDefaults("toggle_button", { onValue: "1", offValue: "1" }))).toMatch(/differ/);
    expect(validateBlock("toggle_button", "t", ["a"], withDefaults("toggle_button", {}))).toBeNull();
  });
  it("names new blocks after their feeds", () => {
    expect(defaultBlockName("gauge", [{ key: "t", name: "Temperature" }])).toBe("Temperature");
    expect(defaultBlockName("line_chart", [{ key: "t", name: "T" }, { key: "h", name: "" }])).toBe("T, h");
    expect(defaultBlockName("gauge", [])).toBe("Gauge");
  });
});
