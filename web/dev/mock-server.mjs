#!/usr/bin/env node
// DEVELOPMENT TOOL ONLY — not used by the build or the tests.
// A tiny in-memory stand-in for the perch daemon's HTTP API, so the web app can
// be developed and looked at before the real endpoints exist. It serves web/dist
// (with the daemon's Content-Security-Policy) and the API on one port, and, when
// a broker is reachable at MQTT_URL, simulates a board: it publishes readings
// and obeys demo/feeds/led by reporting demo/feeds/led-state.
//
//   node dev/mock-server.mjs            (see dev/run-dev.sh to start with Mosquitto)
//   PORT=18810 MQTT_URL=mqtt://127.0.0.1:18811 WS_PORT=18812 LIVE_TTL_S=900
//
// Accounts: demo / demo (student), teacher / teacher (instructor).
import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import crypto from "node:crypto";
import { fileURLToPath } from "node:url";

const PORT = Number(process.env.PORT ?? 18810);
const MQTT_URL = process.env.MQTT_URL ?? "mqtt://127.0.0.1:18811";
const WS_PORT = Number(process.env.WS_PORT ?? 18812);
const LIVE_TTL_S = Number(process.env.LIVE_TTL_S ?? 900);
const DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../dist");
const CSP = "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self' 'unsafe-inline'";

const users = {
  demo: { id: 1, username: "demo", role: "student", email: "demo@school.example", password: "demo" },
  teacher: { id: 2, username: "teacher", role: "instructor", email: "teacher@school.example", password: "teacher" },
};
const sessions = new Map(); // token -> { user, csrf }
const store = {}; // username -> { feeds: Map<key, feed>, data: Map<key, datum[] (oldest first)>, dashboards: Map, keys: [] }
let nextId = 1000;
const now = () => new Date().toISOString();

function ns(u) {
  if (!store[u]) store[u] = { feeds: new Map(), data: new Map(), dashboards: new Map(), keys: [] };
  return store[u];
}
function slug(s) {
  return String(s).toLowerCase().split(/[^a-z0-9.]+/).filter(Boolean).join("-") || `feed-${nextId++}`;
}
function makeFeed(u, name, extra = {}) {
  const key = extra.key ?? slug(name);
  const f = {
    id: nextId++, key, name, description: null, unit_type: null, unit_symbol: null, last_value: null,
    created_at: now(), updated_at: now(), retention_days: 30, mqtt_topic: `${u}/feeds/${key}`, username: u, ...extra,
  };
  ns(u).feeds.set(key, f);
  ns(u).data.set(key, []);
  return f;
}
function addDatum(u, key, value, at = new Date()) {
  const s = ns(u);
  if (!s.feeds.has(key)) makeFeed(u, key, { key });
  const d = { id: String(nextId++), value: String(value), created_at: at.toISOString(), lat: null, lon: null, ele: null, feed_key: key };
  const arr = s.data.get(key);
  arr.push(d);
  if (arr.length > 200_000) arr.splice(0, arr.length - 200_000);
  const f = s.feeds.get(key);
  f.last_value = d.value;
  f.updated_at = d.created_at;
  return d;
}

// --- demo data: 30 days of one value a minute for three sensors, plus the LED feeds ---
function seed() {
  const u = "demo";
  makeFeed(u, "Temperature", { key: "temperature", unit_type: "temperature", unit_symbol: "°C", description: "BME280 on the lab bench Photon2" });
  makeFeed(u, "Humidity", { key: "humidity", unit_symbol: "%" });
  makeFeed(u, "Light", { key: "light", unit_symbol: "lx" });
  makeFeed(u, "LED", { key: "led", description: "Command feed the board obeys" });
  makeFeed(u, "LED state", { key: "led-state" });
  makeFeed(u, "photon2/button", { key: "photon2-button", mqtt_topic: "demo/photon2/button" });
  makeFeed(u, "<b>not bold</b> & friends", { key: "escaping-test", description: "<script>alert(1)</script> is shown as text" });
  const t0 = Date.now() - 30 * 86400_000;
  for (let t = t0, i = 0; t < Date.now(); t += 60_000, i++) {
    const day = Math.sin((t / 86400_000) * 2 * Math.PI);
    addDatum(u, "temperature", (21 + 3 * day + Math.sin(i / 7) * 0.4).toFixed(2), new Date(t));
    addDatum(u, "humidity", (45 - 8 * day + Math.cos(i / 11)).toFixed(1), new Date(t));
    if (i % 5 === 0) addDatum(u, "light", Math.max(0, Math.round(400 * day + 50 * Math.random())), new Date(t));
  }
  addDatum(u, "led", "OFF");
  addDatum(u, "led-state", "OFF");
  addDatum(u, "photon2-button", "0");
  addDatum(u, "escaping-test", "<img src=x onerror=alert(1)>");
  const blocks = [
    { id: "1", name: "Temperature & humidity", visual_type: "line_chart", properties: { historyHours: "24" }, block_feeds: [{ feed: { key: "temperature", name: "Temperature" } }, { feed: { key: "humidity", name: "Humidity" } }], size_x: 8, size_y: 6, column: 0, row: 0 },
    { id: "2", name: "Temperature", visual_type: "gauge", properties: { minValue: "10", maxValue: "35", bands: "10:blue, 18:green, 26:amber, 30:red", decimalPlaces: "1" }, block_feeds: [{ feed: { key: "temperature", name: "Temperature" } }], size_x: 4, size_y: 6, column: 8, row: 0 },
    { id: "3", name: "LED", visual_type: "toggle_button", properties: { onValue: "ON", offValue: "OFF", onText: "ON", offText: "OFF", stateFeed: "led-state" }, block_feeds: [{ feed: { key: "led", name: "LED" } }], size_x: 3, size_y: 4, column: 0, row: 6 },
    { id: "4", name: "Light", visual_type: "text", properties: { fontSize: "48" }, block_feeds: [{ feed: { key: "light", name: "Light" } }], size_x: 3, size_y: 4, column: 3, row: 6 },
    { id: "5", name: "Humid?", visual_type: "indicator", properties: { conditions: "> 50 blue; > 40 green", offColor: "gray" }, block_feeds: [{ feed: { key: "humidity", name: "Humidity" } }], size_x: 2, size_y: 4, column: 6, row: 6 },
    { id: "6", name: "Stream", visual_type: "stream", properties: { count: "20", showName: "yes" }, block_feeds: [{ feed: { key: "temperature", name: "Temperature" } }, { feed: { key: "light", name: "Light" } }], size_x: 4, size_y: 8, column: 8, row: 6 },
    { id: "7", name: "Brightness", visual_type: "slider", properties: { min: "0", max: "255", step: "5" }, block_feeds: [{ feed: { key: "led", name: "LED" } }], size_x: 4, size_y: 4, column: 0, row: 10 },
    { id: "8", name: "Beep", visual_type: "momentary_button", properties: { text: "BEEP", value: "1", release: "0" }, block_feeds: [{ feed: { key: "photon2-button", name: "photon2/button" } }], size_x: 2, size_y: 4, column: 4, row: 10 },
    { id: "9", name: "Colour", visual_type: "color_picker", properties: {}, block_feeds: [{ feed: { key: "led", name: "LED" } }], size_x: 2, size_y: 4, column: 6, row: 10 },
  ];
  ns(u).dashboards.set("lab-bench", { id: 1, key: "lab-bench", name: "Lab bench", description: "The Photon2 on bench 3", blocks, layouts: null, created_at: now(), updated_at: now() });
  ns(u).dashboards.set("greenhouse", { id: 2, key: "greenhouse", name: "Greenhouse", description: "", blocks: [], layouts: null, created_at: now(), updated_at: now() });
  ns(u).keys.push({ id: 1, label: "lab bench Photon2", shown: "perch_Xy7Q", created_at: new Date(Date.now() - 5 * 86400_000).toISOString(), last_used_at: new Date(Date.now() - 120_000).toISOString(), revoked_at: null });
  ns(u).keys.push({ id: 2, label: "old ESP32", shown: "perch_a91B", created_at: new Date(Date.now() - 20 * 86400_000).toISOString(), last_used_at: null, revoked_at: new Date(Date.now() - 86400_000).toISOString() });
}
seed();

// --- HTTP helpers ---
function send(res, status, body, headers = {}) {
  const data = body === undefined ? "" : JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json", "Cache-Control": "no-store", "Content-Security-Policy": CSP, ...headers });
  res.end(data);
}
const err = (res, status, msg) => send(res, status, { error: msg });
async function readBody(req) {
  let s = "";
  for await (const c of req) { s += c; if (s.length > 1e6) break; }
  if (!s) return {};
  try { return JSON.parse(s); } catch { return null; }
}
function cookies(req) {
  const out = {};
  for (const p of (req.headers.cookie ?? "").split(";")) {
    const [k, ...v] = p.trim().split("=");
    if (k) out[k] = decodeURIComponent(v.join("="));
  }
  return out;
}
function sessionOf(req) {
  return sessions.get(cookies(req).perch_session ?? "") ?? null;
}

function serveStatic(req, res, pathname) {
  let file = path.join(DIST, path.normalize(pathname).replace(/^(\.\.[/\\])+/, ""));
  if (!file.startsWith(DIST) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) file = path.join(DIST, "index.html");
  if (!fs.existsSync(file)) { res.writeHead(404); res.end("build web/dist first (npm run build)"); return; }
  const ext = path.extname(file);
  const types = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png", ".json": "application/json" };
  res.writeHead(200, {
    "Content-Type": types[ext] ?? "application/octet-stream",
    "Cache-Control": file.includes(`${path.sep}assets${path.sep}`) ? "public, max-age=31536000, immutable" : "no-cache",
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
  });
  fs.createReadStream(file).pipe(res);
}

function dataPage(res, u, key, q, fullPath) {
  const arr = ns(u).data.get(key) ?? [];
  const start = q.get("start_time") ? Date.parse(q.get("start_time")) : -Infinity;
  const end = q.get("end_time") ? Date.parse(q.get("end_time")) : Infinity;
  const limit = Math.min(1000, Math.max(1, Number(q.get("limit") ?? 1000)));
  let before = q.get("before") ? Number(Buffer.from(q.get("before"), "base64").toString()) : Infinity;
  const inRange = arr.filter((d) => { const t = Date.parse(d.created_at); return t >= start && t <= end; });
  const newestFirst = inRange.slice().reverse();
  let from = 0;
  if (before !== Infinity) from = newestFirst.findIndex((d) => Number(d.id) < before);
  if (from < 0) from = newestFirst.length;
  const page = newestFirst.slice(from, from + limit);
  const headers = { "X-Pagination-Total": String(inRange.length), "X-Pagination-Limit": String(limit), "X-Pagination-Count": String(page.length) };
  if (from + limit < newestFirst.length && page.length) {
    const nq = new URLSearchParams(q);
    nq.set("before", Buffer.from(String(page[page.length - 1].id)).toString("base64"));
    headers.Link = `<${fullPath}?${nq}>; rel="next"`;
  } else headers.Link = `<${fullPath}?${q}>; rel="self"`;
  send(res, 200, page, headers);
}

function chart(res, u, key, q) {
  const arr = ns(u).data.get(key) ?? [];
  const end = q.get("end_time") ? Date.parse(q.get("end_time")) : Date.now();
  const start = q.get("start_time") ? Date.parse(q.get("start_time")) : end - Number(q.get("hours") ?? 24) * 3600_000;
  const resMs = Math.max(1, Number(q.get("resolution") ?? 1)) * 60_000;
  const buckets = new Map();
  for (const d of arr) {
    const t = Date.parse(d.created_at);
    if (t < start || t > end) continue;
    const v = Number(d.value);
    if (!Number.isFinite(v)) continue;
    const b = Math.floor(t / resMs) * resMs;
    const x = buckets.get(b) ?? { sum: 0, min: Infinity, max: -Infinity, n: 0 };
    x.sum += v; x.min = Math.min(x.min, v); x.max = Math.max(x.max, v); x.n++;
    buckets.set(b, x);
  }
  const data = [...buckets.entries()].sort((a, b) => a[0] - b[0]).map(([b, x]) => [new Date(b).toISOString(), x.sum / x.n, x.min, x.max, x.n]);
  send(res, 200, { feed: { key }, parameters: { start_time: new Date(start).toISOString(), end_time: new Date(end).toISOString(), resolution: resMs / 60_000 }, columns: ["date", "avg", "min", "max", "count"], data });
}

let mqttClient = null;
function publishLive(u, key, value) {
  const f = ns(u).feeds.get(key);
  mqttClient?.publish(f?.mqtt_topic ?? `${u}/feeds/${key}`, String(value));
}

async function api(req, res, url) {
  const p = url.pathname;
  const m = req.method;
  const q = url.searchParams;
  await new Promise((r) => setTimeout(r, 40)); // a little latency, like a real server

  if (p === "/api/session") {
    if (m === "POST") {
      const b = await readBody(req);
      const name = String(b?.username ?? "").toLowerCase();
      const user = Object.values(users).find((x) => x.username === name || x.email === name);
      if (!user || user.password !== b?.password) return err(res, 401, "Wrong user name or password.");
      const token = crypto.randomBytes(24).toString("base64url");
      const s = { user, csrf: crypto.randomBytes(16).toString("hex") };
      sessions.set(token, s);
      const { password: _pw, ...pub } = user;
      return send(res, 200, { user: pub, csrf_token: s.csrf }, { "Set-Cookie": `perch_session=${token}; HttpOnly; SameSite=Lax; Path=/` });
    }
    const s = sessionOf(req);
    if (m === "DELETE") {
      if (s && req.headers["x-csrf-token"] !== s.csrf) return err(res, 403, "Missing or wrong CSRF token.");
      sessions.delete(cookies(req).perch_session);
      return send(res, 200, { ok: true }, { "Set-Cookie": "perch_session=; Max-Age=0; Path=/" });
    }
    if (!s) return err(res, 401, "Not signed in.");
    const { password: _pw, ...pub } = s.user;
    return send(res, 200, { user: pub, csrf_token: s.csrf });
  }

  const s = sessionOf(req);
  if (!s) return err(res, 401, "Not signed in.");
  if (m !== "GET" && req.headers["x-csrf-token"] !== s.csrf) return err(res, 403, "Missing or wrong CSRF token.");
  const me = s.user.username;

  if (p === "/api/live-token" && m === "POST") {
    return send(res, 200, { username: me, token: `live1.${crypto.randomBytes(12).toString("hex")}`, expires_at: new Date(Date.now() + LIVE_TTL_S * 1000).toISOString(), ws_port: WS_PORT, ws_path: "/mqtt" });
  }
  if (p === "/api/server") return send(res, 200, { mqtt_host: url.hostname === "127.0.0.1" ? "perch.local" : url.hostname, mqtt_port: 1883, ws_port: WS_PORT, http_url: `http://${req.headers.host}` });
  if (p === "/api/keys") {
    if (m === "GET") return send(res, 200, ns(me).keys);
    if (m === "POST") {
      const b = await readBody(req);
      if (!b?.label) return err(res, 400, "A key needs a label.");
      const key = `perch_${crypto.randomBytes(24).toString("base64url").slice(0, 32)}`;
      const k = { id: nextId++, label: String(b.label).slice(0, 100), shown: key.slice(0, 10), created_at: now(), last_used_at: null, revoked_at: null };
      ns(me).keys.push(k);
      return send(res, 201, { ...k, key });
    }
  }
  let mm = /^\/api\/keys\/([^/]+)$/.exec(p);
  if (mm && m === "DELETE") {
    const k = ns(me).keys.find((x) => String(x.id) === mm[1]);
    if (!k) return err(res, 404, "No such key.");
    k.revoked_at = now();
    return send(res, 200, k);
  }
  if (p === "/api/v2/user") {
    const { password: _pw, ...pub } = s.user;
    return send(res, 200, pub);
  }

  mm = /^\/api\/v2\/([^/]+)\/(.*)$/.exec(p);
  if (!mm) return err(res, 404, "Not found.");
  const owner = decodeURIComponent(mm[1]);
  const rest = mm[2].split("/").map(decodeURIComponent);
  const readOnly = owner !== me;
  if (readOnly && s.user.role !== "instructor") return err(res, 403, "Not your data.");
  if (readOnly && m !== "GET") return err(res, 403, "Read-only.");
  const st = ns(owner);

  if (rest[0] === "feeds") {
    if (rest.length === 1) {
      if (m === "GET") return send(res, 200, [...st.feeds.values()]);
      if (m === "POST") {
        const b = await readBody(req);
        const f = b?.feed ?? b;
        if (!f?.name) return err(res, 400, "A feed needs a name.");
        if (st.feeds.has(slug(f.name))) return err(res, 422, "A feed with this name exists.");
        return send(res, 201, makeFeed(owner, String(f.name), { description: f.description ?? null }));
      }
    }
    const f = st.feeds.get(rest[1]);
    if (!f) return err(res, 404, "No such feed.");
    if (rest.length === 2) {
      if (m === "GET") return send(res, 200, f);
      if (m === "PUT" || m === "PATCH") {
        const b = await readBody(req);
        const x = b?.feed ?? b ?? {};
        for (const k of ["name", "description", "unit_type", "unit_symbol", "retention_days"]) if (k in x) f[k] = x[k];
        f.updated_at = now();
        return send(res, 200, f);
      }
      if (m === "DELETE") { st.feeds.delete(f.key); st.data.delete(f.key); return send(res, 200, "OK"); }
    }
    if (rest[2] === "data") {
      if (rest.length === 3 && m === "GET") return dataPage(res, owner, f.key, q, p);
      if (rest.length === 3 && m === "POST") {
        const b = await readBody(req);
        if (b?.value === undefined || b.value === null || String(b.value) === "") return err(res, 400, "A value is required.");
        const d = addDatum(owner, f.key, b.value);
        publishLive(owner, f.key, d.value);
        return send(res, 200, d);
      }
      if (rest[3] === "last") { const a = st.data.get(f.key); return send(res, 200, a[a.length - 1] ?? null); }
      if (rest[3] === "chart") return chart(res, owner, f.key, q);
    }
  }

  if (rest[0] === "dashboards") {
    if (rest.length === 1) {
      if (m === "GET") return send(res, 200, [...st.dashboards.values()].map(({ layouts: _l, ...d }) => d));
      if (m === "POST") {
        const b = await readBody(req);
        const d = b?.dashboard ?? b;
        if (!d?.name) return err(res, 400, "A dashboard needs a name.");
        let key = slug(d.name);
        while (st.dashboards.has(key)) key += "-1";
        const x = { id: nextId++, key, name: String(d.name), description: d.description ?? "", blocks: [], layouts: null, created_at: now(), updated_at: now() };
        st.dashboards.set(key, x);
        return send(res, 201, x);
      }
    }
    const d = st.dashboards.get(rest[1]);
    if (!d) return err(res, 404, "No such dashboard.");
    if (rest.length === 2) {
      if (m === "GET") return send(res, 200, d);
      if (m === "PUT" || m === "PATCH") {
        const b = await readBody(req);
        const x = b?.dashboard ?? b ?? {};
        if (x.name) d.name = String(x.name);
        if ("description" in x) d.description = x.description;
        d.updated_at = now();
        return send(res, 200, d);
      }
      if (m === "DELETE") { st.dashboards.delete(d.key); return send(res, 200, "OK"); }
    }
    if (rest[2] === "update_layouts" && m === "POST") {
      const b = await readBody(req);
      if (!b?.layouts || typeof b.layouts !== "object") return err(res, 400, "layouts missing");
      d.layouts = b.layouts;
      d.updated_at = now();
      return send(res, 200, d);
    }
    if (rest[2] === "blocks") {
      const toBlock = (x, id) => ({
        id: String(id), name: x.name ?? "", visual_type: x.visual_type, properties: x.properties ?? {},
        block_feeds: (x.block_feeds ?? []).map((bf) => { const k = String(bf.feed_id ?? bf.feed?.key); const ff = st.feeds.get(k); return { feed: { key: k, name: ff?.name ?? k } }; }),
        size_x: Number(x.size_x ?? 4), size_y: Number(x.size_y ?? 4), column: Number(x.column ?? 0), row: Number(x.row ?? 0),
      });
      if (rest.length === 3) {
        if (m === "GET") return send(res, 200, d.blocks);
        if (m === "POST") {
          const b = await readBody(req);
          const x = b?.block ?? b;
          if (!x?.visual_type) return err(res, 400, "visual_type is required.");
          const blk = toBlock(x, nextId++);
          d.blocks.push(blk);
          return send(res, 200, blk);
        }
      }
      const i = d.blocks.findIndex((x) => String(x.id) === rest[3]);
      if (i < 0) return err(res, 404, "No such block.");
      if (m === "GET") return send(res, 200, d.blocks[i]);
      if (m === "PUT" || m === "PATCH") {
        const b = await readBody(req);
        d.blocks[i] = toBlock({ ...d.blocks[i], ...(b?.block ?? b) }, d.blocks[i].id);
        return send(res, 200, d.blocks[i]);
      }
      if (m === "DELETE") { d.blocks.splice(i, 1); return send(res, 200, "OK"); }
    }
  }
  return err(res, 404, "Not found.");
}

http.createServer((req, res) => {
  const url = new URL(req.url, `http://${req.headers.host ?? "localhost"}`);
  if (url.pathname.startsWith("/api/")) {
    api(req, res, url).catch((e) => { console.error(e); err(res, 500, "mock server error"); });
  } else serveStatic(req, res, url.pathname);
}).listen(PORT, "127.0.0.1", () => console.log(`mock perch API on http://127.0.0.1:${PORT} (broker ${MQTT_URL}, ws ${WS_PORT})`));

// --- the simulated board, when a broker is there ---
try {
  const { default: mqtt } = await import("mqtt");
  const c = mqtt.connect(MQTT_URL, { clientId: `mock-board-${process.pid}`, reconnectPeriod: 2000 });
  c.on("connect", () => {
    mqttClient = c;
    c.subscribe("+/#");
    console.log("simulated board connected to", MQTT_URL);
  });
  c.on("error", () => {});
  c.on("message", (topic, buf) => {
    const value = buf.toString();
    const [u, kind, key, extra] = topic.split("/");
    if (!store[u] || extra) return;
    if (kind === "feeds") {
      const last = ns(u).data.get(key)?.at(-1);
      if (!last || last.value !== value || Date.now() - Date.parse(last.created_at) > 200) addDatum(u, key, value);
      // The board obeys the LED feed and reports its state.
      if (u === "demo" && key === "led") setTimeout(() => c.publish("demo/feeds/led-state", value), 150);
    } else if (kind && kind !== "errors" && kind !== "throttle") {
      const k = slug(topic.split("/").slice(1).join("-"));
      if (ns(u).feeds.has(k)) addDatum(u, k, value);
    }
  });
  let i = 0;
  setInterval(() => {
    if (!mqttClient) return;
    i++;
    const day = Math.sin((Date.now() / 86400_000) * 2 * Math.PI);
    c.publish("demo/feeds/temperature", (21 + 3 * day + Math.sin(i / 7) * 0.4).toFixed(2));
    c.publish("demo/feeds/humidity", (45 - 8 * day + Math.cos(i / 11)).toFixed(1));
    if (i % 3 === 0) c.publish("demo/feeds/light", String(Math.max(0, Math.round(400 * day + 50 * Math.random()))));
    if (i % 20 === 0) c.publish("demo/throttle", "demo: rate limit reached (50 messages/s), 3 messages refused");
  }, 2000);
} catch (e) {
  console.log("no MQTT (", e.message, "): live simulation off");
}
