import { describe, expect, it } from "vitest";
import { errorMessage, query, seg } from "./api";

describe("api helpers", () => {
  it("encodes path segments", () => {
    expect(seg("a/b c")).toBe("a%2Fb%20c");
    expect(seg(12)).toBe("12");
  });
  it("builds query strings from set values only", () => {
    expect(query({ limit: 25, start_time: undefined, end_time: "", before: null })).toBe("?limit=25");
    expect(query({})).toBe("");
    expect(query({ end_time: "2025-01-01T00:00:00.000Z" })).toBe("?end_time=2025-01-01T00%3A00%3A00.000Z");
  });
  it("takes the server's error message, else a plain one", () => {
    expect(errorMessage(400, { error: "value too long" }, "")).toBe("value too long");
    expect(errorMessage(422, { error: ["a", "b"] }, "")).toBe("a; b");
    expect(errorMessage(429, null, "")).toMatch(/slow down/);
    expect(errorMessage(500, "<html>", "")).toMatch(/server/);
    expect(errorMessage(418, null, "I'm a teapot")).toBe("I'm a teapot");
  });
});
