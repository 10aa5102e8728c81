// Issue 2, point 6: a student publishes and subscribes only inside their own namespace, reads
// time/… and class/…, and never reads or writes another student's topics, whatever topic,
// wildcard, $share/… or $SYS/… form they try; one user cannot kick another's board off by reusing
// its client id; instructors may subscribe to +/… and publish to class/…. Each attempt is its own
// test. Also the REST side: another user's paths answer 403/404 and leak nothing.

import assert from 'node:assert/strict';
import { collect, feedKeysOf, publish, sleep, storedRows, subscribe, useStack, waitFor, waitRows, whenClosed } from './harness.mjs';

const { test } = useStack({ label: 'isolation' });

const REFUSED = (code) => typeof code === 'number' && code >= 0x80; // SUBACK 0x80 (3.1.1) / 0x87 (5)

let alice, bob, teacher; // {name, key}
let aliceV5; // alice over MQTT 5: PUBACK carries the refusal reason
let aliceWatch; // alice's own inbox: alice/#
let bobC, bobInbox; // bob, subscribed to bob/#, class/#, time/seconds
let teacherC, teacherInbox; // the instructor, subscribed to +/# and class/#
/** MQTT filter matching (a $share/NAME/ prefix is dropped first). */
function matches(filter, topic) {
	const f = filter.startsWith('$share/') ? filter.split('/').slice(2).join('/') : filter;
	const fp = f.split('/');
	const tp = topic.split('/');
	for (let i = 0; i < fp.length; i++) {
		if (fp[i] === '#') return !(i === 0 && topic.startsWith('$'));
		if (i >= tp.length) return false;
		if (fp[i] === '+') { if (i === 0 && topic.startsWith('$')) return false; continue; }
		if (fp[i] !== tp[i]) return false;
	}
	return fp.length === tp.length;
}

let seq = 0;
const uniq = () => `${Date.now().toString(36)}${(seq++).toString(36)}`;
const bobFeedsPublishedByBob = new Set();

test('setup: two students and an instructor connect', async (s) => {
	alice = await s.user('alice');
	bob = await s.user('bob');
	teacher = await s.user('teacher', { instructor: true });
	aliceV5 = await s.connectOk('alice', alice.key, { protocolVersion: 5, clientId: 'alice-v5' });
	const aw = await s.connectOk('alice', alice.key, { clientId: 'alice-watch' });
	aliceWatch = collect(aw);
	assert.ok(!REFUSED((await subscribe(aw, 'alice/#', 1))[0]), 'alice may subscribe alice/#');
	bobC = await s.connectOk('bob', bob.key, { clientId: 'bob-board' });
	bobInbox = collect(bobC);
	for (const f of ['bob/#', 'class/#']) assert.ok(!REFUSED((await subscribe(bobC, f, 1))[0]), `bob may subscribe ${f}`);
	assert.ok(!REFUSED((await subscribe(bobC, 'time/seconds', 0))[0]));
	teacherC = await s.connectOk('teacher', teacher.key, { clientId: 'teacher-1' });
	teacherInbox = collect(teacherC);
	for (const f of ['+/#', 'class/#']) assert.ok(!REFUSED((await subscribe(teacherC, f, 1))[0]), `instructor may subscribe ${f}`);
	// bob has data of his own, so there is something to steal
	await publish(bobC, 'bob/feeds/x', 'bob-secret-0', { qos: 1 });
	bobFeedsPublishedByBob.add('x');
	await waitRows(s, 'bob', 'x', 1);
});

// ---------------------------------------------------------------------------------------------
// Subscriptions by alice

/**
 * Alice subscribes to `filter` on a fresh connection; bob then publishes on several of his topics
 * (and provokes a message on bob/errors); alice publishes a marker of her own. Resolves with
 * {codes, leaked, own}: leaked = messages alice got from outside alice/, time/ and class/.
 */
async function probeSubscription(s, filter) {
	const a = await s.connectOk('alice', alice.key);
	const got = collect(a);
	const codes = await subscribe(a, filter, 1);
	const tag = uniq();
	const t0 = Date.now();
	await publish(bobC, 'bob/feeds/x', `bob-${tag}`, { qos: 1 });
	await publish(bobC, 'bob/f/y', `bob-${tag}`, { qos: 1 });
	await publish(bobC, 'bob/photon2/temp', `bob-${tag}`, { qos: 1 });
	await publish(bobC, 'bob/groups/g', JSON.stringify({ feeds: { gx: `bob-${tag}` } }), { qos: 1 });
	await publish(bobC, 'bob/feeds/x/json', '{"value": not json', { qos: 1 }); // -> bob/errors
	['x', 'y', 'photon2-temp'].forEach((k) => bobFeedsPublishedByBob.add(k));
	await publish(aliceV5, 'alice/feeds/own', `alice-${tag}`, { qos: 1 });
	// positive controls: bob's own messages went through the broker and the ingest
	await bobInbox.next((m) => m.topic === 'bob/errors' && m.at >= t0, 5000);
	await waitFor(async () => (await storedRows(s, 'bob', 'x')).some((r) => r.value === `bob-${tag}`), { timeout: 8000, what: "bob's value stored" });
	let own = null;
	if (!REFUSED(codes[0]) && matches(filter, 'alice/feeds/own')) own = await got.next((m) => m.text === `alice-${tag}`, 3000).catch(() => null);
	await sleep(250); // anything the ingest re-publishes from bob's data has had time to arrive
	const leaked = got.matching((m) => !/^(alice|time|class)\//.test(m.topic));
	a.end();
	return { codes, leaked, own };
}

const fmt = (leaked) => leaked.map((m) => `${m.topic}=${m.text.slice(0, 40)}`).join(', ');

for (const filter of ['bob/#', 'bob/feeds/x', 'bob/f/+', 'bob/feeds/x/json', 'bob/groups/g', 'bob/errors', 'bob/throttle',
	'bob/+/+', '$share/g/bob/#', '$share/g/bob/feeds/x', '$share/alice/bob/#', 'Bob/#', '/bob/#', '$SYS/#', '$SYS/broker/clients/total']) {
	test(`subscribe ${filter}: SUBACK refused, nothing of bob's delivered`, async (s) => {
		const { codes, leaked } = await probeSubscription(s, filter);
		assert.ok(REFUSED(codes[0]), `SUBACK for ${filter} was ${codes} (want 0x80/0x87)`);
		assert.equal(leaked.length, 0, `leaked: ${fmt(leaked)}`);
	});
}

for (const filter of ['#', '+/feeds/#', '+/+/#', '+/feeds/x', '+/f/+', '+/errors', '+/#', '$share/g/#', '$share/g/+/feeds/#']) {
	test(`subscribe ${filter}: only alice's own messages are delivered`, async (s) => {
		const { codes, leaked, own } = await probeSubscription(s, filter);
		assert.equal(leaked.length, 0, `leaked: ${fmt(leaked)}`);
		if (matches(filter, 'alice/feeds/own')) {
			assert.ok(!REFUSED(codes[0]), `SUBACK for ${filter} was ${codes}: a student's wildcard should yield what she may read`);
			assert.ok(own, `alice did not get her own message through ${filter}`);
		}
	});
}

// ---------------------------------------------------------------------------------------------
// Publications by alice

/**
 * Alice publishes `payload` on `topic` over MQTT 5 at QoS 1. Resolves with the PUBACK reason code
 * and the messages carrying that payload seen by bob (bob/#, class/#, time/seconds), the
 * instructor (+/#, class/#) and alice herself (alice/#), after a round of markers.
 */
async function probePublish(topic, payload) {
	const t0 = Date.now();
	const code = await publish(aliceV5, topic, payload, { qos: 1 });
	const tag = uniq();
	await publish(aliceV5, `alice/feeds/sync`, `sync-${tag}`, { qos: 1 });
	await publish(bobC, `bob/feeds/sync`, `sync-${tag}`, { qos: 1 });
	bobFeedsPublishedByBob.add('sync');
	await aliceWatch.next((m) => m.text === `sync-${tag}`, 5000);
	await bobInbox.next((m) => m.text === `sync-${tag}`, 5000);
	await teacherInbox.next((m) => m.topic === 'bob/feeds/sync' && m.text === `sync-${tag}`, 5000);
	await sleep(150);
	const seen = [bobInbox, teacherInbox, aliceWatch].flatMap((box, i) =>
		box.matching((m) => m.at >= t0 && m.text === payload).map((m) => `${['bob', 'teacher', 'alice'][i]} got ${m.topic}`));
	return { code, seen };
}

for (const topic of ['bob/feeds/x', 'bob/f/x/json', 'bob/feeds/x/csv', 'bob/groups/g', 'bob/photon2/temp', 'bob/errors', 'bob/throttle',
	'bob', 'Bob/feeds/x', '/bob/feeds/x', 'time/seconds', 'class/news', 'alice/errors', 'alice/throttle', '$SYS/x', 'other/feeds/x',
	'perch-service/x']) {
	test(`publish to ${topic} is refused (PUBACK 0x87) and reaches nobody`, async () => {
		const payload = topic.includes('json') ? `{"value":"alice-pub-${uniq()}"}` : topic.includes('groups')
			? `{"feeds":{"x":"alice-pub-${uniq()}"}}` : `alice-pub-${uniq()}`;
		const { code, seen } = await probePublish(topic, payload);
		assert.ok(REFUSED(code), `PUBACK reason for ${topic} was ${code} (want 0x87)`);
		assert.deepEqual(seen, []);
	});
}

test('publish to bob/feeds/x/get does not make perch re-send bob\'s value to anyone', async () => {
	const t0 = Date.now();
	const code = await publish(aliceV5, 'bob/feeds/x/get', '', { qos: 1 });
	assert.ok(REFUSED(code), `PUBACK reason ${code}`);
	const tag = uniq();
	await publish(bobC, 'bob/feeds/sync', `sync-${tag}`, { qos: 1 });
	await bobInbox.next((m) => m.text === `sync-${tag}`);
	await sleep(300);
	const resent = bobInbox.matching((m) => m.at >= t0 && m.topic === 'bob/feeds/x');
	assert.deepEqual(resent.map((m) => m.text), []);
});

test('MQTT 3.1.1: a refused publish to bob/feeds/x is reported on alice/errors and not delivered', async (s) => {
	const a = await s.connectOk('alice', alice.key);
	const got = collect(a);
	await subscribe(a, 'alice/errors');
	const payload = `alice-v311-${uniq()}`;
	const t0 = Date.now();
	await publish(a, 'bob/feeds/x', payload, { qos: 1 }); // 2.0.11 sends a normal PUBACK here
	const err = await got.next((m) => m.topic === 'alice/errors' && m.at >= t0, 5000);
	assert.ok(err.text.length > 0);
	assert.ok(a.connected);
	await sleep(200);
	assert.equal(bobInbox.matching((m) => m.text === payload).length, 0);
	a.end();
});

test('a student may subscribe to class/# and time/#', async (s) => {
	const a = await s.connectOk('alice', alice.key);
	assert.ok(!REFUSED((await subscribe(a, 'class/#'))[0]));
	assert.ok(!REFUSED((await subscribe(a, 'time/#'))[0]));
	a.end();
});

test("a retained message of bob's is not given to alice's wildcard subscriptions", async (s) => {
	const payload = `bob-retained-${uniq()}`;
	await publish(bobC, 'bob/feeds/kept', payload, { qos: 1, retain: true });
	bobFeedsPublishedByBob.add('kept');
	await waitFor(async () => (await storedRows(s, 'bob', 'kept')).length > 0, { timeout: 8000, what: 'bob/kept stored' });
	const a = await s.connectOk('alice', alice.key);
	const got = collect(a);
	for (const f of ['#', '+/feeds/#', '+/feeds/kept', '$share/g/#', 'bob/feeds/kept']) await subscribe(a, f, 1);
	await publish(a, 'alice/feeds/own', 'after-retained', { qos: 1 });
	await got.next((m) => m.text === 'after-retained');
	await sleep(200);
	assert.deepEqual(got.matching((m) => m.text === payload).map((m) => m.topic), []);
	a.end();
});

test("a Last Will aimed at another user's feed is refused or never delivered", async (s) => {
	const a = await s.connectOk('alice', alice.key);
	const got = collect(a);
	await subscribe(a, 'alice/feeds/will', 1);
	const payload = `bob-will-${uniq()}`;
	let c;
	try {
		c = await s.connect('bob', bob.key, { will: { topic: 'alice/feeds/will', payload, qos: 1 } });
	} catch {
		c = null; // refusing the CONNECT is a fine answer too
	}
	if (c) {
		const closed = whenClosed(c);
		c.stream.destroy(); // an abrupt drop: the broker publishes the will
		await closed;
		await publish(a, 'alice/feeds/will', 'after-will', { qos: 1 });
		await got.next((m) => m.text === 'after-will');
		await sleep(300);
	}
	assert.equal(got.matching((m) => m.text === payload).length, 0, "bob's will reached alice's feed");
	assert.ok(!(await storedRows(s, 'alice', 'will')).some((r) => r.value === payload), "bob's will stored in alice's feed");
	a.end();
});

test("a user whose name is a prefix of another's (ali vs alice) gets nothing of alice's", async (s) => {
	const ali = await s.user('ali');
	const c = await s.connectOk('ali', ali.key, { protocolVersion: 5 });
	const got = collect(c);
	assert.ok(REFUSED((await subscribe(c, 'alice/#', 1))[0]), 'ali subscribing alice/#');
	assert.ok(REFUSED((await subscribe(c, 'alice/feeds/own', 1))[0]), 'ali subscribing alice/feeds/own');
	await subscribe(c, '#', 1);
	const code = await publish(c, 'alice/feeds/x', 'from-ali', { qos: 1 });
	assert.ok(REFUSED(code), `ali publishing into alice/feeds/x: PUBACK ${code}`);
	await publish(aliceV5, 'alice/feeds/own', 'alice-for-nobody', { qos: 1 });
	await publish(c, 'ali/feeds/own', 'ali-own', { qos: 1 });
	await got.next((m) => m.text === 'ali-own');
	await sleep(200);
	assert.deepEqual(got.matching((m) => m.topic.startsWith('alice')).map((m) => m.topic), []);
	assert.equal(aliceWatch.matching((m) => m.text === 'from-ali').length, 0);
	c.end();
});

test("a topic with dot segments (alice/../bob/feeds/x) stays in alice's namespace", async (s) => {
	const payload = `alice-dots-${uniq()}`;
	await publish(aliceV5, 'alice/../bob/feeds/x', payload, { qos: 1 });
	await publish(aliceV5, 'alice/feeds/own', `after-${payload}`, { qos: 1 });
	await aliceWatch.next((m) => m.text === `after-${payload}`);
	await sleep(300);
	assert.equal(bobInbox.matching((m) => m.text === payload).length, 0);
	assert.ok(!(await storedRows(s, 'bob', 'x')).some((r) => r.value === payload));
});

test('nothing alice tried is stored in bob\'s feeds, and no feed came from her attempts', async (s) => {
	const tag = uniq();
	await publish(bobC, 'bob/feeds/final', `bob-${tag}`, { qos: 1 });
	bobFeedsPublishedByBob.add('final');
	await waitFor(async () => (await storedRows(s, 'bob', 'final')).some((r) => r.value === `bob-${tag}`), { timeout: 8000, what: 'bob final marker stored' });
	const bobRows = await s.sqlRows(`SELECT f.key, d.value FROM data d JOIN feeds f ON f.id=d.feed_id JOIN users u ON u.id=f.user_id WHERE u.username='bob'`);
	const foreign = bobRows.filter(([, v]) => v.includes('alice'));
	assert.deepEqual(foreign, [], 'rows in bob\'s feeds carrying alice\'s payloads');
	const bobKeys = await feedKeysOf(s, 'bob');
	const groupish = (k) => k === 'gx' || k === 'g.gx';
	const unexpected = bobKeys.filter((k) => !bobFeedsPublishedByBob.has(k) && !groupish(k));
	assert.deepEqual(unexpected, [], 'feeds in bob\'s account that bob never published to');
	const aliceKeys = await feedKeysOf(s, 'alice');
	assert.ok(!aliceKeys.includes('errors') && !aliceKeys.includes('throttle'), `alice's notice topics became feeds: ${aliceKeys}`);
	const users = (await s.sqlRows(`SELECT username FROM users ORDER BY 1`)).map((r) => r[0]);
	assert.ok(!users.includes('other'), 'no user "other" was made');
});

// ---------------------------------------------------------------------------------------------
// Client ids

test("client-id takeover: bob connecting with alice's board's client id is refused, alice stays connected", async (s) => {
	const board = await s.connectOk('alice', alice.key, { clientId: 'alice-photon2-board' });
	const got = collect(board);
	await subscribe(board, 'alice/feeds/still', 1);
	let closed = false;
	board.on('close', () => { closed = true; });
	const code = await s.connectRefused('bob', bob.key, { clientId: 'alice-photon2-board' });
	assert.ok(code !== undefined);
	await sleep(300);
	assert.ok(!closed && board.connected, "alice's board was kicked off");
	await publish(board, 'alice/feeds/still', 'here', { qos: 1 });
	await got.next('alice/feeds/still');
	board.end();
});

test('client-id takeover over MQTT 5 is refused too', async (s) => {
	const board = await s.connectOk('alice', alice.key, { clientId: 'alice-v5-board', protocolVersion: 5 });
	let closed = false;
	board.on('close', () => { closed = true; });
	const code = await s.connectRefused('bob', bob.key, { clientId: 'alice-v5-board', protocolVersion: 5 });
	assert.ok(code !== undefined);
	await sleep(300);
	assert.ok(!closed && board.connected, "alice's board was kicked off");
	board.end();
});

test("client-id takeover with a wrong key does not kick alice's board either", async (s) => {
	const board = await s.connectOk('alice', alice.key, { clientId: 'alice-board-3' });
	let closed = false;
	board.on('close', () => { closed = true; });
	await s.connectRefused('alice', 'perch_' + 'q'.repeat(32), { clientId: 'alice-board-3' });
	await sleep(300);
	assert.ok(!closed && board.connected);
	board.end();
});

test('alice reusing her own client id is allowed (the newer connection replaces the older)', async (s) => {
	const first = await s.connectOk('alice', alice.key, { clientId: 'alice-reuse' });
	const gone = whenClosed(first);
	const second = await s.connectOk('alice', alice.key, { clientId: 'alice-reuse' });
	assert.ok(second.connected);
	await Promise.race([gone, sleep(3000).then(() => { throw new Error('the older connection was not replaced'); })]);
	second.end();
});

test("claiming an offline board's client id with a persistent session neither inherits its queue nor locks it out", async (s) => {
	// alice's board has a persistent session and a message waiting for it while it is off
	const board = await s.connectOk('alice', alice.key, { clientId: 'alice-kept', clean: false });
	await subscribe(board, 'alice/feeds/kept', 1);
	board.end(true);
	await sleep(200);
	const pub = await s.connectOk('alice', alice.key);
	await publish(pub, 'alice/feeds/kept', 'for-alice-only', { qos: 1 });
	pub.end(true);
	// bob may not resume that session...
	await s.connectRefused('bob', bob.key, { clientId: 'alice-kept', clean: false });
	// ...but a clean start is allowed (the broker discards alice's queue) and delivers nothing of hers
	const eve = await s.connectOk('bob', bob.key, { clientId: 'alice-kept', clean: true });
	const got = collect(eve);
	await sleep(500);
	assert.equal(got.messages.length, 0, JSON.stringify(got.messages.map((m) => m.text)));
	eve.end(true);
	await sleep(200);
	// and alice's board can still come back with its own id
	const back = await s.connectOk('alice', alice.key, { clientId: 'alice-kept', clean: true });
	back.end(true);
});

// ---------------------------------------------------------------------------------------------
// The instructor

test('instructor subscribed to +/feeds/# receives both students\' data', async (s) => {
	const t = await s.connectOk('teacher', teacher.key);
	const got = collect(t);
	assert.ok(!REFUSED((await subscribe(t, '+/feeds/#', 1))[0]));
	const tag = uniq();
	await publish(aliceV5, 'alice/feeds/lab', `a-${tag}`, { qos: 1 });
	await publish(bobC, 'bob/feeds/lab', `b-${tag}`, { qos: 1 });
	bobFeedsPublishedByBob.add('lab');
	await got.next((m) => m.topic === 'alice/feeds/lab' && m.text === `a-${tag}`);
	await got.next((m) => m.topic === 'bob/feeds/lab' && m.text === `b-${tag}`);
	t.end();
});

test('instructor publishes to class/news and both students receive it', async (s) => {
	const a = await s.connectOk('alice', alice.key);
	const got = collect(a);
	await subscribe(a, 'class/news', 1);
	const text = `lab at 10 ${uniq()}`;
	const code = await publish(teacherC, 'class/news', text, { qos: 1 });
	assert.ok(!REFUSED(code));
	assert.equal((await got.next('class/news')).text, text);
	assert.equal((await bobInbox.next((m) => m.topic === 'class/news' && m.text === text)).text, text);
	a.end();
});

test('instructor cannot publish into a student\'s feed (+/… is read-only for instructors)', async (s) => {
	const t = await s.connectOk('teacher', teacher.key, { protocolVersion: 5 });
	const payload = `teacher-${uniq()}`;
	const code = await publish(t, 'bob/feeds/x', payload, { qos: 1 });
	assert.ok(REFUSED(code), `PUBACK reason ${code}`);
	const tag = uniq();
	await publish(bobC, 'bob/feeds/sync', `sync-${tag}`, { qos: 1 });
	await bobInbox.next((m) => m.text === `sync-${tag}`);
	await sleep(150);
	assert.equal(bobInbox.matching((m) => m.text === payload).length, 0);
	t.end();
});

test('instructor cannot read $SYS', async (s) => {
	const t = await s.connectOk('teacher', teacher.key);
	assert.ok(REFUSED((await subscribe(t, '$SYS/#'))[0]));
	t.end();
});

// ---------------------------------------------------------------------------------------------
// REST isolation

async function assertNoLeak(r, what) {
	assert.ok([403, 404].includes(r.status), `${what}: ${r.status} ${r.text.slice(0, 200)}`);
	assert.ok(!r.text.includes('bob-secret') && !r.text.includes('bob-'), `${what} leaks bob's data: ${r.text.slice(0, 200)}`);
	assert.equal(typeof r.json?.error, 'string', `${what}: JSON error body`);
}

test("REST: alice's key on GET /api/v2/bob/feeds answers 403/404 without data", async (s) => {
	await assertNoLeak(await s.api('GET', '/api/v2/bob/feeds', { key: alice.key }), 'GET bob/feeds');
});

test("REST: alice's key on GET /api/v2/bob/feeds/x and …/data answers 403/404", async (s) => {
	await assertNoLeak(await s.api('GET', '/api/v2/bob/feeds/x', { key: alice.key }), 'GET bob/feeds/x');
	await assertNoLeak(await s.api('GET', '/api/v2/bob/feeds/x/data', { key: alice.key }), 'GET bob/feeds/x/data');
	await assertNoLeak(await s.api('GET', '/api/v2/bob/feeds/x/data/last', { key: alice.key }), 'GET bob/feeds/x/data/last');
	await assertNoLeak(await s.api('GET', '/api/v2/bob/feeds/x/data/chart?hours=1', { key: alice.key }), 'GET bob/feeds/x/data/chart');
	await assertNoLeak(await s.api('GET', '/api/v2/bob/throttle', { key: alice.key }), 'GET bob/throttle');
});

test("REST: alice's key cannot POST data into bob's feed", async (s) => {
	const r = await s.api('POST', '/api/v2/bob/feeds/x/data', { key: alice.key, body: { value: 'alice-rest-intrusion' } });
	await assertNoLeak(r, 'POST bob/feeds/x/data');
	const rows = await storedRows(s, 'bob', 'x');
	assert.ok(!rows.some((x) => x.value === 'alice-rest-intrusion'));
});

test("REST: alice's key cannot create, change or delete bob's feeds", async (s) => {
	await assertNoLeak(await s.api('POST', '/api/v2/bob/feeds', { key: alice.key, body: { feed: { name: 'planted' } } }), 'POST bob/feeds');
	await assertNoLeak(await s.api('PUT', '/api/v2/bob/feeds/x', { key: alice.key, body: { feed: { description: 'hacked' } } }), 'PUT bob/feeds/x');
	await assertNoLeak(await s.api('DELETE', '/api/v2/bob/feeds/x', { key: alice.key }), 'DELETE bob/feeds/x');
	assert.ok((await feedKeysOf(s, 'bob')).includes('x'), "bob's feed x still exists");
	assert.ok(!(await feedKeysOf(s, 'bob')).includes('planted'));
	const d = await s.sql(`SELECT coalesce(description,'') FROM feeds f JOIN users u ON u.id=f.user_id WHERE u.username='bob' AND f.key='x'`);
	assert.notEqual(d, 'hacked');
});

test("REST: alice's key in the x-aio-key query parameter on bob's path answers 403/404", async (s) => {
	await assertNoLeak(await s.api('GET', `/api/v2/bob/feeds?x-aio-key=${alice.key}`), 'GET bob/feeds?x-aio-key');
});

test('REST: no key answers 401 with a JSON error', async (s) => {
	for (const p of ['/api/v2/user', '/api/v2/bob/feeds', '/api/v2/bob/feeds/x/data']) {
		const r = await s.api('GET', p);
		assert.equal(r.status, 401, `${p}: ${r.status} ${r.text}`);
		assert.equal(typeof r.json?.error, 'string');
		assert.ok(!r.text.includes('bob-'));
	}
});

test('REST: a wrong key answers 401 with a JSON error', async (s) => {
	for (const key of ['perch_' + 'w'.repeat(32), 'garbage', bob.key.slice(0, -1) + (bob.key.endsWith('a') ? 'b' : 'a')]) {
		const r = await s.api('GET', '/api/v2/bob/feeds', { key });
		assert.equal(r.status, 401, `key ${key}: ${r.status} ${r.text}`);
		assert.equal(typeof r.json?.error, 'string');
	}
});

test('REST: bob\'s own key reads his feeds (the control for the refusals above)', async (s) => {
	const r = await s.api('GET', '/api/v2/bob/feeds/x/data', { key: bob.key });
	assert.equal(r.status, 200, r.text);
	assert.ok(r.json.some((d) => d.value === 'bob-secret-0'));
});
