import { describe, expect, it } from "vitest";
import { alignSeries, appendPoint, chartToSeries, emptySeries, rawToSeries, sparkPoints } from "./series";

describe("chartToSeries", () => {
  it("reads perch's chart shape, sorted by time", () => {
    const s = chartToSeries({
      columns: ["date", "avg", "min", "max", "count"],
      data: [["2025-01-01T00:01:00Z", 2, 1, 3, 10], ["2025-01-01T00:00:00Z", "1.5", "1", "2", 5]],
    });
    const t0 = Date.parse("2025-01-01T00:00:00Z") / 1000;
    expect(s).toEqual({ t: [t0, t0 + 60], avg: [1.5, 2], min: [1, 1], max: [2, 3] });
  });
  it("reads Adafruit IO's two-column shape", () => {
    const s = chartToSeries({ columns: ["date", "avg"], data: [["2019-03-01T14:00:00Z", "62.57"]] });
    expect(s.avg).toEqual([62.57]);
    expect(s.min).toEqual([62.57]);
  });
  it("keeps gaps as null and skips bad rows", () => {
    const s = chartToSeries({ columns: ["date", "avg", "min", "max"], data: [["bad", 1, 1, 1], ["2025-01-01T00:00:00Z", null, null, null], "x" as never] });
    expect(s.t.length).toBe(1);
    expect(s.avg).toEqual([null]);
    expect(chartToSeries(null)).toEqual(emptySeries());
  });
});

describe("rawToSeries", () => {
  it("keeps numeric values, oldest first", () => {
    const s = rawToSeries([
      { id: 2, value: "ON", created_at: "2025-01-01T00:00:02Z" },
      { id: 1, value: "21.5", created_at: "2025-01-01T00:00:01Z" },
      { id: 0, value: "20", created_at: "2025-01-01T00:00:00Z" },
    ]);
    expect(s.avg).toEqual([20, 21.5]);
  });
});

describe("appendPoint", () => {
  it("appends and drops points outside the window", () => {
    let s = emptySeries();
    s = appendPoint(s, 100, 1);
    s = appendPoint(s, 200, 2);
    s = appendPoint(s, 300, 3, 150);
    expect(s.t).toEqual([200, 300]);
    expect(s.avg).toEqual([2, 3]);
  });
  it("caps the number of points and keeps time ascending", () => {
    let s = emptySeries();
    for (let i = 0; i < 10; i++) s = appendPoint(s, i, i, undefined, 5);
    expect(s.t).toEqual([5, 6, 7, 8, 9]);
    s = appendPoint(s, 3, 42, undefined, 5);
    expect(s.t[s.t.length - 1]).toBe(9);
  });
  it("does not change the series it was given", () => {
    const a = appendPoint(emptySeries(), 1, 1);
    appendPoint(a, 2, 2);
    expect(a.t).toEqual([1]);
  });
});

describe("alignSeries", () => {
  it("puts several feeds on one time axis", () => {
    expect(alignSeries([{ t: [1, 3], y: [10, 30] }, { t: [2, 3], y: [20, 31] }])).toEqual([[1, 2, 3], [10, null, 30], [null, 20, 31]]);
    expect(alignSeries([])).toEqual([[]]);
  });
  it("gives sparkline points in ms", () => {
    expect(sparkPoints({ t: [1, 2], avg: [5, null], min: [], max: [] })).toEqual([[1000, 5]]);
  });
});
