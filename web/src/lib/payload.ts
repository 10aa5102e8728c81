// Values as they travel over MQTT: parsing what boards send, formatting what
// dashboard blocks send. Boards receive exactly these strings.
import type { TopicFormat } from "./topics";

export interface Incoming {
  value: string;
  lat?: number | null;
  lon?: number | null;
  ele?: number | null;
  created_at?: string | null;
}

/** Largest value Adafruit IO keeps with history on (1 KB). */
export const MAX_VALUE_BYTES = 1024;

function optNum(v: unknown): number | null {
  if (v === null || v === undefined || v === "") return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

/** Splits one CSV line, honouring double quotes (`"a,b",1` -> [`a,b`, `1`]). */
export function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = "";
  let q = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (q) {
      if (c === '"' && line[i + 1] === '"') { cur += '"'; i++; }
      else if (c === '"') q = false;
      else cur += c;
    } else if (c === '"') q = true;
    else if (c === ",") { out.push(cur); cur = ""; }
    else cur += c;
  }
  out.push(cur);
  return out;
}

/** Parses a message from a feed topic of the given form; null when unusable. */
export function parseIncoming(payload: string, format: TopicFormat): Incoming | null {
  if (format === "raw") return { value: payload };
  if (format === "csv") {
    const line = payload.split(/\r?\n/)[0] ?? "";
    const [value, lat, lon, ele] = splitCsvLine(line);
    if (value === undefined) return null;
    return { value, lat: optNum(lat), lon: optNum(lon), ele: optNum(ele) };
  }
  try {
    const j = JSON.parse(payload);
    if (j === null || typeof j !== "object" || Array.isArray(j) || !("value" in j)) return null;
    const v = (j as Record<string, unknown>).value;
    const value = typeof v === "string" ? v : JSON.stringify(v);
    return {
      value,
      lat: optNum(j.lat), lon: optNum(j.lon), ele: optNum(j.ele),
      created_at: typeof j.created_at === "string" ? j.created_at : null,
    };
  } catch {
    return null;
  }
}

/** The value as a number when it is one ("23.5", " 7 ", "1e3"); null otherwise. */
export function toNumber(value: string | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  const s = value.trim();
  if (s === "" || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}

/** Display form of a value: numbers rounded to `decimals` when given, unit appended. */
export function formatValue(value: string | null | undefined, decimals?: number | null, unit?: string | null): string {
  if (value === null || value === undefined || value === "") return "—";
  let s = value;
  const n = toNumber(value);
  if (n !== null && decimals !== null && decimals !== undefined && decimals >= 0) s = n.toFixed(Math.min(10, decimals));
  return unit ? `${s} ${unit}` : s;
}

/** Number of decimals a step implies (0.1 -> 1, 0.25 -> 2, 5 -> 0). */
export function stepDecimals(step: number): number {
  if (!Number.isFinite(step) || step <= 0) return 0;
  const s = String(step);
  if (s.includes("e-")) return Number(s.split("e-")[1]);
  const dot = s.indexOf(".");
  return dot < 0 ? 0 : s.length - dot - 1;
}

/** A slider value snapped to its step and clamped, formatted without float noise. */
export function sliderPayload(v: number, min: number, max: number, step: number): string {
  const st = step > 0 ? step : 1;
  const lo = Math.min(min, max);
  const hi = Math.max(min, max);
  let x = Math.min(hi, Math.max(lo, v));
  x = lo + Math.round((x - lo) / st) * st;
  if (x > hi) x -= st;
  const d = Math.max(stepDecimals(st), stepDecimals(lo));
  return Number(x.toFixed(d)).toFixed(d);
}

/** `#rrggbb` from #rgb / #rrggbb / rrggbb input; null when not a colour. */
export function normalizeColor(input: string): string | null {
  let s = input.trim().toLowerCase();
  if (!s.startsWith("#")) s = `#${s}`;
  if (/^#[0-9a-f]{3}$/.test(s)) s = `#${s[1]}${s[1]}${s[2]}${s[2]}${s[3]}${s[3]}`;
  return /^#[0-9a-f]{6}$/.test(s) ? s : null;
}

/** What the number pad sends: a plain decimal number, or an error message. */
export function numberPadPayload(typed: string): { value: string } | { error: string } {
  const s = typed.trim();
  if (s === "") return { error: "Type a number first." };
  if (!/^-?(\d+\.?\d*|\.\d+)$/.test(s)) return { error: "Not a number." };
  // Normalise "007" -> "7", ".5" -> "0.5", "3." -> "3", keep the digits the user typed otherwise.
  let [int, frac] = s.replace(/^-/, "").split(".");
  int = int.replace(/^0+(?=\d)/, "") || "0";
  const neg = s.startsWith("-") && /[1-9]/.test(s);
  return { value: `${neg ? "-" : ""}${int}${frac ? `.${frac}` : ""}` };
}

/** Applies one key press of the number pad to the typed text. */
export function numberPadKey(typed: string, key: string, maxLen = 16): string {
  if (key === "C") return "";
  if (key === "⌫") return typed.slice(0, -1);
  if (key === "±") return typed.startsWith("-") ? typed.slice(1) : `-${typed}`;
  if (key === ".") {
    if (typed.includes(".") || typed.replace("-", "").length >= maxLen) return typed;
    if (typed === "" || typed === "-") return `${typed}0.`;
    return `${typed}.`;
  }
  if (/^\d$/.test(key)) return typed.replace("-", "").length >= maxLen ? typed : typed + key;
  return typed;
}

/**
 * Whether a reported state equals a block's value: exact after trimming, case
 * does not matter ("ON" = "on"), and numbers compare by value ("1.0" = "1").
 */
export function sameValue(a: string | null | undefined, b: string | null | undefined): boolean {
  if (a === null || a === undefined || b === null || b === undefined) return false;
  const x = a.trim();
  const y = b.trim();
  if (x.toLowerCase() === y.toLowerCase()) return true;
  const nx = toNumber(x);
  const ny = toNumber(y);
  return nx !== null && ny !== null && nx === ny;
}

/** Toggle state from a reported value: true/false, or null when it is neither. */
export function toggleState(reported: string | null | undefined, onValue: string, offValue: string): boolean | null {
  if (sameValue(reported, onValue)) return true;
  if (sameValue(reported, offValue)) return false;
  return null;
}

/** Checks a value before it is sent by hand or by a block. */
export function validateValue(value: string): string | null {
  if (value.length === 0) return "Enter a value.";
  if (new TextEncoder().encode(value).length > MAX_VALUE_BYTES) return `At most ${MAX_VALUE_BYTES} bytes.`;
  return null;
}
