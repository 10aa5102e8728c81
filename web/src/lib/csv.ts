// CSV export of a feed's data points.
import type { Datum } from "./types";

/** One CSV field: quoted when needed; text that a spreadsheet would run as a formula is defused. */
export function csvField(v: unknown): string {
  if (v === null || v === undefined) return "";
  let s = String(v);
  if (/^[=+\-@\t\r]/.test(s) && !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) s = `'${s}`;
  return /[",\r\n']/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const CSV_COLUMNS = ["created_at", "value", "lat", "lon", "ele", "id"] as const;

/** CSV text (header + rows, oldest first) of data points given newest first, as the API returns them. */
export function dataToCsv(newestFirst: Datum[]): string {
  const lines = [CSV_COLUMNS.join(",")];
  for (let i = newestFirst.length - 1; i >= 0; i--) {
    const d = newestFirst[i];
    lines.push(CSV_COLUMNS.map((c) => csvField(d[c as keyof Datum])).join(","));
  }
  return `${lines.join("\r\n")}\r\n`;
}

/** A file name for a download: feed key and the range, safe on every OS. */
export function csvFileName(feedKey: string, start: Date, end: Date): string {
  const d = (x: Date) => x.toISOString().slice(0, 16).replace(/[:T]/g, "-");
  const k = feedKey.replace(/[^A-Za-z0-9._-]+/g, "_") || "feed";
  return `${k}_${d(start)}_${d(end)}.csv`;
}
