import { describe, expect, it } from "vitest";
import { chartResolution, fromLocalInput, rangeMs, toLocalInput, useRawData, validateWindow, windowFor } from "./resolution";

describe("chartResolution", () => {
  it("is range / width in whole minutes, rounded up", () => {
    expect(chartResolution(rangeMs("24h"), 720)).toBe(2); // 1440 min / 720 px
    expect(chartResolution(rangeMs("30d"), 1000)).toBe(44); // 43200 / 1000 = 43.2
    expect(chartResolution(rangeMs("7d"), 1008)).toBe(10);
  });
  it("is at least 1 minute", () => {
    expect(chartResolution(rangeMs("1h"), 1200)).toBe(1);
    expect(chartResolution(0, 500)).toBe(1);
  });
  it("survives a zero or missing width", () => {
    expect(chartResolution(rangeMs("24h"), 0)).toBe(1440);
    expect(chartResolution(rangeMs("24h"), NaN)).toBe(1440);
  });
});

describe("useRawData", () => {
  it("uses raw points below two hours only", () => {
    expect(useRawData(rangeMs("1h"))).toBe(true);
    expect(useRawData(2 * 3600_000 - 1)).toBe(true);
    expect(useRawData(2 * 3600_000)).toBe(false);
    expect(useRawData(rangeMs("24h"))).toBe(false);
  });
});

describe("windows", () => {
  it("ends now and spans the range", () => {
    const now = new Date("2025-01-02T03:04:05Z");
    const w = windowFor("7d", now);
    expect(w.end).toBe(now);
    expect(now.getTime() - w.start.getTime()).toBe(7 * 86400_000);
  });
  it("round-trips datetime-local values", () => {
    const d = new Date(2025, 0, 2, 3, 4);
    expect(toLocalInput(d)).toBe("2025-01-02T03:04");
    expect(fromLocalInput("2025-01-02T03:04")?.getTime()).toBe(d.getTime());
    expect(fromLocalInput("yesterday")).toBeNull();
  });
  it("validates custom windows", () => {
    const a = new Date(2025, 0, 1);
    const b = new Date(2025, 0, 2);
    expect(validateWindow({ start: a, end: b })).toBeNull();
    expect(validateWindow({ start: b, end: a })).toMatch(/after/);
    expect(validateWindow(null)).toMatch(/start/);
    expect(validateWindow({ start: new Date(2020, 0, 1), end: b })).toMatch(/At most/);
  });
});
