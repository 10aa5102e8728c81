// Pure helpers for the live MQTT-over-WebSocket connection.
import type { LiveToken } from "./types";

interface Loc {
  protocol: string;
  hostname: string;
}

/**
 * The broker's WebSocket URL: `ws_url` verbatim when the server gives one, else
 * ws(s)://<page host>:<ws_port><ws_path> (wss when the page is https).
 */
export function liveUrl(t: Pick<LiveToken, "ws_url" | "ws_port" | "ws_path">, loc: Loc): string {
  if (t.ws_url) return t.ws_url;
  const scheme = loc.protocol === "https:" ? "wss" : "ws";
  const host = loc.hostname.includes(":") && !loc.hostname.startsWith("[") ? `[${loc.hostname}]` : loc.hostname;
  const port = t.ws_port ?? 9001;
  let path = t.ws_path ?? "/mqtt";
  if (!path.startsWith("/")) path = `/${path}`;
  return `${scheme}://${host}:${port}${path}`;
}

/**
 * When to fetch a fresh token: at 80 % of its remaining life or one minute
 * before it expires, whichever is earlier; never sooner than 5 s.
 */
export function renewDelayMs(expiresAt: string, now = Date.now()): number {
  const exp = Date.parse(expiresAt);
  if (Number.isNaN(exp)) return 5 * 60_000;
  const left = exp - now;
  return Math.max(5_000, Math.min(left * 0.8, left - 60_000));
}

/** Reconnect delay after `attempt` failures: 1 s, 2 s, 4 s … capped at 30 s, with ±20 % jitter. */
export function backoffMs(attempt: number, rand = Math.random()): number {
  const base = Math.min(30_000, 1000 * 2 ** Math.max(0, attempt));
  return Math.round(base * (0.8 + 0.4 * rand));
}

/** A random client id (brokers kick an older client with the same id). */
export function randomClientId(prefix = "perch-web-"): string {
  const bytes = new Uint8Array(8);
  crypto.getRandomValues(bytes);
  return prefix + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
