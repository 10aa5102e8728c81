import { describe, expect, it } from "vitest";
import { classifyTopic, FanoutDeduper, feedTopic, freeformKey } from "./topics";

describe("freeformKey", () => {
  it("joins the path with '-' and lower-cases it", () => {
    expect(freeformKey("photon2/temperature")).toBe("photon2-temperature");
    expect(freeformKey("Lab Bench//Temp_C")).toBe("lab-bench-temp-c");
    expect(freeformKey("///")).toBe("");
  });
});

describe("feedTopic", () => {
  it("uses the Adafruit IO form by default", () => {
    expect(feedTopic("alice", { key: "led" })).toBe("alice/feeds/led");
  });
  it("uses the feed's own topic when it is a free-form one in the user's namespace", () => {
    expect(feedTopic("alice", { key: "photon2-led", mqtt_topic: "alice/photon2/led" })).toBe("alice/photon2/led");
  });
  it("never publishes outside the namespace or to a wildcard", () => {
    expect(feedTopic("alice", { key: "x", mqtt_topic: "bob/feeds/x" })).toBe("alice/feeds/x");
    expect(feedTopic("alice", { key: "x", mqtt_topic: "alice/#" })).toBe("alice/feeds/x");
  });
});

describe("classifyTopic", () => {
  it("reads feed topics in every form", () => {
    expect(classifyTopic("alice/feeds/temp")).toEqual({ kind: "feed", owner: "alice", key: "temp", format: "raw" });
    expect(classifyTopic("alice/f/temp")).toEqual({ kind: "feed", owner: "alice", key: "temp", format: "raw" });
    expect(classifyTopic("alice/feeds/temp/json")).toEqual({ kind: "feed", owner: "alice", key: "temp", format: "json" });
    expect(classifyTopic("alice/f/grp.temp/csv")).toEqual({ kind: "feed", owner: "alice", key: "grp.temp", format: "csv" });
  });
  it("ignores get requests and groups", () => {
    expect(classifyTopic("alice/feeds/temp/get").kind).toBe("ignore");
    expect(classifyTopic("alice/f/temp/csv/get").kind).toBe("ignore");
    expect(classifyTopic("alice/groups/home").kind).toBe("ignore");
    expect(classifyTopic("alice/photon2/temp/get").kind).toBe("ignore");
  });
  it("reads notices, class and time topics", () => {
    expect(classifyTopic("alice/errors")).toEqual({ kind: "errors", owner: "alice" });
    expect(classifyTopic("alice/throttle")).toEqual({ kind: "throttle", owner: "alice" });
    expect(classifyTopic("class/announce")).toEqual({ kind: "class", path: "announce" });
    expect(classifyTopic("time/seconds")).toEqual({ kind: "time", path: "seconds" });
  });
  it("maps free-form topics to feed keys", () => {
    expect(classifyTopic("alice/photon2/temperature")).toEqual({ kind: "feed", owner: "alice", key: "photon2-temperature", format: "raw" });
    const known = new Map([["alice/Lab/T", "lab-t-special"]]);
    expect(classifyTopic("alice/Lab/T", known)).toEqual({ kind: "feed", owner: "alice", key: "lab-t-special", format: "raw" });
  });
  it("ignores malformed topics", () => {
    expect(classifyTopic("alice").kind).toBe("ignore");
    expect(classifyTopic("alice//x").kind).toBe("ignore");
    expect(classifyTopic("$SYS/broker/uptime").kind).toBe("ignore");
    expect(classifyTopic("alice/feeds").kind).toBe("ignore");
  });
});

describe("FanoutDeduper", () => {
  it("drops the same value arriving on another topic form", () => {
    const d = new FanoutDeduper(500);
    expect(d.accept("alice/t", "21", "raw", 1000)).toBe(true);
    expect(d.accept("alice/t", "21", "json", 1100)).toBe(false);
    expect(d.accept("alice/t", "21", "csv", 1200)).toBe(false);
  });
  it("keeps repeats on the same form and late or different values", () => {
    const d = new FanoutDeduper(500);
    expect(d.accept("alice/t", "21", "raw", 1000)).toBe(true);
    expect(d.accept("alice/t", "21", "raw", 1001)).toBe(true);
    expect(d.accept("alice/t", "22", "json", 1002)).toBe(true);
    expect(d.accept("alice/t", "22", "raw", 2000)).toBe(true);
    expect(d.accept("alice/u", "22", "json", 2001)).toBe(true);
  });
});
