import { describe, expect, it } from "vitest";
import { backoffMs, liveUrl, randomClientId, renewDelayMs } from "./liveutil";

describe("liveUrl", () => {
  it("uses the page host with ws on http and wss on https", () => {
    expect(liveUrl({ ws_port: 9001, ws_path: "/mqtt" }, { protocol: "http:", hostname: "perch.lan" })).toBe("ws://perch.lan:9001/mqtt");
    expect(liveUrl({ ws_port: 443, ws_path: "/mqtt" }, { protocol: "https:", hostname: "perch.example" })).toBe("wss://perch.example:443/mqtt");
  });
  it("defaults the port and path, and brackets IPv6 hosts", () => {
    expect(liveUrl({}, { protocol: "http:", hostname: "::1" })).toBe("ws://[::1]:9001/mqtt");
    expect(liveUrl({ ws_path: "mqtt" }, { protocol: "http:", hostname: "h" })).toBe("ws://h:9001/mqtt");
  });
  it("uses ws_url verbatim when given", () => {
    expect(liveUrl({ ws_url: "wss://broker.example/ws", ws_port: 9001 }, { protocol: "http:", hostname: "h" })).toBe("wss://broker.example/ws");
  });
});

describe("renewDelayMs", () => {
  const now = Date.parse("2025-01-01T00:00:00Z");
  it("renews at 80 % of the token's life, or a minute before expiry if that is earlier", () => {
    expect(renewDelayMs("2025-01-01T01:00:00Z", now)).toBe(48 * 60_000);
    expect(renewDelayMs("2025-01-01T00:04:00Z", now)).toBe(180_000); // min(192 s, 180 s)
  });
  it("renews very short tokens after 5 s", () => {
    expect(renewDelayMs("2025-01-01T00:01:00Z", now)).toBe(5_000); // max(5 s, min(48 s, 0 s))
  });
  it("never goes below 5 s, even for expired or bad dates", () => {
    expect(renewDelayMs("2024-12-31T00:00:00Z", now)).toBe(5_000);
    expect(renewDelayMs("garbage", now)).toBe(300_000);
  });
});

describe("backoff and ids", () => {
  it("doubles up to 30 s with jitter", () => {
    expect(backoffMs(0, 0.5)).toBe(1000);
    expect(backoffMs(3, 0.5)).toBe(8000);
    expect(backoffMs(20, 0.5)).toBe(30000);
    expect(backoffMs(0, 0)).toBe(800);
    expect(backoffMs(0, 1)).toBe(1200);
  });
  it("makes random client ids", () => {
    const a = randomClientId();
    expect(a).toMatch(/^perch-web-[0-9a-f]{16}$/);
    expect(randomClientId()).not.toBe(a);
  });
});
