// Formatting of times for tables, tooltips and "updated 3 min ago".

export function parseTime(iso: string | null | undefined): number | null {
  if (!iso) return null;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : t;
}

/** "just now", "42 s ago", "5 min ago", "3 h ago", "2 d ago"; "never" for null. */
export function timeAgo(iso: string | number | null | undefined, now = Date.now()): string {
  const t = typeof iso === "number" ? iso : parseTime(iso ?? null);
  if (t === null) return "never";
  const s = Math.round((now - t) / 1000);
  if (s < 5) return "just now";
  if (s < 60) return `${s} s ago`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ago`;
  const d = Math.floor(h / 24);
  return `${d} d ago`;
}

const dtf = new Intl.DateTimeFormat(undefined, {
  year: "numeric", month: "short", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit",
});
const tf = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });

export function formatDateTime(iso: string | number | null | undefined): string {
  const t = typeof iso === "number" ? iso : parseTime(iso ?? null);
  return t === null ? "—" : dtf.format(t);
}

export function formatTime(iso: string | number | null | undefined): string {
  const t = typeof iso === "number" ? iso : parseTime(iso ?? null);
  return t === null ? "—" : tf.format(t);
}
