// Dashboard grid layouts: Adafruit IO keeps one layout per breakpoint
// (`{"lg":[{i,x,y,w,h}],…}`); blocks also carry column/row/size_x/size_y.
import type { Block, LayoutItem, Layouts } from "./types";
import { blockType } from "./blocks";

export const BREAKPOINTS = { lg: 1200, md: 996, sm: 768, xs: 480, xxs: 0 } as const;
export const COLS = { lg: 12, md: 12, sm: 8, xs: 4, xxs: 2 } as const;
export type Breakpoint = keyof typeof BREAKPOINTS;
export const BREAKPOINT_NAMES = Object.keys(BREAKPOINTS) as Breakpoint[];
export const ROW_HEIGHT = 44;

const int = (v: unknown, d: number) => {
  const n = Math.round(Number(v));
  return Number.isFinite(n) ? n : d;
};

function minSize(block: Block): { minW: number; minH: number } {
  const t = blockType(block.visual_type);
  return { minW: t?.minW ?? 2, minH: t?.minH ?? 2 };
}

/** Clamps an item into a grid of `cols` columns and the block's minimum size. */
export function clampItem(it: LayoutItem, cols: number, min = { minW: 1, minH: 1 }): LayoutItem {
  const w = Math.max(Math.min(min.minW, cols), Math.min(cols, int(it.w, 4)));
  const h = Math.max(min.minH, int(it.h, 4));
  const x = Math.max(0, Math.min(cols - w, int(it.x, 0)));
  const y = Math.max(0, int(it.y, 0));
  return { i: String(it.i), x, y, w, h };
}

/** Places items one under the other, full width, in reading order of `order`. */
export function stackLayout(order: LayoutItem[], cols: number): LayoutItem[] {
  const sorted = [...order].sort((a, b) => a.y - b.y || a.x - b.x);
  let y = 0;
  return sorted.map((it) => {
    const item = { i: it.i, x: 0, y, w: cols, h: it.h };
    y += it.h;
    return item;
  });
}

/** The bottom edge of a layout (first free row). */
export function bottom(items: LayoutItem[]): number {
  return items.reduce((m, it) => Math.max(m, it.y + it.h), 0);
}

/**
 * The layouts to show for a dashboard: saved layouts where present (entries for
 * deleted blocks dropped, missing blocks added at the bottom), the blocks' own
 * column/row/size otherwise; phone breakpoints default to one column.
 */
export function layoutsFor(blocks: Block[], saved: Layouts | null | undefined): Record<Breakpoint, LayoutItem[]> {
  const ids = new Set(blocks.map((b) => String(b.id)));
  const byId = new Map(blocks.map((b) => [String(b.id), b]));
  const fromBlocks: LayoutItem[] = blocks.map((b) => {
    const t = blockType(b.visual_type);
    return {
      i: String(b.id),
      x: int(b.column, 0),
      y: int(b.row, 0),
      w: int(b.size_x, t?.w ?? 4),
      h: int(b.size_y, t?.h ?? 4),
    };
  });
  const out = {} as Record<Breakpoint, LayoutItem[]>;
  let wide: LayoutItem[] | null = null;
  for (const bp of BREAKPOINT_NAMES) {
    const cols = COLS[bp];
    const s = saved?.[bp];
    let items: LayoutItem[];
    if (Array.isArray(s) && s.length) {
      items = s.filter((it) => it && ids.has(String(it.i))).map((it) => ({ ...it, i: String(it.i) }));
      const have = new Set(items.map((it) => it.i));
      let y = bottom(items);
      for (const fb of fromBlocks) {
        if (!have.has(fb.i)) { items.push({ ...fb, x: 0, y }); y += fb.h; }
      }
    } else if (cols < 8) {
      items = stackLayout(wide ?? fromBlocks, cols);
    } else {
      items = wide ? wide.map((it) => ({ ...it })) : fromBlocks;
    }
    items = items.map((it) => clampItem(it, cols, minSize(byId.get(it.i)!)));
    if (!wide && cols >= 8) wide = items;
    out[bp] = items;
  }
  return out;
}

/** Where a new block goes: below everything, at the left. */
export function placeNew(items: LayoutItem[], id: string, w: number, h: number, cols: number): LayoutItem {
  return { i: id, x: 0, y: bottom(items), w: Math.min(w, cols), h };
}

/** The body for update_layouts: integers only, known breakpoints only. */
export function layoutsPayload(layouts: Partial<Record<string, readonly LayoutItem[]>>): Layouts {
  const out: Layouts = {};
  for (const bp of BREAKPOINT_NAMES) {
    const items = layouts[bp];
    if (!items) continue;
    out[bp] = items.map((it) => ({ i: String(it.i), x: int(it.x, 0), y: int(it.y, 0), w: int(it.w, 2), h: int(it.h, 2) }));
  }
  return out;
}

/** True when two layouts place every item identically (saves a needless request). */
export function sameLayouts(a: Layouts, b: Layouts): boolean {
  const key = (l: Layouts) =>
    JSON.stringify(BREAKPOINT_NAMES.map((bp) => (l[bp] ?? []).map((it) => [it.i, it.x, it.y, it.w, it.h]).sort()));
  return key(a) === key(b);
}
