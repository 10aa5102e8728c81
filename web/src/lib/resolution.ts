// Time ranges for charts and the server-side aggregation resolution that matches
// the chart's width in pixels.

export type RangeId = "1h" | "24h" | "7d" | "30d" | "custom";

export const RANGES: Array<{ id: Exclude<RangeId, "custom">; label: string; ms: number }> = [
  { id: "1h", label: "1 h", ms: 3600_000 },
  { id: "24h", label: "24 h", ms: 24 * 3600_000 },
  { id: "7d", label: "7 d", ms: 7 * 24 * 3600_000 },
  { id: "30d", label: "30 d", ms: 30 * 24 * 3600_000 },
];

/** Below this span the chart shows raw points instead of server aggregates. */
export const RAW_LIMIT_MS = 2 * 3600_000;

export interface TimeWindow {
  start: Date;
  end: Date;
}

export function rangeMs(id: Exclude<RangeId, "custom">): number {
  return RANGES.find((r) => r.id === id)!.ms;
}

/** The window of a relative range ending now. */
export function windowFor(id: Exclude<RangeId, "custom">, now = new Date()): TimeWindow {
  return { start: new Date(now.getTime() - rangeMs(id)), end: now };
}

/** True when the span is short enough to fetch raw data points. */
export function useRawData(spanMs: number): boolean {
  return spanMs < RAW_LIMIT_MS;
}

/**
 * Resolution in whole minutes so that one bucket is about one pixel of the chart:
 * ceil(span in minutes / width in pixels), at least 1.
 */
export function chartResolution(spanMs: number, widthPx: number): number {
  const w = Math.max(1, Math.floor(widthPx || 1));
  const minutes = spanMs / 60_000;
  if (!(minutes > 0)) return 1;
  return Math.max(1, Math.ceil(minutes / w));
}

/** Number of raw points a live chart keeps before dropping the oldest. */
export function maxLivePoints(widthPx: number): number {
  return Math.max(200, Math.min(20_000, Math.floor(widthPx) * 4));
}

/** `YYYY-MM-DDTHH:MM` for <input type="datetime-local"> in local time. */
export function toLocalInput(d: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** Parses a datetime-local value (local time); null when invalid. */
export function fromLocalInput(s: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(s);
  if (!m) return null;
  const d = new Date(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], m[6] ? +m[6] : 0);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** Validates a custom window: end after start and not longer than maxDays. */
export function validateWindow(w: TimeWindow | null, maxDays = 400): string | null {
  if (!w) return "Enter a start and an end.";
  if (w.end.getTime() <= w.start.getTime()) return "The end must be after the start.";
  if (w.end.getTime() - w.start.getTime() > maxDays * 86400_000) return `At most ${maxDays} days.`;
  return null;
}
