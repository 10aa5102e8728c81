// Issue 2, point 4: publishing in every topic form; feeds made on first publish; bad data refused
// with a message on {user}/errors while the connection stays up; /get re-sends the last value.

import assert from 'node:assert/strict';
import { collect, feedKeysOf, publish, run, storedRows, subscribe, useStack, waitFor, waitRows } from './harness.mjs';

const { test } = useStack({ label: 'publish' });

let alice; // {name, key}
let c; // alice's board, connected for the whole file
let inbox; // everything c receives
let disconnects = 0; // times alice's board lost its connection

async function board(s) {
	if (c?.connected) return c;
	if (!alice) alice = await s.user('alice');
	c = await s.connectOk('alice', alice.key, { clientId: 'alice-photon2' });
	inbox = collect(c);
	c.on('close', () => { disconnects++; });
	await subscribe(c, 'alice/errors', 0);
	return c;
}

const near = (a, b, eps = 1e-6) => a !== null && Math.abs(a - b) < eps;

/** The datum list of a feed over REST. */
async function restData(s, key) {
	const r = await s.api('GET', `/api/v2/alice/feeds/${key}/data`, { key: alice.key });
	assert.equal(r.status, 200, `GET data of ${key}: ${r.status} ${r.text}`);
	assert.ok(Array.isArray(r.json), `data list is an array: ${r.text.slice(0, 200)}`);
	return r.json;
}

/** Waits for a message on alice/errors received after `since`; resolves with it. */
function nextError(since, timeout = 5000) {
	return inbox.next((m) => m.topic === 'alice/errors' && m.at >= since, timeout);
}

/** Publishes a good value to a marker feed and waits until it is stored: everything alice sent
 *  before it has been through the ingest by then. */
async function flush(s) {
	const v = `m${Date.now()}${Math.random().toString(36).slice(2, 6)}`;
	await publish(c, 'alice/feeds/marker', v, { qos: 1 });
	await waitFor(async () => (await storedRows(s, 'alice', 'marker')).some((r) => r.value === v), { timeout: 8000, what: 'marker stored' });
}

test('feed is auto-created on first publish to {u}/feeds/{k}; a number is stored as text and number', async (s) => {
	await board(s);
	const before = await s.api('GET', '/api/v2/alice/feeds/temperature', { key: alice.key });
	assert.equal(before.status, 404, 'feed does not exist before the first publish');
	await publish(c, 'alice/feeds/temperature', '22.5', { qos: 1 });
	const rows = await waitRows(s, 'alice', 'temperature', 1);
	assert.equal(rows[0].value, '22.5');
	assert.equal(rows[0].num, 22.5);
	const feed = await s.api('GET', '/api/v2/alice/feeds/temperature', { key: alice.key });
	assert.equal(feed.status, 200, feed.text);
	assert.equal(feed.json.key, 'temperature');
	const data = await restData(s, 'temperature');
	assert.equal(data[0].value, '22.5');
	assert.equal(typeof data[0].value, 'string');
});

test('text values are kept as text ({u}/f/{k} short form)', async (s) => {
	await board(s);
	await publish(c, 'alice/f/status', 'door open', { qos: 1 });
	const rows = await waitRows(s, 'alice', 'status', 1);
	assert.equal(rows[0].value, 'door open');
	assert.equal(rows[0].num, null);
	assert.equal((await restData(s, 'status'))[0].value, 'door open');
});

test('{u}/feeds/{k} and {u}/f/{k} address the same feed', async (s) => {
	await board(s);
	await publish(c, 'alice/feeds/same', '1', { qos: 1 });
	await publish(c, 'alice/f/same', '2', { qos: 1 });
	const rows = await waitRows(s, 'alice', 'same', 2);
	assert.deepEqual(rows.map((r) => r.value), ['1', '2']);
});

test('QoS 0 publishes are stored too', async (s) => {
	await board(s);
	await publish(c, 'alice/feeds/qos0', '7', { qos: 0 });
	const rows = await waitRows(s, 'alice', 'qos0', 1);
	assert.equal(rows[0].value, '7');
});

test('/json: value with lat, lon, ele and created_at', async (s) => {
	await board(s);
	const when = new Date(Date.now() - 3600_000);
	when.setUTCMilliseconds(0);
	await publish(c, 'alice/feeds/gps/json', JSON.stringify({ value: 12.25, lat: 38.1123, lon: -91.2325, ele: 112, created_at: when.toISOString() }), { qos: 1 });
	const [r] = await waitRows(s, 'alice', 'gps', 1);
	assert.equal(Number(r.value), 12.25);
	assert.ok(near(r.lat, 38.1123) && near(r.lon, -91.2325) && near(r.ele, 112), JSON.stringify(r));
	assert.ok(Math.abs(Date.parse(r.created_at) - when.getTime()) < 1000, `created_at ${r.created_at} vs ${when.toISOString()}`);
	const [d] = await restData(s, 'gps');
	assert.equal(Number(d.lat), 38.1123);
	assert.equal(Number(d.lon), -91.2325);
});

test('/json on the short form with a string value and no location', async (s) => {
	await board(s);
	await publish(c, 'alice/f/msg/json', '{"value":"hello"}', { qos: 1 });
	const [r] = await waitRows(s, 'alice', 'msg', 1);
	assert.equal(r.value, 'hello');
	assert.equal(r.lat, null);
});

test('a bare topic carrying IO JSON ({"value":…,"lat":…}) is read as IO JSON', async (s) => {
	await board(s);
	await publish(c, 'alice/feeds/iojson', '{"value":5,"lat":1.5,"lon":2.5}', { qos: 1 });
	const [r] = await waitRows(s, 'alice', 'iojson', 1);
	assert.equal(r.value, '5');
	assert.ok(near(r.lat, 1.5) && near(r.lon, 2.5));
});

test('a bare topic carrying a JSON object without "value" is stored verbatim as text', async (s) => {
	await board(s);
	await publish(c, 'alice/feeds/blob', '{"humidity":45.8}', { qos: 1 });
	const [r] = await waitRows(s, 'alice', 'blob', 1);
	assert.deepEqual(JSON.parse(r.value), { humidity: 45.8 });
});

test('/csv: value,lat,lon,ele', async (s) => {
	await board(s);
	await publish(c, 'alice/feeds/csvfeed/csv', '22.587,38.1123,-91.2325,112', { qos: 1 });
	const [r] = await waitRows(s, 'alice', 'csvfeed', 1);
	assert.equal(r.num, 22.587);
	assert.ok(near(r.lat, 38.1123) && near(r.lon, -91.2325) && near(r.ele, 112), JSON.stringify(r));
});

test('/csv: the Arduino library\'s quoted form "22.5",1.000000,2.000000,3.000000', async (s) => {
	await board(s);
	await publish(c, 'alice/f/arduino/csv', '"22.5",1.000000,2.000000,3.000000', { qos: 1 });
	const [r] = await waitRows(s, 'alice', 'arduino', 1);
	assert.equal(r.value, '22.5', 'the quotes are not part of the value');
	assert.equal(r.num, 22.5);
	assert.ok(near(r.lat, 1) && near(r.lon, 2) && near(r.ele, 3), JSON.stringify(r));
});

test('/csv: a value alone', async (s) => {
	await board(s);
	await publish(c, 'alice/f/csvonly/csv', '17', { qos: 1 });
	const [r] = await waitRows(s, 'alice', 'csvonly', 1);
	assert.equal(r.value, '17');
});

/** The key perch gives feed `f` published through group `g`: Adafruit's composite `g.f`, or `f`. */
async function groupFeedKey(s, g, f) {
	return waitFor(async () => {
		const keys = await feedKeysOf(s, 'alice');
		return keys.find((k) => k === `${g}.${f}`) ?? keys.find((k) => k === f);
	}, { timeout: 8000, what: `feed ${f} of group ${g}` });
}

test('{u}/groups/{g} JSON sets several feeds at once, with location', async (s) => {
	await board(s);
	await publish(c, 'alice/groups/weather', JSON.stringify({ feeds: { wa: 1, wb: 'x' }, location: { lat: 10.5, lon: 20.25, ele: 3 } }), { qos: 1 });
	const ka = await groupFeedKey(s, 'weather', 'wa');
	const kb = await groupFeedKey(s, 'weather', 'wb');
	const [a] = await waitRows(s, 'alice', ka, 1);
	const [b] = await waitRows(s, 'alice', kb, 1);
	assert.equal(a.value, '1');
	assert.equal(a.num, 1);
	assert.equal(b.value, 'x');
	assert.ok(near(a.lat, 10.5) && near(a.lon, 20.25) && near(a.ele, 3), JSON.stringify(a));
	assert.ok(near(b.lat, 10.5), JSON.stringify(b));
	const data = await restData(s, ka);
	assert.equal(data[0].value, '1');
});

test('{u}/groups/{g}/json works like the bare group topic', async (s) => {
	await board(s);
	await publish(c, 'alice/groups/gj/json', '{"feeds":{"gja":"3.5"}}', { qos: 1 });
	const k = await groupFeedKey(s, 'gj', 'gja');
	const [r] = await waitRows(s, 'alice', k, 1);
	assert.equal(r.value, '3.5');
});

test('{u}/groups/{g}/csv: one "key,value" line per feed plus a location line', async (s) => {
	await board(s);
	await publish(c, 'alice/groups/lab/csv', 'lt,21.5\nlh,text value\nlocation,1.25,2.5,7\n', { qos: 1 });
	const kt = await groupFeedKey(s, 'lab', 'lt');
	const kh = await groupFeedKey(s, 'lab', 'lh');
	const [t] = await waitRows(s, 'alice', kt, 1);
	const [h] = await waitRows(s, 'alice', kh, 1);
	assert.equal(t.num, 21.5);
	assert.equal(h.value, 'text value');
	assert.ok(near(t.lat, 1.25) && near(t.lon, 2.5), JSON.stringify(t));
});

test('{u}/g/{g}/csv short form (Arduino sends "feed,value\\n" lines)', async (s) => {
	await board(s);
	await publish(c, 'alice/g/ard/csv', 'ardx,5\n', { qos: 1 });
	const k = await groupFeedKey(s, 'ard', 'ardx');
	const [r] = await waitRows(s, 'alice', k, 1);
	assert.equal(r.value, '5');
});

test('free-form topic alice/photon2/temperature is stored as feed photon2-temperature named photon2/temperature', async (s) => {
	await board(s);
	await publish(c, 'alice/photon2/temperature', '19.75', { qos: 1 });
	const [r] = await waitRows(s, 'alice', 'photon2-temperature', 1);
	assert.equal(r.value, '19.75');
	const name = await s.sql(`SELECT f.name FROM feeds f JOIN users u ON u.id=f.user_id WHERE u.username='alice' AND f.key='photon2-temperature'`);
	assert.equal(name, 'photon2/temperature');
	const feed = await s.api('GET', '/api/v2/alice/feeds/photon2-temperature', { key: alice.key });
	assert.equal(feed.status, 200);
	assert.equal(feed.json.name, 'photon2/temperature');
	const d = await restData(s, 'photon2-temperature');
	assert.equal(d[0].value, '19.75');
});

test('a free-form subscriber receives what is published on the free-form topic', async (s) => {
	await board(s);
	await subscribe(c, 'alice/photon2/#', 1);
	await publish(c, 'alice/photon2/led', 'on', { qos: 1 });
	const m = await inbox.next('alice/photon2/led');
	assert.equal(m.text, 'on');
});

test('a feed identifier with capitals and underscores gets a normalised key (name kept)', async (s) => {
	await board(s);
	await publish(c, 'alice/feeds/Lab_Bench', '3', { qos: 1 });
	const key = await waitFor(async () => (await feedKeysOf(s, 'alice')).find((k) => k === 'lab-bench'), { timeout: 8000, what: 'feed lab-bench' });
	const name = await s.sql(`SELECT f.name FROM feeds f JOIN users u ON u.id=f.user_id WHERE u.username='alice' AND f.key='${key}'`);
	assert.equal(name, 'Lab_Bench');
});

test('mosquitto_pub with username and key publishes a stored value', async (s) => {
	await board(s);
	const r = await run('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(s.ports.mqtt), '-u', 'alice', '-P', alice.key, '-q', '1', '-t', 'alice/feeds/cli', '-m', '99.5']);
	assert.equal(r.code, 0, r.stderr);
	const [row] = await waitRows(s, 'alice', 'cli', 1);
	assert.equal(row.value, '99.5');
});

test('bad JSON on /json: message on {u}/errors, not stored, connection up, next good message stored', async (s) => {
	await board(s);
	const t0 = Date.now();
	await publish(c, 'alice/feeds/badjson/json', '{"value": 1,', { qos: 1 });
	const err = await nextError(t0);
	assert.ok(err.text.length > 0);
	assert.ok(c.connected, 'connection stays up');
	await publish(c, 'alice/feeds/badjson/json', '{"value": 2}', { qos: 1 });
	await waitRows(s, 'alice', 'badjson', 1);
	await flush(s);
	assert.deepEqual((await storedRows(s, 'alice', 'badjson')).map((r) => r.value), ['2']);
});

test('/json without "value": error, not stored', async (s) => {
	await board(s);
	const t0 = Date.now();
	await publish(c, 'alice/feeds/novalue/json', '{"lat": 1}', { qos: 1 });
	await nextError(t0);
	await flush(s);
	assert.equal((await storedRows(s, 'alice', 'novalue')).length, 0);
});

test('a value over 1024 bytes: error on {u}/errors, not stored, connection up', async (s) => {
	await board(s);
	const t0 = Date.now();
	await publish(c, 'alice/feeds/big', 'x'.repeat(1025), { qos: 1 });
	const err = await nextError(t0);
	assert.ok(err.text.length > 0);
	assert.ok(c.connected);
	await flush(s);
	assert.equal((await storedRows(s, 'alice', 'big')).length, 0);
});

test('a value of exactly 1024 bytes is stored', async (s) => {
	await board(s);
	await publish(c, 'alice/feeds/big1024', 'y'.repeat(1024), { qos: 1 });
	const [r] = await waitRows(s, 'alice', 'big1024', 1);
	assert.equal(r.value.length, 1024);
});

test('an invalid feed key ("bad key!"): error on {u}/errors, no feed made', async (s) => {
	await board(s);
	const t0 = Date.now();
	await publish(c, 'alice/feeds/bad key!', '1', { qos: 1 });
	const err = await nextError(t0);
	assert.ok(err.text.length > 0);
	await flush(s);
	const keys = await feedKeysOf(s, 'alice');
	assert.ok(!keys.some((k) => /^bad[- _]?key/.test(k)), `feeds: ${keys}`);
});

test('a payload that is not UTF-8: error, not stored', async (s) => {
	await board(s);
	const t0 = Date.now();
	await publish(c, 'alice/feeds/binary', Buffer.from([0xff, 0xfe, 0x41, 0xc3]), { qos: 1 });
	await nextError(t0);
	await flush(s);
	assert.equal((await storedRows(s, 'alice', 'binary')).length, 0);
});

test('an empty payload on a feed: error, not stored', async (s) => {
	await board(s);
	const t0 = Date.now();
	await publish(c, 'alice/feeds/empty', '', { qos: 1 });
	await nextError(t0);
	await flush(s);
	assert.equal((await storedRows(s, 'alice', 'empty')).length, 0);
});

test('over the feed limit (--max-feeds 2): third feed not stored, message on {u}/errors', async (s) => {
	const lim = await s.user('lim');
	await s.perchOk('user', 'set', 'lim', '--max-feeds', '2');
	const l = await s.connectOk('lim', lim.key);
	const msgs = collect(l);
	await subscribe(l, 'lim/errors');
	await publish(l, 'lim/feeds/one', '1', { qos: 1 });
	await publish(l, 'lim/feeds/two', '2', { qos: 1 });
	await waitRows(s, 'lim', 'one', 1);
	await waitRows(s, 'lim', 'two', 1);
	const t0 = Date.now();
	await publish(l, 'lim/feeds/three', '3', { qos: 1 });
	const err = await msgs.next((m) => m.topic === 'lim/errors' && m.at >= t0, 5000);
	assert.ok(err.text.length > 0);
	assert.ok(l.connected);
	await publish(l, 'lim/feeds/one', '1b', { qos: 1 });
	await waitRows(s, 'lim', 'one', 2);
	assert.deepEqual(await feedKeysOf(s, 'lim'), ['one', 'two']);
	l.end();
});

test('{u}/feeds/{k}/get re-sends the last value to a subscriber of {u}/feeds/{k}', async (s) => {
	await board(s);
	await publish(c, 'alice/feeds/counter', '41', { qos: 1 });
	await publish(c, 'alice/feeds/counter', '42', { qos: 1 });
	await waitRows(s, 'alice', 'counter', 2);
	const sub = await s.connectOk('alice', alice.key);
	const got = collect(sub);
	await subscribe(sub, 'alice/feeds/counter', 1);
	await publish(sub, 'alice/feeds/counter/get', '', { qos: 1 });
	const m = await got.next('alice/feeds/counter');
	assert.equal(m.text, '42');
	await flush(s);
	assert.equal((await storedRows(s, 'alice', 'counter')).length, 2, '/get stores nothing');
	sub.end();
});

test('/get accepts the NUL payload CircuitPython sends, on the short form', async (s) => {
	await board(s);
	await publish(c, 'alice/f/lamp', 'ON', { qos: 1 });
	await waitRows(s, 'alice', 'lamp', 1);
	const sub = await s.connectOk('alice', alice.key);
	const got = collect(sub);
	await subscribe(sub, 'alice/f/lamp', 1);
	await publish(sub, 'alice/f/lamp/get', Buffer.from([0]), { qos: 1 });
	assert.equal((await got.next('alice/f/lamp')).text, 'ON');
	sub.end();
});

test('/get on the Arduino CSV form ({u}/f/{k}/csv/get) answers on {u}/f/{k}/csv', async (s) => {
	await board(s);
	await publish(c, 'alice/f/knob', '12', { qos: 1 });
	await waitRows(s, 'alice', 'knob', 1);
	const sub = await s.connectOk('alice', alice.key);
	const got = collect(sub);
	await subscribe(sub, 'alice/f/knob/csv', 1);
	await publish(sub, 'alice/f/knob/csv/get', '', { qos: 1 });
	const m = await got.next('alice/f/knob/csv');
	assert.match(m.text, /^"?12"?(,|$)/);
	sub.end();
});

test('the board stayed connected through every bad message of this file', async (s) => {
	assert.equal(disconnects, 0, 'alice-photon2 was disconnected');
	assert.ok(c?.connected);
	await flush(s);
	c.end();
});
