// Live values for the whole app: one LiveClient, the latest value of every feed
// seen, listeners per feed, and notices ({user}/errors, {user}/throttle, class/…)
// shown as toasts.
import {
  createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, useSyncExternalStore, type ReactNode,
} from "react";
import { api } from "../lib/api";
import { LiveClient, type LiveStatus } from "../lib/live";
import { classifyTopic, FanoutDeduper, feedTopic } from "../lib/topics";
import { parseIncoming } from "../lib/payload";
import { parseTime } from "../lib/time";
import type { Feed } from "../lib/types";
import { useToasts } from "./toasts";

export interface LivePoint {
  value: string;
  /** ms since epoch */
  at: number;
  lat?: number | null;
  lon?: number | null;
}

export interface Notice {
  kind: "errors" | "throttle";
  owner: string;
  text: string;
  at: number;
}

type PointFn = (p: LivePoint) => void;

class LiveHub {
  latest = new Map<string, LivePoint>();
  private pointFns = new Map<string, Set<PointFn>>();
  private feedSubs = new Map<string, Set<() => void>>();
  private noticeFns = new Set<(n: Notice) => void>();
  private known = new Map<string, string>();
  private dedupe = new FanoutDeduper();

  id(owner: string, key: string) {
    return `${owner}/${key}`;
  }

  registerFeeds(owner: string, feeds: Feed[]) {
    for (const f of feeds) {
      const t = feedTopic(owner, f);
      if (!t.startsWith(`${owner}/feeds/`)) this.known.set(t, f.key);
      const at = parseTime(f.updated_at ?? null);
      if (f.last_value !== null && f.last_value !== undefined && at !== null) this.seed(owner, f.key, { value: f.last_value, at });
    }
  }

  /** Records a value known from REST unless a newer live one is there. */
  seed(owner: string, key: string, p: LivePoint) {
    const id = this.id(owner, key);
    const cur = this.latest.get(id);
    if (!cur || cur.at < p.at) {
      this.latest.set(id, p);
      this.feedSubs.get(id)?.forEach((fn) => fn());
    }
  }

  handle(topic: string, payload: string, notify: (n: Notice) => void, classMsg: (path: string, text: string) => void) {
    const info = classifyTopic(topic, this.known);
    if (info.kind === "feed") {
      const inc = parseIncoming(payload, info.format);
      if (!inc) return;
      const id = this.id(info.owner, info.key);
      if (!this.dedupe.accept(id, inc.value, info.format)) return;
      const at = Date.now();
      const p: LivePoint = { value: inc.value, at, lat: inc.lat, lon: inc.lon };
      this.latest.set(id, p);
      this.feedSubs.get(id)?.forEach((fn) => fn());
      this.pointFns.get(id)?.forEach((fn) => fn(p));
    } else if (info.kind === "errors" || info.kind === "throttle") {
      const n: Notice = { kind: info.kind, owner: info.owner, text: payload, at: Date.now() };
      notify(n);
      this.noticeFns.forEach((fn) => fn(n));
    } else if (info.kind === "class") {
      classMsg(info.path, payload);
    }
  }

  subscribeFeed(id: string, fn: () => void) {
    let s = this.feedSubs.get(id);
    if (!s) this.feedSubs.set(id, (s = new Set()));
    s.add(fn);
    return () => { s!.delete(fn); };
  }

  onPoint(id: string, fn: PointFn) {
    let s = this.pointFns.get(id);
    if (!s) this.pointFns.set(id, (s = new Set()));
    s.add(fn);
    return () => { s!.delete(fn); };
  }

  onNotice(fn: (n: Notice) => void) {
    this.noticeFns.add(fn);
    return () => { this.noticeFns.delete(fn); };
  }
}

interface LiveApi {
  status: LiveStatus;
  detail: string;
  hub: LiveHub;
  client: LiveClient;
  me: string;
  /** Publishes to a feed's topic over MQTT, or over REST when the live connection is down. */
  sendToFeed(owner: string, feed: Pick<Feed, "key" | "mqtt_topic">, value: string): Promise<void>;
}

const Ctx = createContext<LiveApi | null>(null);

export function LiveProvider({ username, children }: { username: string; children: ReactNode }) {
  const toasts = useToasts();
  const hub = useMemo(() => new LiveHub(), []);
  const client = useMemo(() => new LiveClient(() => api.liveToken()), []);
  const [status, setStatus] = useState<{ s: LiveStatus; d: string }>({ s: client.status, d: client.detail });
  const toastsRef = useRef(toasts);
  toastsRef.current = toasts;

  useEffect(() => {
    const offStatus = client.onStatus((s, d) => setStatus({ s, d: d ?? "" }));
    const offMsg = client.onMessage((topic, payload) =>
      hub.handle(
        topic,
        payload,
        (n) => {
          if (n.owner !== username) return;
          if (n.kind === "throttle") toastsRef.current.notify("warning", "Rate limit reached", n.text);
          else toastsRef.current.notify("error", "perch reported a problem", n.text);
        },
        (path, text) => toastsRef.current.notify("info", `Class${path ? ` (${path})` : ""}`, text),
      ),
    );
    client.addFilter(`${username}/#`);
    client.addFilter("class/#");
    client.start();
    return () => {
      offStatus();
      offMsg();
      client.stop();
    };
  }, [client, hub, username]);

  const sendToFeed = useCallback(async (owner: string, feed: Pick<Feed, "key" | "mqtt_topic">, value: string) => {
    if (client.connected) {
      await client.publish(feedTopic(owner, feed), value);
    } else {
      await api.addDatum(owner, feed.key, value);
    }
  }, [client]);

  const value = useMemo(
    () => ({ status: status.s, detail: status.d, hub, client, me: username, sendToFeed }),
    [status, hub, client, username, sendToFeed],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useLive(): LiveApi {
  const c = useContext(Ctx);
  if (!c) throw new Error("useLive outside LiveProvider");
  return c;
}

/** Subscribes to another user's namespace while mounted (instructors watching a student). */
export function useWatchOwner(owner: string) {
  const { client, me } = useLive();
  useEffect(() => {
    if (!owner || owner === me) return;
    const f = `${owner}/#`;
    client.addFilter(f);
    return () => client.removeFilter(f);
  }, [client, me, owner]);
}

/** The latest known value of a feed (live, or from REST), re-rendering on change. */
export function useFeedValue(owner: string, key: string | undefined): LivePoint | undefined {
  const { hub } = useLive();
  const id = key ? hub.id(owner, key) : "";
  const sub = useCallback((fn: () => void) => (id ? hub.subscribeFeed(id, fn) : () => {}), [hub, id]);
  return useSyncExternalStore(sub, () => (id ? hub.latest.get(id) : undefined));
}

/** Calls `fn` for each live value of a feed. */
export function useFeedPoints(owner: string, key: string | undefined, fn: (p: LivePoint) => void) {
  const { hub } = useLive();
  const ref = useRef(fn);
  ref.current = fn;
  useEffect(() => {
    if (!key) return;
    return hub.onPoint(hub.id(owner, key), (p) => ref.current(p));
  }, [hub, owner, key]);
}

/** Registers feeds (their free-form topics and last values) with the live hub. */
export function useRegisterFeeds(owner: string, feeds: Feed[] | null | undefined) {
  const { hub } = useLive();
  useEffect(() => {
    if (feeds) hub.registerFeeds(owner, feeds);
  }, [hub, owner, feeds]);
}
