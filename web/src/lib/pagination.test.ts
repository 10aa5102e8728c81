import { describe, expect, it } from "vitest";
import { parseNextLink, parsePagination } from "./pagination";

describe("parseNextLink", () => {
  it("reads the standard form", () => {
    expect(parseNextLink('<https://h/api/v2/a/feeds/t/data?before=abc&limit=25>; rel="next"')).toBe("https://h/api/v2/a/feeds/t/data?before=abc&limit=25");
  });
  it("reads Adafruit IO's quirk (rel=next before the next URL)", () => {
    const h = '</api/v2/a/feeds/t/data?end_time=2019&limit=250>;rel="next", </api/v2/a/feeds/t/data?before=TOKEN&end_time=2019&limit=250>';
    expect(parseNextLink(h)).toBe("/api/v2/a/feeds/t/data?before=TOKEN&end_time=2019&limit=250");
  });
  it("picks next among several relations", () => {
    expect(parseNextLink('</p?x=1>; rel="prev", </p?x=3>; rel="next"')).toBe("/p?x=3");
    expect(parseNextLink('</p?x=3>; rel="next", </p?x=1>; rel="prev"')).toBe("/p?x=3");
  });
  it("returns null without a next link", () => {
    expect(parseNextLink(null)).toBeNull();
    expect(parseNextLink("")).toBeNull();
    expect(parseNextLink('</p>; rel="prev"')).toBeNull();
  });
});

describe("parsePagination", () => {
  it("reads the X-Pagination headers", () => {
    const h = new Headers({ "X-Pagination-Total": "83027", "X-Pagination-Limit": "250", "X-Pagination-Count": "250", Link: '</n>; rel="next"' });
    expect(parsePagination(h)).toEqual({ next: "/n", total: 83027, limit: 250, count: 250 });
  });
  it("tolerates missing or empty headers", () => {
    expect(parsePagination(new Headers({ "X-Pagination-Total": "" }))).toEqual({ next: null, total: null, limit: null, count: null });
  });
});
