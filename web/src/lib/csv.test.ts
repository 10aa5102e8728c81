import { describe, expect, it } from "vitest";
import { csvField, csvFileName, dataToCsv } from "./csv";

describe("csv", () => {
  it("quotes fields that need it", () => {
    expect(csvField("plain")).toBe("plain");
    expect(csvField('say "hi", ok')).toBe('"say ""hi"", ok"');
    expect(csvField("a\nb")).toBe('"a\nb"');
    expect(csvField(null)).toBe("");
    expect(csvField(12.5)).toBe("12.5");
  });
  it("defuses spreadsheet formulas but keeps signed numbers", () => {
    expect(csvField("=HYPERLINK(\"x\")")).toBe("\"'=HYPERLINK(\"\"x\"\")\"");
    expect(csvField("@SUM(A1)")).toBe("\"'@SUM(A1)\"");
    expect(csvField("-5")).toBe("-5");
    expect(csvField("+1.5e3")).toBe("+1.5e3");
  });
  it("writes oldest first with a header", () => {
    const csv = dataToCsv([
      { id: "2", value: "22", created_at: "2025-01-01T00:00:02Z", lat: 1, lon: 2, ele: null },
      { id: "1", value: "21", created_at: "2025-01-01T00:00:01Z" },
    ]);
    expect(csv).toBe("created_at,value,lat,lon,ele,id\r\n2025-01-01T00:00:01Z,21,,,,1\r\n2025-01-01T00:00:02Z,22,1,2,,2\r\n");
  });
  it("names the file after the feed and range", () => {
    expect(csvFileName("temp/../x", new Date("2025-01-01T00:00:00Z"), new Date("2025-01-02T12:30:00Z")))
      .toBe("temp_.._x_2025-01-01-00-00_2025-01-02-12-30.csv");
  });
});
