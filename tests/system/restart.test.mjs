// Issue 2, point 8: nothing is lost on a restart of perch (the ingest's persistent session in the
// broker keeps QoS 1 messages published while the daemon is down), and data older than the
// feed's retention is removed by the daemon.

import assert from 'node:assert/strict';
import { collect, publish, sleep, storedRows, subscribe, useStack, waitFor, waitRows } from './harness.mjs';

// PERCH_RETENTION_INTERVAL: how often (seconds) the daemon purges; 1 so the test need not wait.
const { test } = useStack({ label: 'restart', env: { PERCH_RETENTION_INTERVAL: '1' } });

let alice;
const N = 500;

test('QoS 1 messages published while the daemon is stopped are all stored once, after it starts', { timeout: 90000 }, async (s) => {
	alice = await s.user('alice');
	const c = await s.connectOk('alice', alice.key, { clientId: 'alice-restart' });
	await publish(c, 'alice/feeds/durable', 'before', { qos: 1 });
	await waitRows(s, 'alice', 'durable', 1);

	await s.stopDaemon();
	assert.ok(c.connected, 'the broker keeps running without the daemon');
	// Publish at a pace under the 50/s limit so the throttle does not refuse any of them.
	const t0 = Date.now();
	for (let i = 1; i <= N; i++) {
		await publish(c, 'alice/feeds/durable', `m${i}`, { qos: 1 });
		const due = t0 + i * 22; // ~45/s
		const wait = due - Date.now();
		if (wait > 0) await sleep(wait);
	}
	assert.equal((await storedRows(s, 'alice', 'durable')).length, 1, 'nothing stored while the daemon is down');

	await s.startDaemon();
	const rows = await waitRows(s, 'alice', 'durable', N + 1, 30000);
	await sleep(1000); // a duplicate delivery would show up by now
	const all = (await storedRows(s, 'alice', 'durable')).map((r) => r.value);
	const counts = new Map();
	for (const v of all) counts.set(v, (counts.get(v) ?? 0) + 1);
	const dups = [...counts].filter(([, n]) => n > 1);
	const missing = Array.from({ length: N }, (_, i) => `m${i + 1}`).filter((v) => !counts.has(v));
	assert.deepEqual(missing, [], 'messages lost across the restart');
	assert.deepEqual(dups, [], 'messages stored more than once');
	assert.equal(all.length, N + 1);
	void rows;
	c.end();
});

test('the daemon restarted cleanly: REST and MQTT ingest work again', async (s) => {
	const r = await s.api('GET', '/api/v2/alice/feeds/durable/data?limit=1', { key: alice.key });
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json[0].value, `m${N}`);
	const c = await s.connectOk('alice', alice.key);
	await publish(c, 'alice/feeds/after', 'yes', { qos: 1 });
	await waitRows(s, 'alice', 'after', 1);
	c.end();
});

test('a second stop/start with QoS 1 messages in between loses nothing either', { timeout: 60000 }, async (s) => {
	const c = await s.connectOk('alice', alice.key, { clientId: 'alice-restart-2' });
	await s.stopDaemon();
	for (let i = 1; i <= 20; i++) await publish(c, 'alice/feeds/second', `s${i}`, { qos: 1 });
	await s.startDaemon();
	const rows = await waitRows(s, 'alice', 'second', 20, 20000);
	await sleep(500);
	assert.equal((await storedRows(s, 'alice', 'second')).length, 20);
	void rows;
	c.end();
});

async function feedId(s, key) {
	return s.sql(`SELECT f.id FROM feeds f JOIN users u ON u.id=f.user_id WHERE u.username='alice' AND f.key='${key}'`);
}

test('retention: rows older than 30 days are removed by the daemon, recent ones kept', { timeout: 60000 }, async (s) => {
	const c = await s.connectOk('alice', alice.key);
	await publish(c, 'alice/feeds/old', 'recent', { qos: 1 });
	await waitRows(s, 'alice', 'old', 1);
	c.end();
	const id = await feedId(s, 'old');
	await s.psql(`INSERT INTO data (feed_id, created_at, value, num) VALUES
		(${id}, now() - interval '40 days', 'forty days old', NULL),
		(${id}, now() - interval '31 days', 'thirty-one days old', NULL),
		(${id}, now() - interval '29 days', 'twenty-nine days old', NULL),
		(${id}, now() - interval '1 day', 'one day old', NULL)`);
	await waitFor(async () => !(await storedRows(s, 'alice', 'old')).some((r) => r.value.includes('forty') || r.value.includes('thirty-one')),
		{ timeout: 20000, interval: 250, what: 'old rows purged' });
	const left = (await storedRows(s, 'alice', 'old')).map((r) => r.value).sort();
	assert.deepEqual(left, ['one day old', 'recent', 'twenty-nine days old'].sort());
});

test("retention: a feed's own retention_days overrides the default", { timeout: 60000 }, async (s) => {
	const c = await s.connectOk('alice', alice.key);
	await publish(c, 'alice/feeds/short', 'now', { qos: 1 });
	await waitRows(s, 'alice', 'short', 1);
	c.end();
	const id = await feedId(s, 'short');
	await s.psql(`UPDATE feeds SET retention_days = 2 WHERE id = ${id}`);
	await s.psql(`INSERT INTO data (feed_id, created_at, value) VALUES (${id}, now() - interval '3 days', 'three days old'), (${id}, now() - interval '1 day', 'one day old')`);
	await waitFor(async () => !(await storedRows(s, 'alice', 'short')).some((r) => r.value === 'three days old'),
		{ timeout: 20000, interval: 250, what: '3-day-old row purged from a 2-day feed' });
	const left = (await storedRows(s, 'alice', 'short')).map((r) => r.value).sort();
	assert.deepEqual(left, ['now', 'one day old']);
});

test("retention: the user's retention (perch user set --retention-days) applies to their feeds", { timeout: 60000 }, async (s) => {
	const g = await s.user('grad');
	await s.perchOk('user', 'set', 'grad', '--retention-days', '90');
	const c = await s.connectOk('grad', g.key);
	await publish(c, 'grad/feeds/kept', 'now', { qos: 1 });
	await waitRows(s, 'grad', 'kept', 1);
	c.end();
	const id = await s.sql(`SELECT f.id FROM feeds f JOIN users u ON u.id=f.user_id WHERE u.username='grad' AND f.key='kept'`);
	await s.psql(`INSERT INTO data (feed_id, created_at, value) VALUES (${id}, now() - interval '60 days', 'sixty'), (${id}, now() - interval '100 days', 'hundred')`);
	await waitFor(async () => !(await storedRows(s, 'grad', 'kept')).some((r) => r.value === 'hundred'),
		{ timeout: 20000, interval: 250, what: '100-day-old row purged' });
	await sleep(2500); // two more purge rounds (PERCH_RETENTION_INTERVAL=1) must keep the 60-day row
	const left = (await storedRows(s, 'grad', 'kept')).map((r) => r.value).sort();
	assert.deepEqual(left, ['now', 'sixty']);
});

/** Makes this stack's database unreachable (the cluster stays up for the other test files). */
async function databaseDown(s) {
	await s.psql(`ALTER DATABASE ${s.dbName} ALLOW_CONNECTIONS false`, 'postgres');
	await s.psql(`SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '${s.dbName}' AND pid <> pg_backend_pid()`, 'postgres');
}
const databaseUp = (s) => s.psql(`ALTER DATABASE ${s.dbName} ALLOW_CONNECTIONS true`, 'postgres');

let outageValue;
test('with the database down, known users still connect and MQTT still flows (the plugin keeps credentials in memory)', { timeout: 60000 }, async (s) => {
	await databaseDown(s);
	try {
		await sleep(500); // the plugin's and daemon's connections have been cut by now
		const t0 = Date.now();
		const c = await s.connect('alice', alice.key); // one attempt: no retry
		const ms = Date.now() - t0;
		assert.ok(ms < 1000, `connecting took ${ms} ms with the database down`);
		const got = collect(c);
		await subscribe(c, 'alice/feeds/outage', 1);
		outageValue = `during-outage-${Date.now()}`;
		await publish(c, 'alice/feeds/outage', outageValue, { qos: 1 });
		assert.equal((await got.next('alice/feeds/outage')).text, outageValue);
		assert.equal(await s.connectRefused('alice', 'perch_' + 'd'.repeat(32)), 5, 'a wrong key is still refused');
		c.end();
	} finally {
		await databaseUp(s);
	}
});

test('after the database is back, the daemon recovers: healthz 200, new data stored', { timeout: 60000 }, async (s) => {
	const c = await s.connectOk('alice', alice.key);
	await waitFor(async () => (await s.api('GET', '/healthz')).status === 200, { timeout: 20000, what: 'healthz 200 after the outage' });
	await publish(c, 'alice/feeds/recovered', 'yes', { qos: 1 });
	await waitRows(s, 'alice', 'recovered', 1, 20000);
	const r = await s.api('GET', '/api/v2/alice/feeds/recovered/data', { key: alice.key });
	assert.equal(r.status, 200, r.text);
	c.end();
});

test('a QoS 1 value published while the database was down is stored once it is back', { timeout: 60000 }, async (s) => {
	assert.ok(outageValue, 'the outage test ran');
	const rows = await waitRows(s, 'alice', 'outage', 1, 20000);
	assert.deepEqual(rows.map((r) => r.value), [outageValue]);
});
