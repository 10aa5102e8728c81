// Indicator conditions and gauge colour bands, kept as plain text in a block's
// string properties so that they survive the Adafruit IO block shape unchanged.
import { safeColor } from "./colors";
import { toNumber } from "./payload";

export type Op = "<" | "<=" | ">" | ">=" | "==" | "!=";

export interface Rule {
  op: Op;
  value: string;
  color: string;
}

const RULE_RE = /^\s*(<=|>=|==|!=|=|<|>)\s*(?:"([^"]*)"|(\S+))\s+(\S+)\s*$/;

/**
 * Parses indicator rules, one per line or separated by ';':
 * `> 30 red`, `== on #22c55e`, `!= "" gray`. The first rule that matches wins.
 * Returns the rules and the 1-based numbers of lines that could not be read.
 */
export function parseRules(text: string | null | undefined): { rules: Rule[]; bad: number[] } {
  const rules: Rule[] = [];
  const bad: number[] = [];
  const lines = (text ?? "").split(/[;\n]/);
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    const m = RULE_RE.exec(line);
    if (!m) { bad.push(i + 1); return; }
    const op = (m[1] === "=" ? "==" : m[1]) as Op;
    rules.push({ op, value: m[2] ?? m[3], color: m[4] });
  });
  return { rules, bad };
}

export function formatRules(rules: Rule[]): string {
  return rules.map((r) => `${r.op} ${/\s/.test(r.value) || r.value === "" ? `"${r.value}"` : r.value} ${r.color}`).join("; ");
}

/** Whether a value satisfies one rule: numerically when both sides are numbers, else as text. */
export function matches(value: string, rule: Rule): boolean {
  const a = toNumber(value);
  const b = toNumber(rule.value);
  if (a !== null && b !== null) {
    switch (rule.op) {
      case "<": return a < b;
      case "<=": return a <= b;
      case ">": return a > b;
      case ">=": return a >= b;
      case "==": return a === b;
      case "!=": return a !== b;
    }
  }
  const x = value.trim().toLowerCase();
  const y = rule.value.trim().toLowerCase();
  switch (rule.op) {
    case "==": return x === y;
    case "!=": return x !== y;
    default: return false; // ordering only for numbers
  }
}

/** The colour of the first matching rule, else the fallback (also when there is no value). */
export function indicatorColor(value: string | null | undefined, rules: Rule[], fallback: string): string {
  if (value === null || value === undefined) return fallback;
  for (const r of rules) if (matches(value, r)) return safeColor(r.color, fallback);
  return fallback;
}

export interface Band {
  from: number;
  color: string;
}

/**
 * Gauge colour bands `from:colour` separated by ',' or ';', for example
 * `0:green, 60:amber, 80:red` (each band runs from its number up to the next).
 */
export function parseBands(text: string | null | undefined): Band[] {
  const bands: Band[] = [];
  for (const part of (text ?? "").split(/[,;\n]/)) {
    const m = /^\s*([+-]?\d+(?:\.\d+)?)\s*:\s*(\S+)\s*$/.exec(part);
    if (m) bands.push({ from: Number(m[1]), color: safeColor(m[2], "#6b7280") });
  }
  return bands.sort((a, b) => a.from - b.from);
}

/** Bands from Adafruit IO's gauge properties minWarning / maxWarning when no bands are set. */
export function bandsFromWarnings(min: number, minWarning: number | null, maxWarning: number | null, ok = "#22c55e", warn = "#ef4444"): Band[] {
  if (minWarning === null && maxWarning === null) return [];
  const bands: Band[] = [];
  if (minWarning !== null) bands.push({ from: min, color: warn }, { from: minWarning, color: ok });
  else bands.push({ from: min, color: ok });
  if (maxWarning !== null) bands.push({ from: maxWarning, color: warn });
  return bands;
}

/** Colour of the band a value falls into, else the fallback. */
export function bandColor(value: number, bands: Band[], fallback: string): string {
  let c = fallback;
  for (const b of bands) if (value >= b.from) c = b.color;
  return c;
}
