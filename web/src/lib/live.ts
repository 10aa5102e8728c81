// The live connection: MQTT over WebSocket straight to the broker, as the signed-in
// user with a short-lived token from the daemon. Renews the token before it
// expires (make-before-break: the new connection is up before the old one ends)
// and reconnects by itself with backoff.
import type { MqttClient } from "mqtt";
import type { LiveToken } from "./types";
import { backoffMs, liveUrl, randomClientId, renewDelayMs } from "./liveutil";
import { ApiError } from "./api";

export type LiveStatus = "off" | "connecting" | "connected" | "reconnecting" | "unavailable";

type MessageFn = (topic: string, payload: string) => void;
type StatusFn = (s: LiveStatus, detail?: string) => void;

const decoder = new TextDecoder();

export class LiveClient {
  status: LiveStatus = "off";
  detail = "";
  private active: MqttClient | null = null;
  private pending: MqttClient | null = null;
  private filters = new Map<string, number>();
  private messageFns = new Set<MessageFn>();
  private statusFns = new Set<StatusFn>();
  private renewTimer: ReturnType<typeof setTimeout> | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private attempt = 0;
  private stopped = true;
  /** Bumped by stop(): an open() still in flight from before then gives up. */
  private gen = 0;
  private onlineHandler = () => this.retryNow();

  constructor(private getToken: () => Promise<LiveToken>) {}

  start() {
    if (!this.stopped) return;
    this.stopped = false;
    window.addEventListener("online", this.onlineHandler);
    void this.open();
  }

  stop() {
    this.stopped = true;
    this.gen++;
    window.removeEventListener("online", this.onlineHandler);
    this.clearTimers();
    this.pending?.end(true);
    this.active?.end(true);
    this.pending = this.active = null;
    this.setStatus("off");
  }

  onMessage(fn: MessageFn): () => void {
    this.messageFns.add(fn);
    return () => this.messageFns.delete(fn);
  }

  onStatus(fn: StatusFn): () => void {
    this.statusFns.add(fn);
    return () => this.statusFns.delete(fn);
  }

  /** Adds a subscription (reference counted); kept across reconnects. */
  addFilter(filter: string) {
    const n = this.filters.get(filter) ?? 0;
    this.filters.set(filter, n + 1);
    if (n === 0 && this.active?.connected) this.subscribe(this.active, [filter]);
  }

  removeFilter(filter: string) {
    const n = this.filters.get(filter) ?? 0;
    if (n <= 1) {
      this.filters.delete(filter);
      if (n === 1 && this.active?.connected) this.active.unsubscribe(filter);
    } else this.filters.set(filter, n - 1);
  }

  get connected(): boolean {
    return !!this.active?.connected;
  }

  /** Publishes one value (QoS 1, not retained); rejects when not connected. */
  publish(topic: string, payload: string): Promise<void> {
    const c = this.active;
    if (!c?.connected) return Promise.reject(new Error("Not connected to the live server."));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("The broker did not confirm in time.")), 8000);
      c.publish(topic, payload, { qos: 1, retain: false }, (err) => {
        clearTimeout(timer);
        if (err) reject(err);
        else resolve();
      });
    });
  }

  /** Reconnects at once (after the browser comes back online, or a manual click). */
  retryNow() {
    if (this.stopped || this.active?.connected || this.pending) return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.attempt = 0;
    void this.open();
  }

  private setStatus(s: LiveStatus, detail = "") {
    if (s === this.status && detail === this.detail) return;
    this.status = s;
    this.detail = detail;
    for (const fn of this.statusFns) fn(s, detail);
  }

  private clearTimers() {
    if (this.renewTimer) clearTimeout(this.renewTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.renewTimer = this.retryTimer = null;
  }

  /** Subscribes; done runs once the broker has answered (SUBACK), so nothing published after it is missed. */
  private subscribe(c: MqttClient, filters: string[], done?: () => void) {
    if (!filters.length) {
      done?.();
      return;
    }
    c.subscribe(filters, { qos: 0 }, (err, granted) => {
      if (err) console.warn("live: subscribe failed", err.message);
      for (const g of granted ?? []) if (g.qos === 128) console.warn("live: subscription refused", g.topic);
      done?.();
    });
  }

  private scheduleRetry(ms?: number) {
    if (this.stopped || this.retryTimer) return;
    const delay = ms ?? backoffMs(this.attempt++);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.open();
    }, delay);
  }

  private async open() {
    if (this.stopped || this.pending) return;
    const gen = this.gen;
    const gone = () => this.stopped || gen !== this.gen;
    const renewing = !!this.active?.connected;
    if (!renewing) this.setStatus(this.status === "off" ? "connecting" : "reconnecting", this.detail);
    let token: LiveToken;
    try {
      token = await this.getToken();
    } catch (e) {
      if (gone()) return;
      const status = e instanceof ApiError ? e.status : 0;
      if (status === 404 || status === 501) {
        this.setStatus("unavailable", "This server does not offer live updates yet.");
        this.scheduleRetry(60_000);
      } else if (status === 401) {
        this.setStatus("unavailable", "Signed out.");
      } else {
        if (!renewing) this.setStatus("reconnecting", (e as Error).message);
        this.scheduleRetry();
      }
      return;
    }
    if (gone()) return;
    const { default: mqtt } = await import("mqtt");
    if (gone() || this.pending) return;
    let url: string;
    try {
      url = liveUrl(token, window.location);
    } catch {
      this.setStatus("unavailable", "Bad live server address.");
      return;
    }
    const c = mqtt.connect(url, {
      username: token.username,
      password: token.token,
      clientId: randomClientId(),
      clean: true,
      protocolVersion: 4,
      keepalive: 30,
      connectTimeout: 10_000,
      reconnectPeriod: 0, // reconnect ourselves, with a fresh token
      resubscribe: false,
      // Native timers: the default Web Worker timers need blob: workers, which the CSP forbids.
      timerVariant: "native",
    });
    this.pending = c;
    let everConnected = false;
    c.on("connect", () => {
      everConnected = true;
      if (gone()) { c.end(true); return; }
      if (this.retryTimer) { clearTimeout(this.retryTimer); this.retryTimer = null; }
      // The new connection takes over (and the page says "Live") only once its subscriptions
      // are in place: until then the old one, if any, keeps delivering.
      this.subscribe(c, [...this.filters.keys()], () => {
        if (gone()) { c.end(true); return; }
        const old = this.active;
        this.active = c;
        this.pending = null;
        this.attempt = 0;
        this.setStatus("connected");
        if (old && old !== c) old.end(true);
        if (this.renewTimer) clearTimeout(this.renewTimer);
        this.renewTimer = setTimeout(() => {
          this.renewTimer = null;
          void this.open();
        }, renewDelayMs(token.expires_at));
      });
    });
    c.on("message", (topic, payload) => {
      if (c !== this.active) return;
      const text = decoder.decode(payload);
      for (const fn of this.messageFns) {
        try {
          fn(topic, text);
        } catch (err) {
          console.error("live: message handler failed", err);
        }
      }
    });
    c.on("error", (err) => {
      const code = (err as { code?: number }).code;
      if (code === 4 || code === 5) this.detail = "The live server refused the token.";
    });
    c.on("close", () => {
      c.removeAllListeners("message");
      if (this.pending === c) {
        // A (re)connection attempt failed.
        this.pending = null;
        c.end(true);
        if (this.stopped) return;
        if (this.active?.connected) {
          // Renewal failed while the old connection still works: try again soon.
          this.scheduleRetry(backoffMs(this.attempt++));
        } else {
          this.setStatus("reconnecting", this.detail || "Cannot reach the live server.");
          this.scheduleRetry();
        }
      } else if (this.active === c) {
        this.active = null;
        c.end(true);
        if (this.stopped) return;
        this.setStatus("reconnecting", everConnected ? "Connection lost." : this.detail);
        this.scheduleRetry();
      }
    });
  }
}
