// Adafruit IO's fan-out: a value published on one form of a feed topic reaches the boards that
// subscribe to another form ({u}/feeds/k, {u}/f/k, each raw, /json or /csv), so Adafruit's
// Arduino library (subscribed to {u}/f/k/csv) hears a dashboard that publishes on {u}/feeds/k.
// Copies are made only for explicit subscriptions, never to another user.

import assert from 'node:assert/strict';
import { collect, publish, sleep, subscribe, useStack, waitRows } from './harness.mjs';

const { test } = useStack({ label: 'fanout' });

let alice;
let bob;

test('a raw value on {u}/feeds/k reaches subscribers of {u}/f/k/csv and {u}/feeds/k/json', async (s) => {
	alice = await s.user('alice');
	const board = await s.connect('alice', alice.key, { retryMs: 2000 });
	const boardMsgs = collect(board);
	await subscribe(board, 'alice/f/led/csv');
	await subscribe(board, 'alice/feeds/led/json');
	const dash = await s.connect('alice', alice.key);
	await publish(dash, 'alice/feeds/led', 'ON', { qos: 1 });
	const csv = await boardMsgs.next('alice/f/led/csv');
	assert.equal(csv.text, 'ON,,,');
	const json = await boardMsgs.next('alice/feeds/led/json');
	assert.deepEqual(JSON.parse(json.text), { value: 'ON' });
	board.end(true);
	dash.end(true);
});

test('the Arduino library\'s quoted CSV with a location reaches a raw subscriber as the bare value', async (s) => {
	const py = await s.connect('alice', alice.key);
	const msgs = collect(py);
	await subscribe(py, 'alice/feeds/temp');
	const arduino = await s.connect('alice', alice.key);
	await publish(arduino, 'alice/f/temp/csv', '"22.5",48.5,2.25,35', { qos: 1 });
	const m = await msgs.next('alice/feeds/temp');
	assert.equal(m.text, '22.5');
	// stored once, not once per copy
	await waitRows(s, 'alice', 'temp', 1);
	await sleep(500);
	assert.equal(await s.sql("SELECT count(*) FROM data d JOIN feeds f ON f.id = d.feed_id WHERE f.key = 'temp'"), '1');
	py.end(true);
	arduino.end(true);
});

test('a value posted over REST reaches a board subscribed to the /f/…/csv form', async (s) => {
	const board = await s.connect('alice', alice.key);
	const msgs = collect(board);
	await subscribe(board, 'alice/f/relay/csv');
	await s.api('POST', '/api/v2/alice/feeds', { key: alice.key, body: { feed: { name: 'relay' } } });
	const r = await s.api('POST', '/api/v2/alice/feeds/relay/data', { key: alice.key, body: { value: 'OFF' } });
	assert.equal(r.status, 200, r.text);
	const m = await msgs.next('alice/f/relay/csv');
	assert.equal(m.text, 'OFF,,,');
	// the copy is not stored again by perch's ingest
	await sleep(700);
	assert.equal(await s.sql("SELECT count(*) FROM data d JOIN feeds f ON f.id = d.feed_id WHERE f.key = 'relay'"), '1');
	board.end(true);
});

test('wildcard subscriptions cause no copies: a {u}/# subscriber gets each value once', async (s) => {
	const page = await s.connect('alice', alice.key);
	const msgs = collect(page);
	await subscribe(page, 'alice/#');
	const board = await s.connect('alice', alice.key);
	await publish(board, 'alice/feeds/humidity', '41', { qos: 1 });
	await msgs.next('alice/feeds/humidity');
	await sleep(500);
	assert.equal(msgs.matching((m) => m.text === '41' || m.text.startsWith('41,') || m.text.includes('"41"')).length, 1);
	page.end(true);
	board.end(true);
});

test('copies never cross to another user, and another user\'s subscriptions cause none', async (s) => {
	bob = await s.user('bob');
	const bobClient = await s.connect('bob', bob.key, { retryMs: 2000 });
	const bobMsgs = collect(bobClient);
	await subscribe(bobClient, 'bob/f/led/csv');
	await subscribe(bobClient, 'alice/f/led/csv'); // refused by the ACL
	const aliceBoard = await s.connect('alice', alice.key);
	await publish(aliceBoard, 'alice/feeds/led', 'SECRET', { qos: 1 });
	await sleep(700);
	assert.equal(bobMsgs.messages.length, 0, JSON.stringify(bobMsgs.messages.map((m) => m.topic)));
	bobClient.end(true);
	aliceBoard.end(true);
});

test('after the subscriber leaves, no more copies are made', async (s) => {
	const sub = await s.connect('alice', alice.key);
	await subscribe(sub, 'alice/f/fan/csv');
	sub.end(true);
	await sleep(300);
	const watcher = await s.connect('alice', alice.key);
	const msgs = collect(watcher);
	await subscribe(watcher, 'alice/+/fan/csv'); // not counted ('+' in the second level)
	const board = await s.connect('alice', alice.key);
	await publish(board, 'alice/feeds/fan', '3', { qos: 1 });
	await sleep(600);
	assert.equal(msgs.messages.length, 0);
	watcher.end(true);
	board.end(true);
});
