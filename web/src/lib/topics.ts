// MQTT topic rules as the perch daemon uses them (docs/decisions.md): Adafruit IO
// feed topics, notices, and free-form topics recorded as feeds.
import type { Feed } from "./types";

export type TopicFormat = "raw" | "json" | "csv";

export type TopicInfo =
  | { kind: "feed"; owner: string; key: string; format: TopicFormat }
  | { kind: "errors" | "throttle"; owner: string }
  | { kind: "class"; path: string }
  | { kind: "time"; path: string }
  | { kind: "ignore" };

/**
 * The feed key perch records a free-form topic under: the path after the user
 * name, lower-cased, every run of characters that are not letters or digits
 * turned into one '-'. `photon2/temperature` -> `photon2-temperature`.
 */
export function freeformKey(path: string): string {
  return path
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean)
    .join("-");
}

/** The topic a board listens on for this feed (where a dashboard publishes). */
export function feedTopic(owner: string, feed: Pick<Feed, "key" | "mqtt_topic">): string {
  const t = feed.mqtt_topic;
  if (t && t.startsWith(`${owner}/`) && !/[#+]/.test(t)) return t;
  return `${owner}/feeds/${feed.key}`;
}

/**
 * Classifies an incoming topic. `known` maps exact free-form topics to feed keys
 * (from the feeds' `mqtt_topic`), used before the generic free-form rule.
 */
export function classifyTopic(topic: string, known?: ReadonlyMap<string, string>): TopicInfo {
  const parts = topic.split("/");
  if (parts.length < 2 || parts.some((p) => p === "")) return { kind: "ignore" };
  const [owner, second] = parts;
  if (owner === "time") return { kind: "time", path: parts.slice(1).join("/") };
  if (owner === "class") return { kind: "class", path: parts.slice(1).join("/") };
  if (owner.startsWith("$")) return { kind: "ignore" };
  if (parts.length === 2 && (second === "errors" || second === "throttle")) return { kind: second, owner };
  if (second === "feeds" || second === "f") {
    if (parts.length < 3) return { kind: "ignore" };
    const key = parts[2];
    const rest = parts.slice(3);
    if (rest.length === 0) return { kind: "feed", owner, key, format: "raw" };
    if (rest.length === 1 && (rest[0] === "json" || rest[0] === "csv")) {
      return { kind: "feed", owner, key, format: rest[0] };
    }
    return { kind: "ignore" }; // /get, /csv/get and anything else
  }
  if (second === "groups" || second === "g" || second === "errors" || second === "throttle") return { kind: "ignore" };
  if (parts[parts.length - 1] === "get") return { kind: "ignore" };
  const exact = known?.get(topic);
  if (exact) return { kind: "feed", owner, key: exact, format: "raw" };
  const key = freeformKey(parts.slice(1).join("/"));
  return key ? { kind: "feed", owner, key, format: "raw" } : { kind: "ignore" };
}

/**
 * Drops the copies of one value that perch may fan out to a feed's other topic
 * forms (raw, /json, /csv): a message for the same feed and value from a
 * *different* form within `windowMs` is a duplicate. Repeats on the same form are kept.
 */
export class FanoutDeduper {
  private last = new Map<string, { value: string; format: TopicFormat; t: number }>();
  constructor(private windowMs = 500) {}

  accept(feedId: string, value: string, format: TopicFormat, now = Date.now()): boolean {
    const prev = this.last.get(feedId);
    if (prev && prev.value === value && prev.format !== format && now - prev.t <= this.windowMs) {
      return false;
    }
    this.last.set(feedId, { value, format, t: now });
    return true;
  }
}
