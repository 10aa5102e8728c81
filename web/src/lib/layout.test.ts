import { describe, expect, it } from "vitest";
import type { Block } from "./types";
import { bottom, clampItem, COLS, layoutsFor, layoutsPayload, placeNew, sameLayouts, stackLayout } from "./layout";

const block = (id: number, type: string, x = 0, y = 0, w = 4, h = 4): Block => ({
  id, name: `b${id}`, visual_type: type, properties: {}, block_feeds: [], size_x: w, size_y: h, column: x, row: y,
});

describe("layoutsFor", () => {
  it("uses the blocks' own positions when nothing is saved", () => {
    const l = layoutsFor([block(1, "gauge", 0, 0, 3, 4), block(2, "line_chart", 3, 0, 6, 5)], null);
    expect(l.lg).toEqual([{ i: "1", x: 0, y: 0, w: 3, h: 4 }, { i: "2", x: 3, y: 0, w: 6, h: 5 }]);
    expect(l.md).toEqual(l.lg);
  });
  it("stacks blocks in one column on phones", () => {
    const l = layoutsFor([block(1, "gauge", 4, 0, 3, 4), block(2, "gauge", 0, 0, 3, 3)], null);
    expect(l.xs).toEqual([{ i: "2", x: 0, y: 0, w: 4, h: 3 }, { i: "1", x: 0, y: 3, w: 4, h: 4 }]);
    expect(l.xxs.every((it) => it.w === COLS.xxs)).toBe(true);
  });
  it("keeps saved layouts, drops deleted blocks and adds missing ones at the bottom", () => {
    const saved = { lg: [{ i: "1", x: 2, y: 1, w: 4, h: 4 }, { i: "99", x: 0, y: 0, w: 2, h: 2 }] };
    const l = layoutsFor([block(1, "gauge"), block(2, "text", 0, 0, 3, 3)], saved);
    expect(l.lg).toEqual([{ i: "1", x: 2, y: 1, w: 4, h: 4 }, { i: "2", x: 0, y: 5, w: 3, h: 3 }]);
  });
  it("clamps what does not fit the grid or the block's minimum", () => {
    const saved = { lg: [{ i: "1", x: 11, y: -3, w: 40, h: 1 }] };
    const l = layoutsFor([block(1, "line_chart")], saved);
    expect(l.lg[0]).toEqual({ i: "1", x: 0, y: 0, w: 12, h: 3 });
  });
  it("accepts numeric ids and string sizes from the server", () => {
    const b = { ...block(7, "gauge"), size_x: "5" as unknown as number, size_y: "4" as unknown as number };
    expect(layoutsFor([b], undefined).lg[0]).toEqual({ i: "7", x: 0, y: 0, w: 5, h: 4 });
  });
});

describe("helpers", () => {
  it("clamps items", () => {
    expect(clampItem({ i: "a", x: 10, y: 0, w: 4, h: 2 }, 12)).toEqual({ i: "a", x: 8, y: 0, w: 4, h: 2 });
  });
  it("stacks and finds the bottom", () => {
    const s = stackLayout([{ i: "a", x: 6, y: 0, w: 6, h: 2 }, { i: "b", x: 0, y: 0, w: 6, h: 3 }], 4);
    expect(s.map((it) => it.i)).toEqual(["b", "a"]);
    expect(bottom(s)).toBe(5);
    expect(placeNew(s, "c", 6, 4, 4)).toEqual({ i: "c", x: 0, y: 5, w: 4, h: 4 });
  });
  it("builds the update_layouts body with integers only", () => {
    const body = layoutsPayload({ lg: [{ i: "1", x: 1.4, y: 2, w: 3, h: 4, minW: 2 } as never], bogus: [] });
    expect(body).toEqual({ lg: [{ i: "1", x: 1, y: 2, w: 3, h: 4 }] });
  });
  it("compares layouts regardless of item order", () => {
    const a = { lg: [{ i: "1", x: 0, y: 0, w: 2, h: 2 }, { i: "2", x: 2, y: 0, w: 2, h: 2 }] };
    const b = { lg: [{ i: "2", x: 2, y: 0, w: 2, h: 2 }, { i: "1", x: 0, y: 0, w: 2, h: 2 }] };
    expect(sameLayouts(a, b)).toBe(true);
    expect(sameLayouts(a, { lg: [{ i: "1", x: 0, y: 1, w: 2, h: 2 }] })).toBe(false);
  });
});
