// Turning API responses into the column arrays uPlot draws (x in seconds, ascending).
import type { ChartResponse, Datum } from "./types";
import { toNumber } from "./payload";
import { parseTime } from "./time";

export interface Series {
  t: number[];
  avg: Array<number | null>;
  min: Array<number | null>;
  max: Array<number | null>;
}

export const emptySeries = (): Series => ({ t: [], avg: [], min: [], max: [] });

function cell(v: unknown): number | null {
  if (typeof v === "number") return Number.isFinite(v) ? v : null;
  if (typeof v === "string") return toNumber(v);
  return null;
}

/**
 * Reads a data/chart response. Columns are found by name ("date", "avg", "min",
 * "max"; "val"/"value"/"sum" stand in for avg), so both perch's and Adafruit IO's
 * shapes work. Rows may come in any order.
 */
export function chartToSeries(resp: ChartResponse | null | undefined): Series {
  const s = emptySeries();
  if (!resp || !Array.isArray(resp.data)) return s;
  const cols = (resp.columns ?? ["date", "avg"]).map((c) => String(c).toLowerCase());
  const iT = Math.max(0, cols.indexOf("date"));
  let iAvg = cols.indexOf("avg");
  if (iAvg < 0) iAvg = ["val", "value", "sum"].map((c) => cols.indexOf(c)).find((i) => i >= 0) ?? 1;
  const iMin = cols.indexOf("min");
  const iMax = cols.indexOf("max");
  const rows: Array<[number, number | null, number | null, number | null]> = [];
  for (const r of resp.data) {
    if (!Array.isArray(r)) continue;
    const t = typeof r[iT] === "number" ? (r[iT] as number) * 1000 : parseTime(String(r[iT]));
    if (t === null) continue;
    const a = cell(r[iAvg]);
    rows.push([t / 1000, a, iMin >= 0 ? cell(r[iMin]) : a, iMax >= 0 ? cell(r[iMax]) : a]);
  }
  rows.sort((x, y) => x[0] - y[0]);
  for (const [t, a, lo, hi] of rows) {
    s.t.push(t); s.avg.push(a); s.min.push(lo); s.max.push(hi);
  }
  return s;
}

/** Raw data points (newest first from the API) as a series; non-numeric values are skipped. */
export function rawToSeries(data: Datum[]): Series {
  const s = emptySeries();
  const pts: Array<[number, number]> = [];
  for (const d of data) {
    const t = parseTime(d.created_at);
    const v = toNumber(d.value);
    if (t !== null && v !== null) pts.push([t / 1000, v]);
  }
  pts.sort((a, b) => a[0] - b[0]);
  for (const [t, v] of pts) {
    s.t.push(t); s.avg.push(v); s.min.push(v); s.max.push(v);
  }
  return s;
}

/**
 * Appends a live point (seconds) and drops points older than `fromSec`; keeps at
 * most `maxPoints`. Returns a new series (the old one is not changed).
 */
export function appendPoint(s: Series, tSec: number, v: number, fromSec?: number, maxPoints = 20_000): Series {
  let start = 0;
  if (fromSec !== undefined) while (start < s.t.length && s.t[start] < fromSec) start++;
  const n = s.t.length + 1 - start;
  if (n > maxPoints) start += n - maxPoints;
  const out: Series = {
    t: s.t.slice(start), avg: s.avg.slice(start), min: s.min.slice(start), max: s.max.slice(start),
  };
  // Keep x ascending even if the clock of a point is slightly behind the last one.
  const last = out.t.length ? out.t[out.t.length - 1] : -Infinity;
  out.t.push(Math.max(tSec, last));
  out.avg.push(v); out.min.push(v); out.max.push(v);
  return out;
}

/**
 * Puts several series on one time axis (the union of their times, ascending),
 * with null where a series has no point: [x, y1, y2, …] as uPlot wants it.
 */
export function alignSeries(list: Array<{ t: number[]; y: Array<number | null> }>): Array<Array<number | null>> {
  const times = new Set<number>();
  for (const s of list) for (const t of s.t) times.add(t);
  const xs = [...times].sort((a, b) => a - b);
  const index = new Map(xs.map((t, i) => [t, i]));
  const ys = list.map((s) => {
    const y: Array<number | null> = new Array(xs.length).fill(null);
    s.t.forEach((t, i) => { y[index.get(t)!] = s.y[i] ?? null; });
    return y;
  });
  return [xs, ...ys];
}

/** Sparkline points [ms, value] from a series. */
export function sparkPoints(s: Series): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  s.t.forEach((t, i) => { const v = s.avg[i]; if (v !== null) out.push([t * 1000, v]); });
  return out;
}
