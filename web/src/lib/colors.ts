// Colours that blocks accept from their (user-edited) properties. Only hex colours
// and a fixed palette of names reach a style attribute.

export const PALETTE: Record<string, string> = {
  red: "#ef4444",
  orange: "#f97316",
  amber: "#f59e0b",
  yellow: "#eab308",
  lime: "#84cc16",
  green: "#22c55e",
  teal: "#14b8a6",
  cyan: "#06b6d4",
  blue: "#3b82f6",
  indigo: "#6366f1",
  purple: "#a855f7",
  pink: "#ec4899",
  gray: "#6b7280",
  grey: "#6b7280",
  black: "#111827",
  white: "#ffffff",
};

/** A safe CSS colour (#hex) for a property value, or the fallback. */
export function safeColor(input: string | null | undefined, fallback: string): string {
  if (!input) return fallback;
  const s = input.trim().toLowerCase();
  if (PALETTE[s]) return PALETTE[s];
  if (/^#([0-9a-f]{3}|[0-9a-f]{6})$/.test(s)) return s;
  return fallback;
}

/** Series colours for charts with several feeds. */
export const SERIES_COLORS = ["#0891b2", "#f97316", "#8b5cf6", "#16a34a", "#e11d48", "#ca8a04", "#2563eb", "#db2777"];
