// Issue 2, points 3 and 4: the time/* topics tick every second; with PERCH_ANONYMOUS_TIME=1 an
// anonymous client may read time/… and nothing else (as Adafruit IO allows).

import assert from 'node:assert/strict';
import { collect, publish, run, subscribe, useStack } from './harness.mjs';

const { test } = useStack({ label: 'time', anonymousTime: true });

let alice;

async function ticks(c, topic, n, timeout = 5000) {
	const msgs = collect(c);
	const granted = await subscribe(c, topic, 0);
	assert.ok(granted[0] < 0x80, `SUBACK for ${topic}: ${granted}`);
	const end = Date.now() + timeout;
	while (msgs.matching(topic).length < n && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
	const got = msgs.matching(topic);
	assert.ok(got.length >= n, `${got.length} message(s) on ${topic} in ${timeout} ms, wanted ${n}`);
	return got;
}

function assertAboutOneSecondApart(ms) {
	for (let i = 1; i < ms.length; i++) {
		const gap = ms[i].at - ms[i - 1].at;
		assert.ok(gap > 400 && gap < 1700, `ticks ${gap} ms apart`);
	}
}

test('time/seconds ticks every second with the Unix time in seconds', async (s) => {
	alice = await s.user('alice');
	const c = await s.connectOk('alice', alice.key);
	const got = await ticks(c, 'time/seconds', 3);
	for (const m of got) {
		assert.match(m.text, /^\d+$/);
		assert.ok(Math.abs(Number(m.text) - Date.now() / 1000) < 3, `time/seconds ${m.text} vs now`);
	}
	assertAboutOneSecondApart(got.slice(-3));
	c.end();
});

test('time/millis ticks every second with the Unix time in milliseconds', async (s) => {
	const c = await s.connectOk('alice', alice.key);
	const got = await ticks(c, 'time/millis', 2);
	for (const m of got) {
		assert.match(m.text, /^\d+$/);
		assert.ok(Math.abs(Number(m.text) - m.at) < 2000, `time/millis ${m.text} vs received at ${m.at}`);
	}
	assertAboutOneSecondApart(got.slice(-2));
	c.end();
});

test('time/ISO-8601 ticks every second in UTC with milliseconds', async (s) => {
	const c = await s.connectOk('alice', alice.key);
	const got = await ticks(c, 'time/ISO-8601', 2);
	for (const m of got) {
		assert.match(m.text, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
		assert.ok(Math.abs(Date.parse(m.text) - m.at) < 2000);
	}
	c.end();
});

test('time/+ gives all three time topics to a student', async (s) => {
	const c = await s.connectOk('alice', alice.key);
	const msgs = collect(c);
	await subscribe(c, 'time/+');
	await msgs.next('time/seconds', 3000);
	await msgs.next('time/millis', 3000);
	await msgs.next('time/ISO-8601', 3000);
	c.end();
});

test('anonymous client connects when PERCH_ANONYMOUS_TIME=1 and reads time/seconds', async (s) => {
	const c = await s.connectOk(undefined, undefined);
	const got = await ticks(c, 'time/seconds', 1, 3000);
	assert.match(got[0].text, /^\d+$/);
	c.end();
});

test('anonymous client with an empty client id reads time/ISO-8601 (Adafruit anon example)', async (s) => {
	const c = await s.connectOk(undefined, undefined, { clientId: '' });
	await ticks(c, 'time/ISO-8601', 1, 3000);
	c.end();
});

test("anonymous client cannot subscribe to a user's feeds", async (s) => {
	const c = await s.connectOk(undefined, undefined);
	const granted = await subscribe(c, 'alice/feeds/x');
	assert.ok(granted[0] >= 0x80, `SUBACK ${granted}`);
	c.end();
});

test('anonymous client subscribed to # receives only time topics (or is refused)', async (s) => {
	const anon = await s.connectOk(undefined, undefined);
	const msgs = collect(anon);
	const granted = await subscribe(anon, '#');
	const a = await s.connectOk('alice', alice.key);
	const t0 = Date.now();
	await publish(a, 'alice/feeds/secret', 'anon-must-not-see', { qos: 1 });
	if (granted[0] < 0x80) {
		// a tick after alice's publish: the broker has routed her message by then
		await msgs.next((m) => m.topic === 'time/seconds' && m.at > t0, 3000);
	}
	await new Promise((r) => setTimeout(r, 300));
	const leaked = msgs.matching((m) => !m.topic.startsWith('time/'));
	assert.deepEqual(leaked.map((m) => m.topic), []);
	anon.end();
	a.end();
});

test('anonymous client cannot publish (nothing stored, nothing delivered)', async (s) => {
	const a = await s.connectOk('alice', alice.key);
	const msgs = collect(a);
	await subscribe(a, 'alice/feeds/anon', 1);
	const anon = await s.connectOk(undefined, undefined);
	await publish(anon, 'alice/feeds/anon', 'from-anonymous', { qos: 1 });
	await publish(anon, 'time/seconds', '0', { qos: 1 });
	await publish(a, 'alice/feeds/anon', 'from-alice', { qos: 1 });
	await msgs.next((m) => m.text === 'from-alice');
	assert.equal(msgs.matching((m) => m.text === 'from-anonymous').length, 0);
	anon.end();
	a.end();
});

test('anonymous client cannot subscribe to $SYS', async (s) => {
	const c = await s.connectOk(undefined, undefined);
	const granted = await subscribe(c, '$SYS/#');
	assert.ok(granted[0] >= 0x80, `SUBACK ${granted}`);
	c.end();
});

test('a student cannot publish on time/seconds', async (s) => {
	const a = await s.connectOk('alice', alice.key);
	const msgs = collect(a);
	await subscribe(a, 'time/seconds');
	await publish(a, 'time/seconds', '12345', { qos: 1 });
	const acked = Date.now();
	await msgs.next((m) => m.topic === 'time/seconds' && m.text !== '12345' && m.at > acked, 3000);
	await new Promise((r) => setTimeout(r, 100));
	assert.equal(msgs.matching((m) => m.text === '12345').length, 0);
	a.end();
});

test('mosquitto_sub reads time/seconds anonymously', async (s) => {
	const r = await run('mosquitto_sub', ['-h', '127.0.0.1', '-p', String(s.ports.mqtt), '-t', 'time/seconds', '-C', '1', '-W', '5']);
	assert.equal(r.code, 0, r.stderr);
	assert.match(r.stdout.trim(), /^\d+$/);
});
