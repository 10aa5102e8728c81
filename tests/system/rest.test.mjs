// Issue 2, point 7: the REST API in Adafruit IO v2's paths and JSON shapes, key in X-AIO-Key:
// user, feeds CRUD, data create/list (newest first, limit, start_time/end_time, X-Pagination-*
// and Link), data/last, data/chart (aggregated), throttle, healthz; a POSTed value reaches MQTT
// subscribers live.

import assert from 'node:assert/strict';
import { collect, storedRows, subscribe, useStack, waitRows } from './harness.mjs';

const { test } = useStack({ label: 'rest' });

let alice;
const api = (s, method, p, opts = {}) => s.api(method, p, { key: alice.key, ...opts });
const isoOk = (v) => typeof v === 'string' && !Number.isNaN(Date.parse(v));

test('GET /healthz answers 200', async (s) => {
	const r = await s.api('GET', '/healthz');
	assert.equal(r.status, 200);
});

test('GET /api/v2/user answers the key\'s user', async (s) => {
	alice = await s.user('alice');
	const r = await api(s, 'GET', '/api/v2/user');
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.username, 'alice');
	assert.ok(r.json.id !== undefined);
	assert.match(r.headers.get('content-type') ?? '', /application\/json/);
});

test('the key is also accepted as the x-aio-key query parameter', async (s) => {
	const r = await s.api('GET', `/api/v2/user?x-aio-key=${alice.key}`);
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.username, 'alice');
});

test('POST /api/v2/{u}/feeds with a wrapped body {"feed":{…}} answers 201 and the feed', async (s) => {
	const r = await api(s, 'POST', '/api/v2/alice/feeds', { body: { feed: { name: 'Lab Temp', description: 'bench' } } });
	assert.equal(r.status, 201, r.text);
	assert.equal(r.json.name, 'Lab Temp');
	assert.equal(r.json.key, 'lab-temp');
	assert.equal(r.json.description, 'bench');
	assert.equal(typeof r.json.id, 'number');
	assert.ok(isoOk(r.json.created_at), `created_at ${r.json.created_at}`);
});

test('POST /api/v2/{u}/feeds with a bare body answers 201 (CircuitPython sends bare)', async (s) => {
	const r = await api(s, 'POST', '/api/v2/alice/feeds', { body: { name: 'Humidity', key: 'humidity' } });
	assert.equal(r.status, 201, r.text);
	assert.equal(r.json.key, 'humidity');
});

test('POST /api/v2/{u}/feeds with a form body name=… answers 201 (Arduino sends forms)', async (s) => {
	const r = await api(s, 'POST', '/api/v2/alice/feeds', {
		body: 'name=Form+Feed', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
	});
	assert.equal(r.status, 201, r.text);
	assert.equal(r.json.key, 'form-feed');
});

test('creating a feed whose key exists answers a 4xx JSON error', async (s) => {
	const r = await api(s, 'POST', '/api/v2/alice/feeds', { body: { feed: { name: 'Humidity', key: 'humidity' } } });
	assert.ok([400, 409, 422].includes(r.status), `${r.status} ${r.text}`);
	assert.equal(typeof r.json?.error, 'string');
});

test('GET /api/v2/{u}/feeds lists the user\'s feeds', async (s) => {
	const r = await api(s, 'GET', '/api/v2/alice/feeds');
	assert.equal(r.status, 200, r.text);
	assert.ok(Array.isArray(r.json));
	const keys = r.json.map((f) => f.key);
	for (const k of ['lab-temp', 'humidity', 'form-feed']) assert.ok(keys.includes(k), `${k} in ${keys}`);
});

test('GET /api/v2/{u}/feeds/ with a trailing slash works (the Python client sends one)', async (s) => {
	const r = await api(s, 'GET', '/api/v2/alice/feeds/');
	assert.equal(r.status, 200, r.text);
	assert.ok(Array.isArray(r.json));
});

test('GET /api/v2/{u}/feeds/{k} answers the feed', async (s) => {
	const r = await api(s, 'GET', '/api/v2/alice/feeds/lab-temp');
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.key, 'lab-temp');
	assert.equal(r.json.name, 'Lab Temp');
});

test('PUT /api/v2/{u}/feeds/{k} updates it (wrapped and bare bodies)', async (s) => {
	let r = await api(s, 'PUT', '/api/v2/alice/feeds/lab-temp', { body: { feed: { description: 'updated', unit_symbol: 'C' } } });
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.description, 'updated');
	r = await api(s, 'PUT', '/api/v2/alice/feeds/lab-temp', { body: { description: 'updated again' } });
	assert.equal(r.status, 200, r.text);
	r = await api(s, 'GET', '/api/v2/alice/feeds/lab-temp');
	assert.equal(r.json.description, 'updated again');
	assert.equal(r.json.unit_symbol, 'C');
});

test('DELETE /api/v2/{u}/feeds/{k} removes the feed and its data', async (s) => {
	let r = await api(s, 'POST', '/api/v2/alice/feeds', { body: { feed: { name: 'doomed' } } });
	assert.equal(r.status, 201, r.text);
	r = await api(s, 'POST', '/api/v2/alice/feeds/doomed/data', { body: { value: 1 } });
	assert.equal(r.status, 200, r.text);
	r = await api(s, 'DELETE', '/api/v2/alice/feeds/doomed');
	assert.ok([200, 204].includes(r.status), `${r.status} ${r.text}`);
	r = await api(s, 'GET', '/api/v2/alice/feeds/doomed');
	assert.equal(r.status, 404);
	assert.equal((await storedRows(s, 'alice', 'doomed')).length, 0);
});

let posted;
test('POST …/data answers 200 with the datum in Adafruit\'s shape', async (s) => {
	const r = await api(s, 'POST', '/api/v2/alice/feeds/humidity/data', { body: { value: 45.5 } });
	assert.equal(r.status, 200, r.text);
	const d = r.json;
	posted = d;
	assert.equal(typeof d.id, 'string', 'id is a string');
	assert.equal(d.value, '45.5', 'value is a string');
	assert.equal(typeof d.feed_id, 'number');
	assert.equal(d.feed_key, 'humidity');
	assert.ok(isoOk(d.created_at));
	assert.ok(Math.abs(Date.parse(d.created_at) - Date.now()) < 10000, `created_at ${d.created_at} is now`);
	assert.equal(typeof d.created_epoch, 'number');
	assert.ok(Math.abs(d.created_epoch - Date.parse(d.created_at) / 1000) < 1);
	assert.ok(isoOk(d.expiration), `expiration ${d.expiration}`);
	const days = (Date.parse(d.expiration) - Date.parse(d.created_at)) / 86400000;
	assert.ok(Math.abs(days - 30) < 1, `expiration is created_at + 30 days (got ${days})`);
	for (const f of ['lat', 'lon', 'ele']) assert.ok(f in d, `${f} present`);
	const rows = await storedRows(s, 'alice', 'humidity');
	assert.equal(rows.length, 1);
	assert.equal(rows[0].num, 45.5);
});

test('POST …/data with lat, lon, ele and created_at keeps them', async (s) => {
	const when = new Date(Date.now() - 7200_000);
	when.setUTCMilliseconds(0);
	const r = await api(s, 'POST', '/api/v2/alice/feeds/humidity/data', {
		body: { value: 'with location', lat: 38.1123, lon: -91.2325, ele: 112, created_at: when.toISOString() },
	});
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.value, 'with location');
	assert.equal(Number(r.json.lat), 38.1123);
	assert.equal(Number(r.json.lon), -91.2325);
	assert.equal(Number(r.json.ele), 112);
	assert.equal(Date.parse(r.json.created_at), when.getTime());
});

test('POST …/data with a form body value=… answers 200', async (s) => {
	const r = await api(s, 'POST', '/api/v2/alice/feeds/humidity/data', {
		body: 'value=51', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
	});
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.value, '51');
});

test('the feed shows its last_value after data arrives', async (s) => {
	const r = await api(s, 'GET', '/api/v2/alice/feeds/humidity');
	assert.equal(r.status, 200);
	assert.equal(r.json.last_value, '51');
});

test('GET …/data/last answers the newest datum', async (s) => {
	const r = await api(s, 'GET', '/api/v2/alice/feeds/humidity/data/last');
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.value, '51');
	assert.equal(r.json.feed_key, 'humidity');
});

test('a POSTed value is delivered live to an MQTT subscriber of the feed', async (s) => {
	const c = await s.connectOk('alice', alice.key);
	const got = collect(c);
	await subscribe(c, 'alice/feeds/live', 1);
	const r = await api(s, 'POST', '/api/v2/alice/feeds/live/data', { body: { value: 'from-rest' } });
	if (r.status === 404) {
		// perch may not auto-create on POST data: create the feed and post again
		assert.equal((await api(s, 'POST', '/api/v2/alice/feeds', { body: { feed: { name: 'live' } } })).status, 201);
		assert.equal((await api(s, 'POST', '/api/v2/alice/feeds/live/data', { body: { value: 'from-rest' } })).status, 200);
	} else {
		assert.equal(r.status, 200, r.text);
	}
	const m = await got.next('alice/feeds/live');
	assert.equal(m.text, 'from-rest');
	c.end();
});

test('data published over MQTT is readable over REST', async (s) => {
	const c = await s.connectOk('alice', alice.key);
	await new Promise((res, rej) => c.publish('alice/feeds/viamqtt', '12.5', { qos: 1 }, (e) => (e ? rej(e) : res())));
	await waitRows(s, 'alice', 'viamqtt', 1);
	const r = await api(s, 'GET', '/api/v2/alice/feeds/viamqtt/data');
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json[0].value, '12.5');
	c.end();
});

// ---- lists, pagination and time ranges

const N = 25;
let base; // ms of the oldest point of feed "pages"
const pointTime = (i) => base + i * 1000;

test('setup: 25 points a second apart in feed "pages"', async (s) => {
	assert.equal((await api(s, 'POST', '/api/v2/alice/feeds', { body: { feed: { name: 'pages' } } })).status, 201);
	base = Math.floor(Date.now() / 1000) * 1000 - 3600_000;
	for (let i = 0; i < N; i++) {
		const r = await api(s, 'POST', '/api/v2/alice/feeds/pages/data', {
			body: { value: String(i), created_at: new Date(pointTime(i)).toISOString() },
		});
		assert.equal(r.status, 200, r.text);
	}
	assert.equal((await storedRows(s, 'alice', 'pages')).length, N);
});

test('GET …/data lists newest first with limit and X-Pagination-* headers', async (s) => {
	const r = await api(s, 'GET', '/api/v2/alice/feeds/pages/data?limit=10');
	assert.equal(r.status, 200, r.text);
	assert.deepEqual(r.json.map((d) => d.value), ['24', '23', '22', '21', '20', '19', '18', '17', '16', '15']);
	assert.equal(r.headers.get('x-pagination-count'), '10');
	assert.equal(r.headers.get('x-pagination-limit'), '10');
	assert.equal(r.headers.get('x-pagination-total'), String(N));
	assert.ok(r.headers.has('x-pagination-start'), 'X-Pagination-Start present');
	assert.ok(r.headers.has('x-pagination-end'), 'X-Pagination-End present');
	assert.ok(r.headers.get('link'), 'Link header present on data lists');
});

test('GET …/data without limit answers every point (page size at most 1000)', async (s) => {
	const r = await api(s, 'GET', '/api/v2/alice/feeds/pages/data');
	assert.equal(r.status, 200);
	assert.equal(r.json.length, N);
	for (let i = 1; i < r.json.length; i++) {
		assert.ok(Date.parse(r.json[i - 1].created_at) >= Date.parse(r.json[i].created_at), 'newest first');
	}
});

/**
 * The next-page URL of a Link header. Adafruit IO writes `<current>; rel="next", <next>` and its
 * Python client reads the URL after `rel="next", `; a standard header is `<next>; rel="next"`.
 * Prefer the Adafruit form when the header has it, so Adafruit's own client works.
 */
function nextLink(link) {
	if (!link) return null;
	const quirk = /rel="?next"?\s*,\s*<([^>]+)>/.exec(link);
	if (quirk) return quirk[1];
	const std = /<([^>]+)>\s*;\s*rel="?next"?/.exec(link);
	return std ? std[1] : null;
}

test('following Link rel="next" walks all pages, older each time, without overlap or gap', async (s) => {
	let url = '/api/v2/alice/feeds/pages/data?limit=10';
	const seen = [];
	const pages = [];
	for (let i = 0; i < 6 && url; i++) {
		const r = await api(s, 'GET', url);
		assert.equal(r.status, 200, `${url}: ${r.status} ${r.text}`);
		pages.push(r.json.length);
		seen.push(...r.json.map((d) => d.value));
		if (r.json.length < 10) break;
		const next = nextLink(r.headers.get('link'));
		assert.ok(next, `page ${i + 1} full but no rel="next" in Link: ${r.headers.get('link')}`);
		url = new URL(next, s.http).toString();
	}
	const want = Array.from({ length: N }, (_, i) => String(N - 1 - i));
	assert.deepEqual(seen, want, `pages of ${pages.join('+')}`);
});

test('start_time and end_time bound the list', async (s) => {
	const start = new Date(pointTime(5) - 500).toISOString();
	const end = new Date(pointTime(14) + 500).toISOString();
	const r = await api(s, 'GET', `/api/v2/alice/feeds/pages/data?start_time=${encodeURIComponent(start)}&end_time=${encodeURIComponent(end)}`);
	assert.equal(r.status, 200, r.text);
	assert.deepEqual(r.json.map((d) => d.value), ['14', '13', '12', '11', '10', '9', '8', '7', '6', '5']);
	assert.equal(r.headers.get('x-pagination-total'), '10');
});

test('start_time with limit answers the newest of the range first', async (s) => {
	const start = new Date(pointTime(20) - 500).toISOString();
	const r = await api(s, 'GET', `/api/v2/alice/feeds/pages/data?start_time=${encodeURIComponent(start)}&limit=2`);
	assert.equal(r.status, 200, r.text);
	assert.deepEqual(r.json.map((d) => d.value), ['24', '23']);
});

test('GET …/data/chart?hours=1&resolution=1 aggregates per minute in Adafruit\'s shape', async (s) => {
	assert.equal((await api(s, 'POST', '/api/v2/alice/feeds', { body: { feed: { name: 'chart' } } })).status, 201);
	const minute = Math.floor((Date.now() - 5 * 60_000) / 60_000) * 60_000;
	const points = [[minute + 10_000, 10], [minute + 20_000, 20], [minute + 70_000, 30], [minute + 80_000, 50]];
	for (const [t, v] of points) {
		const r = await api(s, 'POST', '/api/v2/alice/feeds/chart/data', { body: { value: v, created_at: new Date(t).toISOString() } });
		assert.equal(r.status, 200, r.text);
	}
	const r = await api(s, 'GET', '/api/v2/alice/feeds/chart/data/chart?hours=1&resolution=1');
	assert.equal(r.status, 200, r.text);
	const { feed, parameters, columns, data } = r.json;
	assert.equal(feed.key, 'chart');
	assert.ok(parameters && typeof parameters === 'object');
	assert.equal(Number(parameters.resolution), 1);
	assert.equal(Number(parameters.hours), 1);
	assert.equal(columns[0], 'date');
	const avg = columns.indexOf('avg');
	assert.ok(avg > 0, `columns ${columns}`);
	const rows = data.filter((row) => row[avg] !== null && row[avg] !== undefined);
	assert.equal(rows.length, 2, `two one-minute buckets, got ${JSON.stringify(data)}`);
	const byTime = rows.map((row) => [Date.parse(row[0]), Number(row[avg])]).sort((a, b) => a[0] - b[0]);
	assert.deepEqual(byTime.map((x) => x[1]), [15, 40]);
	assert.equal(byTime[0][0], minute, 'bucket labelled with the start of its minute');
});

test('GET …/data/chart over 1 hour at the default resolution answers the same data', async (s) => {
	const r = await api(s, 'GET', '/api/v2/alice/feeds/chart/data/chart?hours=1');
	assert.equal(r.status, 200, r.text);
	assert.ok(Array.isArray(r.json.data) && r.json.data.length >= 1);
});

test('GET /api/v2/{u}/throttle answers the rate limit', async (s) => {
	const r = await api(s, 'GET', '/api/v2/alice/throttle');
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.data_rate_limit, 50);
	assert.equal(typeof r.json.active_data_rate, 'number');
});
