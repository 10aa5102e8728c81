// Thin fetch wrapper for the perch API: same origin, cookie session, CSRF header on
// every mutating request, JSON errors turned into ApiError.
import type {
  ApiKey, Block, ChartResponse, Dashboard, Datum, Feed, Layouts, LiveToken, ServerInfo, SessionInfo, User,
} from "./types";
import { parsePagination, type Page } from "./pagination";

export class ApiError extends Error {
  status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
    this.name = "ApiError";
  }
}

let csrfToken = "";
let onUnauthorized: (() => void) | null = null;

export function setCsrfToken(token: string) {
  csrfToken = token;
}
/** Called when a request made with a session answers 401 (session expired or revoked). */
export function setUnauthorizedHandler(fn: (() => void) | null) {
  onUnauthorized = fn;
}

/** Encodes one path segment (user names, feed keys, ids). */
export const seg = (s: string | number) => encodeURIComponent(String(s));

/** Builds a query string from the defined, non-empty parameters. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : "";
}

export function errorMessage(status: number, body: unknown, fallback: string): string {
  if (body && typeof body === "object" && "error" in body) {
    const e = (body as { error: unknown }).error;
    if (typeof e === "string" && e) return e;
    if (Array.isArray(e) && e.length) return e.map(String).join("; ");
  }
  if (status === 429) return "Too many requests: slow down and try again in a moment.";
  if (status === 403) return "You are not allowed to do that.";
  if (status === 404) return "Not found.";
  if (status >= 500) return "The server had a problem. Try again.";
  return fallback || `Request failed (${status})`;
}

interface RequestOpts {
  method?: string;
  body?: unknown;
  signal?: AbortSignal;
  /** Do not call the unauthorized handler on 401 (sign-in itself). */
  quiet401?: boolean;
}

export async function request<T>(path: string, opts: RequestOpts = {}): Promise<{ data: T; res: Response }> {
  const method = opts.method ?? "GET";
  const headers: Record<string, string> = { Accept: "application/json" };
  if (opts.body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET" && method !== "HEAD" && csrfToken) headers["X-CSRF-Token"] = csrfToken;
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
      credentials: "same-origin",
      signal: opts.signal,
    });
  } catch (e) {
    if ((e as Error).name === "AbortError") throw e;
    throw new ApiError(0, "Cannot reach the server. Check your connection.");
  }
  const text = await res.text();
  let data: unknown = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = text;
    }
  }
  if (!res.ok) {
    if (res.status === 401 && !opts.quiet401 && onUnauthorized) onUnauthorized();
    throw new ApiError(res.status, errorMessage(res.status, data, res.statusText));
  }
  return { data: data as T, res };
}

async function get<T>(path: string, signal?: AbortSignal): Promise<T> {
  return (await request<T>(path, { signal })).data;
}
async function send<T>(method: string, path: string, body?: unknown): Promise<T> {
  return (await request<T>(path, { method, body })).data;
}

const v2 = (user: string) => `/api/v2/${seg(user)}`;

export const api = {
  // --- session (perch's own) ---
  async signIn(username: string, password: string): Promise<SessionInfo> {
    return (await request<SessionInfo>("/api/session", {
      method: "POST", body: { username, password }, quiet401: true,
    })).data;
  },
  async session(): Promise<SessionInfo> {
    return (await request<SessionInfo>("/api/session", { quiet401: true })).data;
  },
  signOut: () => send<unknown>("DELETE", "/api/session"),
  liveToken: () => send<LiveToken>("POST", "/api/live-token"),
  server: () => get<ServerInfo>("/api/server"),

  // --- MQTT keys ---
  keys: () => get<ApiKey[]>("/api/keys"),
  createKey: (label: string) => send<ApiKey>("POST", "/api/keys", { label }),
  revokeKey: (id: string | number) => send<unknown>("DELETE", `/api/keys/${seg(id)}`),

  // --- Adafruit IO v2 ---
  me: () => get<User>("/api/v2/user"),
  feeds: (u: string, signal?: AbortSignal) => get<Feed[]>(`${v2(u)}/feeds`, signal),
  feed: (u: string, key: string, signal?: AbortSignal) => get<Feed>(`${v2(u)}/feeds/${seg(key)}`, signal),
  createFeed: (u: string, feed: Partial<Feed>) => send<Feed>("POST", `${v2(u)}/feeds`, { feed }),
  updateFeed: (u: string, key: string, feed: Partial<Feed>) => send<Feed>("PUT", `${v2(u)}/feeds/${seg(key)}`, { feed }),
  deleteFeed: (u: string, key: string) => send<unknown>("DELETE", `${v2(u)}/feeds/${seg(key)}`),

  async data(
    u: string, key: string,
    params: { limit?: number; start_time?: string; end_time?: string; before?: string },
    signal?: AbortSignal,
  ): Promise<Page<Datum>> {
    const { data, res } = await request<Datum[]>(`${v2(u)}/feeds/${seg(key)}/data${query(params)}`, { signal });
    return { items: data ?? [], ...parsePagination(res.headers) };
  },
  /** Follows a `Link: rel="next"` URL from a previous page (same origin only). */
  async dataPage(url: string, signal?: AbortSignal): Promise<Page<Datum>> {
    const u = new URL(url, window.location.origin);
    if (u.origin !== window.location.origin) throw new ApiError(0, "Unexpected pagination link");
    const { data, res } = await request<Datum[]>(u.pathname + u.search, { signal });
    return { items: data ?? [], ...parsePagination(res.headers) };
  },
  lastDatum: (u: string, key: string, signal?: AbortSignal) => get<Datum | null>(`${v2(u)}/feeds/${seg(key)}/data/last`, signal),
  addDatum: (u: string, key: string, value: string) => send<Datum>("POST", `${v2(u)}/feeds/${seg(key)}/data`, { value }),
  chart: (
    u: string, key: string,
    params: { start_time?: string; end_time?: string; resolution?: number; hours?: number },
    signal?: AbortSignal,
  ) => get<ChartResponse>(`${v2(u)}/feeds/${seg(key)}/data/chart${query(params)}`, signal),

  dashboards: (u: string) => get<Dashboard[]>(`${v2(u)}/dashboards`),
  dashboard: (u: string, key: string, signal?: AbortSignal) => get<Dashboard>(`${v2(u)}/dashboards/${seg(key)}`, signal),
  createDashboard: (u: string, d: { name: string; description?: string }) =>
    send<Dashboard>("POST", `${v2(u)}/dashboards`, { dashboard: d }),
  updateDashboard: (u: string, key: string, d: { name?: string; description?: string }) =>
    send<Dashboard>("PUT", `${v2(u)}/dashboards/${seg(key)}`, { dashboard: d }),
  deleteDashboard: (u: string, key: string) => send<unknown>("DELETE", `${v2(u)}/dashboards/${seg(key)}`),
  updateLayouts: (u: string, key: string, layouts: Layouts) =>
    send<Dashboard>("POST", `${v2(u)}/dashboards/${seg(key)}/update_layouts`, { layouts }),
  createBlock: (u: string, dash: string, block: BlockInput) =>
    send<Block>("POST", `${v2(u)}/dashboards/${seg(dash)}/blocks`, { block }),
  updateBlock: (u: string, dash: string, id: string | number, block: BlockInput) =>
    send<Block>("PUT", `${v2(u)}/dashboards/${seg(dash)}/blocks/${seg(id)}`, { block }),
  deleteBlock: (u: string, dash: string, id: string | number) =>
    send<unknown>("DELETE", `${v2(u)}/dashboards/${seg(dash)}/blocks/${seg(id)}`),
};

/** Block body for create/update: block_feeds as Adafruit's `{feed_id}` form. */
export interface BlockInput {
  name: string;
  visual_type: string;
  properties: Record<string, string>;
  block_feeds: Array<{ feed_id: string }>;
  size_x?: number;
  size_y?: number;
  column?: number;
  row?: number;
}
