// Browser tests of the web app (issue 3): headless Chromium against the real daemon serving
// web/dist, the real Mosquitto with perch's plugin (the page's live connection is MQTT over
// WebSocket to it) and PostgreSQL. MQTT.js plays the board.
//
// Run: PERCH_TEST_PG_HOST=<socket dir> node --test tests/e2e/   (see tests/e2e/README.md)

import assert from 'node:assert/strict';
import { after } from 'node:test';
import {
	collect, publish, sleep, subscribe, useStack, waitFor, waitRows, whenClosed,
} from '../system/harness.mjs';
import { assertCleanPage, bodyText, launch, openPage, signIn, stackEnv, waitLive, wsPublishes } from './browser.mjs';

const ctx = useStack({ env: stackEnv(), label: 'e2e' });

const PW = { alice: 'alice-Pass-4821', bob: 'bob-Pass-9377', teacher: 'teacher-Pass-1150' };
let browser;
let alice; // {name, key, keyId}: alice's board key (made with the CLI)
let board; // alice's board: an MQTT.js client with her key

// Shared setup, made by the first test that runs (so that --test-name-pattern works too).
let ready;
function setup(s) {
	ready ??= (async () => {
		browser = await launch();
		alice = await s.user('alice', { password: PW.alice });
		await s.addUser('bob', { password: PW.bob });
		await s.addUser('teacher', { password: PW.teacher, instructor: true });
		board = await s.connectOk('alice', alice.key, { clientId: 'alice-board' });
		// alice's board has reported before anyone opens a page: the feeds exist
		await publish(board, 'alice/feeds/temperature', '20.5', { qos: 1 });
		await publish(board, 'alice/feeds/led-state', 'OFF', { qos: 1 });
		await waitRows(s, 'alice', 'temperature', 1);
		await waitRows(s, 'alice', 'led-state', 1);
		await aliceApi(s, 'POST', '/feeds', { feed: { name: 'relay' } }); // a command feed, as "+ New feed" makes it
	})();
	return ready;
}

const test = (name, fn) => ctx.test(name, { timeout: 45000 }, async (s, t) => {
	await setup(s);
	return fn(s, t);
});

after(async () => {
	await browser?.close();
});

/** REST as alice's board (X-AIO-Key). */
async function aliceApi(s, method, p, body) {
	const r = await s.api(method, `/api/v2/alice${p}`, { key: alice.key, body });
	assert.ok(r.status >= 200 && r.status < 300, `${method} ${p} -> ${r.status} ${r.text}`);
	return r.json;
}

/** A dashboard of alice's made through the REST API, with the given blocks. */
async function apiDashboard(s, name, blocks) {
	const d = await aliceApi(s, 'POST', '/dashboards', { dashboard: { name } });
	for (const b of blocks) {
		await aliceApi(s, 'POST', `/dashboards/${d.key}/blocks`, {
			block: { size_x: 4, size_y: 4, properties: {}, ...b, block_feeds: b.feeds.map((k) => ({ feed_id: k })) },
		});
	}
	return d;
}

/** Marks the document so that a later check can tell it was not reloaded. */
const markDocument = (page) => page.evaluate(() => { window.__perchNoReload = 'still here'; });
const assertNotReloaded = async (page) =>
	assert.equal(await page.evaluate(() => window.__perchNoReload), 'still here', 'the page was reloaded');

// ---------------------------------------------------------------------------------------------

test('1. sign in with a local account; a wrong password is refused with a visible error', async (s) => {
	const { context, page, problems } = await openPage(browser);
	try {
		await page.goto(`${s.http}/feeds`);
		await page.waitForSelector('#username');

		// wrong password: a visible error, still the sign-in form, no session
		await page.fill('#username', 'alice');
		await page.fill('#password', 'not-her-password');
		const [answer] = await Promise.all([
			page.waitForResponse((r) => r.url().endsWith('/api/session') && r.request().method() === 'POST'),
			page.click('button[type=submit]'),
		]);
		assert.equal(answer.status(), 401);
		const err = page.locator('[data-testid=signin-error]');
		await err.waitFor();
		assert.ok(await err.isVisible(), 'the error is visible');
		assert.match(await err.innerText(), /wrong user name or password/i);
		assert.equal(await page.locator('[data-testid=live-status]').count(), 0, 'no signed-in navbar');
		assert.equal((await context.cookies()).filter((c) => c.name === 'perch_session').length, 0, 'no session cookie');

		// the right password (user name in another case, with spaces around it)
		await page.fill('#username', ' alice ');
		await page.fill('#password', PW.alice);
		await page.click('button[type=submit]');
		await waitLive(page);
		assert.equal(new URL(page.url()).pathname, '/feeds');
		assert.match(await bodyText(page), /\btemperature\b/);
		const cookie = (await context.cookies()).find((c) => c.name === 'perch_session');
		assert.ok(cookie, 'a session cookie');
		assert.equal(cookie.httpOnly, true, 'HttpOnly');
		assert.ok(['Strict', 'Lax'].includes(cookie.sameSite), `SameSite ${cookie.sameSite}`);
		assert.equal(await page.evaluate(() => document.cookie.includes('perch_session')), false, 'not readable by scripts');

		// a mutation through the cookie needs the CSRF token of the session
		const noToken = await page.request.post(`${s.http}/api/keys`, { data: { label: 'csrf probe' } });
		assert.equal(noToken.status(), 403, `POST /api/keys without X-CSRF-Token -> ${noToken.status()}`);
		const csrf = (await (await page.request.get(`${s.http}/api/session`)).json()).csrf_token;
		const badToken = await page.request.post(`${s.http}/api/keys`, { data: { label: 'csrf probe' }, headers: { 'X-CSRF-Token': `${csrf}x` } });
		assert.equal(badToken.status(), 403, `POST /api/keys with a wrong X-CSRF-Token -> ${badToken.status()}`);
		assert.equal(await s.sql(`SELECT count(*) FROM mqtt_keys WHERE label = 'csrf probe'`), '0');

		// the session survives a reload
		await page.reload();
		await waitLive(page);
		assert.equal(await page.locator('#username').count(), 0);

		// sign out: back to the form, and a reload stays signed out
		await page.locator('nav button', { has: page.locator('span.rounded-full', { hasText: /^a$/i }) }).click();
		await page.click('[data-testid=sign-out]');
		await page.waitForSelector('#username');
		await page.reload();
		await page.waitForSelector('#username');
		const r = await page.request.get(`${s.http}/api/session`);
		assert.equal(r.status(), 401, 'the session is gone on the server');
		assertCleanPage(problems, assert);
	} finally {
		await context.close();
	}
});

test('2. a value published by a real MQTT client appears on the feed page and a dashboard block without reload', async (s) => {
	const dash = await apiDashboard(s, 'Live check', [
		{ name: 'Temperature now', visual_type: 'text', feeds: ['temperature'] },
		{ name: 'Temperature gauge', visual_type: 'gauge', feeds: ['temperature'], properties: { minValue: '0', maxValue: '50' } },
	]);
	const { context, page, problems } = await openPage(browser);
	try {
		await signIn(page, s.http, 'alice', PW.alice);
		await waitLive(page);

		// feed page
		await page.goto(`${s.http}/feeds/temperature`);
		await waitLive(page);
		await page.waitForSelector('[data-testid=data-table] tr');
		await markDocument(page);
		await publish(board, 'alice/feeds/temperature', '23.25', { qos: 1 });
		await page.waitForFunction(() => document.querySelector('[data-testid=feed-value]')?.textContent.includes('23.25'));
		await page.waitForFunction(() => document.querySelector('[data-testid=data-table] tr td:nth-child(2)')?.textContent === '23.25');
		await assertNotReloaded(page);

		// feeds list (client-side navigation, no reload)
		await page.click('a[href="/feeds"]');
		await page.waitForSelector('[data-testid=feed-row][data-feed=temperature]');
		await publish(board, 'alice/feeds/temperature', '24.75', { qos: 1 });
		await page.waitForFunction(() => document.querySelector('[data-testid=feed-row][data-feed=temperature] [data-testid=feed-last-value]')?.textContent.includes('24.75'));
		await assertNotReloaded(page);

		// dashboard
		await page.goto(`${s.http}/dashboards/${dash.key}`);
		await waitLive(page);
		await page.waitForSelector('[data-testid=text-value]');
		await page.waitForSelector('[data-testid=gauge]');
		await markDocument(page);
		await publish(board, 'alice/feeds/temperature', '31.5', { qos: 1 });
		await page.waitForFunction(() => document.querySelector('[data-testid=text-value]')?.textContent.includes('31.5'));
		await page.waitForFunction(() => document.querySelector('[data-testid=gauge]')?.textContent.includes('31.5'));
		// the group form reaches the same blocks
		await publish(board, 'alice/feeds/temperature/json', JSON.stringify({ value: '32.5' }), { qos: 1 });
		await page.waitForFunction(() => document.querySelector('[data-testid=text-value]')?.textContent.includes('32.5'));
		await assertNotReloaded(page);
		assertCleanPage(problems, assert);
	} finally {
		await context.close();
	}
});

test('3. build a dashboard with a line chart, a gauge and a toggle in the UI; after a reload it is still there', async (s) => {
	const { context, page, problems } = await openPage(browser);
	try {
		await signIn(page, s.http, 'alice', PW.alice);
		await page.click('a[href="/dashboards"]');
		await page.click('[data-testid=new-dashboard]');
		await page.fill('[data-testid=dashboard-name]', 'Lab bench');
		await page.click('[data-testid=dashboard-save]');
		await page.waitForURL(/\/dashboards\/[^/]+$/);
		const dashKey = decodeURIComponent(new URL(page.url()).pathname.split('/').pop());
		await page.waitForSelector('text=This dashboard is empty');

		const addBlock = async (type, fill) => {
			await page.click('[data-testid=add-block]');
			await page.click(`[data-testid=block-type-${type}]`);
			await fill();
			await page.click('[data-testid=block-save]');
			await page.waitForSelector('[data-testid=block-save]', { state: 'detached' });
		};
		// line chart over temperature
		await addBlock('line_chart', async () => {
			await page.fill('#blk-name', 'Temperature history');
			await page.locator('label', { hasText: 'temperature' }).locator('input[type=checkbox]').check();
		});
		// gauge 0..50 °C
		await addBlock('gauge', async () => {
			await page.fill('#blk-name', 'Temperature');
			await page.selectOption('[data-testid=block-feed]', 'temperature');
			await page.fill('#bp-maxValue', '50');
			await page.fill('#bp-label', '°C');
		});
		// toggle on a new feed "led", sending 1/0, showing the state the board reports on led-state
		await addBlock('toggle_button', async () => {
			await page.fill('#blk-name', 'LED');
			await page.selectOption('[data-testid=block-feed]', '__new__');
			await page.fill('input[placeholder^="New feed name"]', 'led');
			await page.fill('#bp-onValue', '1');
			await page.fill('#bp-offValue', '0');
			await page.selectOption('#bp-stateFeed', 'led-state');
		});
		await page.waitForFunction(() => document.querySelectorAll('[data-testid=block]').length === 3);
		// leave edit mode; wait until the layout is on the server
		await page.click('[data-testid=edit-layout]');
		await waitFor(async () => {
			const d = await aliceApi(s, 'GET', `/dashboards/${dashKey}`);
			return (d.blocks?.length === 3) && d.layouts?.lg?.length === 3;
		}, { what: 'three blocks and their lg layout saved' });

		const boxes = async () => page.$$eval('[data-testid=block]', (els) => Object.fromEntries(els.map((e) => {
			const r = e.getBoundingClientRect();
			return [e.dataset.blockType, [Math.round(r.x), Math.round(r.y), Math.round(r.width), Math.round(r.height)]];
		})));
		const before = await boxes();

		await page.reload();
		await page.waitForFunction(() => document.querySelectorAll('[data-testid=block]').length === 3);
		assert.equal(await page.textContent('[data-testid=dashboard-title]'), 'Lab bench');
		const types = await page.$$eval('[data-testid=block]', (els) => els.map((e) => e.dataset.blockType).sort());
		assert.deepEqual(types, ['gauge', 'line_chart', 'toggle_button']);
		const titles = await page.$$eval('[data-testid=block] h3', (els) => els.map((e) => e.textContent).sort());
		assert.deepEqual(titles, ['LED', 'Temperature', 'Temperature history']);
		await page.waitForSelector('[data-testid=line-chart] canvas');
		await page.waitForSelector('[data-testid=gauge] svg');
		await page.waitForSelector('[data-testid=toggle]');
		assert.deepEqual(await boxes(), before, 'blocks are where they were before the reload');

		// and on the server, as Adafruit IO's shapes
		const d = await aliceApi(s, 'GET', `/dashboards/${dashKey}`);
		const byType = Object.fromEntries(d.blocks.map((b) => [b.visual_type, b]));
		const feedKeys = (b) => b.block_feeds.map((bf) => bf.feed?.key ?? bf.feed_id);
		assert.deepEqual(feedKeys(byType.line_chart), ['temperature']);
		assert.deepEqual(feedKeys(byType.gauge), ['temperature']);
		assert.equal(byType.gauge.properties.maxValue, '50');
		assert.deepEqual(feedKeys(byType.toggle_button), ['led']);
		assert.equal(byType.toggle_button.properties.onValue, '1');
		assert.equal(byType.toggle_button.properties.offValue, '0');
		assert.equal(byType.toggle_button.properties.stateFeed, 'led-state');
		assertCleanPage(problems, assert);
	} finally {
		await context.close();
	}
});

test('4. flipping a toggle sends the exact value to the board; the state the board reports back is shown', async (s) => {
	const dash = await apiDashboard(s, 'Toggle check', [
		{ name: 'Relay', visual_type: 'toggle_button', feeds: ['relay'], properties: { onValue: 'RELAY ON', offValue: 'relay-off', stateFeed: 'led-state' } },
	]);
	// the board listens to its command feed with a key of its own
	const sub = await s.connectOk('alice', alice.key, { clientId: 'alice-board-listener' });
	const got = collect(sub);
	assert.deepEqual(await subscribe(sub, 'alice/feeds/relay', 1), [1]);

	const { context, page, problems } = await openPage(browser);
	try {
		await signIn(page, s.http, 'alice', PW.alice);
		await page.goto(`${s.http}/dashboards/${dash.key}`);
		await waitLive(page);
		const toggle = page.locator('[data-testid=toggle]');
		await toggle.waitFor();
		await publish(board, 'alice/feeds/led-state', 'relay-off', { qos: 1 });
		await page.waitForSelector('[data-testid=toggle][data-state=off]');

		await toggle.click();
		const m = await got.next('alice/feeds/relay', 5000);
		assert.equal(m.text, 'RELAY ON', 'the exact on value');
		assert.equal(m.packet.retain, false, 'not retained');
		// nothing reported yet: the toggle still shows the board's state (off)
		assert.equal(await toggle.getAttribute('data-state'), 'off');
		// the board obeys and reports back
		await publish(board, 'alice/feeds/led-state', 'RELAY ON', { qos: 1 });
		await page.waitForSelector('[data-testid=toggle][data-state=on]');
		assert.match(await page.textContent('[data-testid=block-state]'), /RELAY ON/);

		got.clear();
		await toggle.click();
		const m2 = await got.next('alice/feeds/relay', 5000);
		assert.equal(m2.text, 'relay-off');
		await publish(board, 'alice/feeds/led-state', 'relay-off', { qos: 1 });
		await page.waitForSelector('[data-testid=toggle][data-state=off]');
		assert.equal(got.matching('alice/feeds/relay').length, 1, 'one message per click');
		// the command is stored like any value of the feed
		const rows = await waitRows(s, 'alice', 'relay', 2);
		assert.deepEqual(rows.map((r) => r.value), ['RELAY ON', 'relay-off']);
		assertCleanPage(problems, assert);
	} finally {
		sub.end(true);
		await context.close();
	}
});

test('5. a key created in the UI connects a real MQTT client; revoked in the UI, the client is cut off and refused', async (s) => {
	const { context, page, problems } = await openPage(browser);
	try {
		await signIn(page, s.http, 'alice', PW.alice);
		await page.click('a[href="/keys"]');
		await page.fill('[data-testid=key-label]', 'bench ESP32');
		await page.click('[data-testid=create-key]');
		const shown = page.locator('[data-testid=new-key]');
		await shown.waitFor();
		const key = await shown.inputValue();
		assert.match(key, /^perch_[A-Za-z0-9]{32}$/);
		await page.click('text=I have copied it');
		const row = page.locator('[data-testid=keys-table] tr', { hasText: 'bench ESP32' });
		await row.waitFor();
		assert.ok(!(await row.innerText()).includes(key), 'the full key is not listed');

		// a real board connects with it and publishes
		const esp = await s.connectOk('alice', key, { clientId: 'bench-esp32' });
		await publish(esp, 'alice/feeds/humidity', '41', { qos: 1 });
		await waitRows(s, 'alice', 'humidity', 1);
		const closed = whenClosed(esp);

		// revoke it in the UI
		await row.getByRole('button', { name: 'Revoke' }).click();
		const t0 = Date.now();
		await page.getByRole('button', { name: 'Revoke key' }).click();
		await row.locator('text=revoked').waitFor();
		const at = await Promise.race([closed, sleep(5000).then(() => null)]);
		assert.ok(at, 'the open connection was cut within 5 s of the revoke');
		const cutMs = at - t0;
		// a new connection is refused: CONNACK 5, not authorised (MQTT 3.1.1)
		const code = await s.connectRefused('alice', key);
		assert.equal(code, 5, `CONNACK ${code}`);
		// the other key (the board's) still works
		const again = await s.connectOk('alice', alice.key, { clientId: 'alice-board-check' });
		again.end(true);
		assert.ok(cutMs < 3000, `cut after ${cutMs} ms`);
		assertCleanPage(problems, assert);
	} finally {
		await context.close();
	}
});

test('6. a second user cannot see or open the first user\'s feeds or dashboards', async (s) => {
	const secretValue = '77.125';
	await aliceApi(s, 'POST', '/feeds', { feed: { name: 'Alice Secret Sensor', description: 'alice-private-description' } });
	await aliceApi(s, 'POST', '/feeds/alice-secret-sensor/data', { value: secretValue });
	const dash = await apiDashboard(s, 'Alice Private Dashboard', [
		{ name: 'Alice Secret Block', visual_type: 'text', feeds: ['alice-secret-sensor'] },
	]);
	const aliceWords = ['Alice Secret Sensor', 'alice-secret-sensor', 'alice-private-description', 'Alice Private Dashboard',
		'Alice Secret Block', secretValue, 'temperature', 'led-state'];
	const noAliceData = async (page, where) => {
		const html = await page.content();
		const text = await bodyText(page);
		for (const w of aliceWords) {
			assert.ok(!html.includes(w) && !text.includes(w), `${where}: "${w}" of alice's data is in the page`);
		}
	};

	const { context, page, problems } = await openPage(browser);
	try {
		await signIn(page, s.http, 'bob', PW.bob);
		await waitLive(page);
		// bob's own lists hold nothing of alice's
		await page.waitForSelector('text=No feeds yet');
		await noAliceData(page, '/feeds');
		await page.click('a[href="/dashboards"]');
		await page.waitForSelector('text=No dashboards yet');
		await noAliceData(page, '/dashboards');

		// alice's paths under bob's own names: nothing
		for (const p of ['/feeds/alice-secret-sensor', '/feeds/temperature']) {
			await page.goto(`${s.http}${p}`);
			await page.waitForSelector('text=This feed does not exist, or you may not open it.');
			await noAliceData(page, p);
		}
		await page.goto(`${s.http}/dashboards/${dash.key}`);
		await page.waitForSelector('text=This dashboard does not exist, or you may not open it.');
		await noAliceData(page, `/dashboards/${dash.key}`);

		// alice's namespace itself (the instructor's paths): refused
		await page.goto(`${s.http}/users/alice/feeds/alice-secret-sensor`);
		await page.waitForSelector('text=This feed does not exist, or you may not open it.');
		// meanwhile alice's board publishes: bob's page (which tried to watch alice/#) must not get it
		await publish(board, 'alice/feeds/alice-secret-sensor', '88.5', { qos: 1 });
		await waitRows(s, 'alice', 'alice-secret-sensor', 2);
		// bob's own board publishes after it: once that arrives, alice's value would have too
		const bobBoard = await s.connectOk('bob', (await s.newKey('bob')).key);
		await publish(bobBoard, 'bob/feeds/marker', 'bob-marker', { qos: 1 });
		bobBoard.end(true);
		await waitFor(async () => (await wsPublishes(page)).some((m) => m.payload === 'bob-marker'), { what: "bob's own value on his page's WebSocket" });
		await noAliceData(page, '/users/alice/feeds/alice-secret-sensor');
		const got = await wsPublishes(page);
		const leaked = got.filter((m) => !m.topic.startsWith('bob/') && !m.topic.startsWith('class/'));
		assert.deepEqual(leaked, [], "MQTT messages outside bob's namespace reached bob's page");
		assert.ok(got.some((m) => m.topic === 'bob/errors' && /SUBSCRIBE alice\/# rejected/.test(m.payload)),
			`the broker refused the page's subscription to alice/# (got ${JSON.stringify(got)})`);

		await page.goto(`${s.http}/users/alice/dashboards/${dash.key}`);
		await page.waitForSelector('text=This dashboard does not exist, or you may not open it.');
		await noAliceData(page, `/users/alice/dashboards/${dash.key}`);
		for (const p of ['/users/alice/feeds', '/users/alice/dashboards']) {
			await page.goto(`${s.http}${p}`);
			await page.waitForSelector('[role=alert]');
			await noAliceData(page, p);
			assert.equal(await page.locator('[data-testid=feed-row], [data-testid=dashboard-card]').count(), 0, p);
		}

		// the same through the API with bob's session cookie
		for (const p of ['/feeds', '/feeds/alice-secret-sensor', '/feeds/alice-secret-sensor/data', '/dashboards',
			`/dashboards/${dash.key}`, `/dashboards/${dash.key}/blocks`]) {
			const r = await page.request.get(`${s.http}/api/v2/alice${p}`);
			assert.ok([403, 404].includes(r.status()), `GET /api/v2/alice${p} with bob's cookie -> ${r.status()}`);
			const t = await r.text();
			for (const w of aliceWords) assert.ok(!t.includes(w), `GET /api/v2/alice${p}: "${w}" in ${t}`);
		}
		// and a write (with bob's CSRF token) is refused
		const csrf = (await (await page.request.get(`${s.http}/api/session`)).json()).csrf_token;
		const w = await page.request.post(`${s.http}/api/v2/alice/feeds/alice-secret-sensor/data`,
			{ data: { value: '1' }, headers: { 'X-CSRF-Token': csrf } });
		assert.ok([403, 404].includes(w.status()), `POST alice's data with bob's cookie -> ${w.status()}`);
		assert.equal((await waitRows(s, 'alice', 'alice-secret-sensor', 2)).length, 2, 'nothing was added');
		assertCleanPage(problems, assert);
	} finally {
		await context.close();
	}
});

test('7a. an instructor sees a student\'s feeds and dashboards live and read-only', async (s) => {
	const dash = await apiDashboard(s, 'Watched by teacher', [
		{ name: 'Temp', visual_type: 'text', feeds: ['temperature'] },
		{ name: 'Switch', visual_type: 'toggle_button', feeds: ['relay'] },
	]);
	const { context, page, problems } = await openPage(browser);
	try {
		await signIn(page, s.http, 'teacher', PW.teacher);
		await page.goto(`${s.http}/users/alice/feeds`);
		await waitLive(page);
		const row = page.locator('[data-testid=feed-row][data-feed=temperature]');
		await row.waitFor();
		assert.match(await bodyText(page), /read-only/);
		assert.equal(await page.getByRole('button', { name: 'New feed' }).count(), 0);

		await page.goto(`${s.http}/users/alice/feeds/temperature`);
		await waitLive(page);
		await page.waitForSelector('[data-testid=feed-chart] canvas');
		assert.equal(await page.locator('[data-testid=add-value]').count(), 0, 'no "add a value" for the instructor');
		assert.equal(await page.getByRole('button', { name: 'Delete' }).count(), 0);
		await publish(board, 'alice/feeds/temperature', '19.875', { qos: 1 });
		await page.waitForFunction(() => document.querySelector('[data-testid=feed-value]')?.textContent.includes('19.875'));
		assert.ok((await wsPublishes(page)).some((m) => m.topic === 'alice/feeds/temperature' && m.payload === '19.875'),
			'the value came over the page\'s own MQTT connection');

		await page.goto(`${s.http}/users/alice/dashboards/${dash.key}`);
		await waitLive(page);
		await page.waitForSelector('[data-testid=text-value]');
		assert.equal(await page.locator('[data-testid=toggle]').isDisabled(), true, 'the toggle is disabled');
		assert.equal(await page.locator('[data-testid=add-block]').count(), 0);
		await publish(board, 'alice/feeds/temperature', '18.625', { qos: 1 });
		await page.waitForFunction(() => document.querySelector('[data-testid=text-value]')?.textContent.includes('18.625'));

		// a write through the instructor's cookie is refused
		const csrf = (await (await page.request.get(`${s.http}/api/session`)).json()).csrf_token;
		const w = await page.request.post(`${s.http}/api/v2/alice/feeds/temperature/data`,
			{ data: { value: '1' }, headers: { 'X-CSRF-Token': csrf } });
		assert.ok([403, 404, 405].includes(w.status()), `instructor POST to alice's data -> ${w.status()}`);
		assertCleanPage(problems, assert);
	} finally {
		await context.close();
	}
});

test('7b. names and values are rendered as text, never as HTML', async (s) => {
	const evil = '<img src=x onerror=alert(1)>';
	const f = await aliceApi(s, 'POST', '/feeds', { feed: { name: evil, description: '<script>alert(2)</script>' } });
	const evilValue = '<svg onload=alert(3)>';
	const dash = await apiDashboard(s, '<b onmouseover=alert(4)>dash</b>', [
		{ name: '<img src=y onerror=alert(5)>', visual_type: 'stream', feeds: [f.key] },
		{ name: 'evil text', visual_type: 'text', feeds: [f.key] },
	]);
	const { context, page, problems } = await openPage(browser);
	try {
		await signIn(page, s.http, 'alice', PW.alice);
		await waitLive(page);
		const row = page.locator(`[data-testid=feed-row][data-feed="${f.key}"]`);
		await row.waitFor();
		assert.ok(await row.getByText(evil, { exact: true }).isVisible(), 'the name is shown as text');
		await publish(board, `alice/feeds/${f.key}`, evilValue, { qos: 1 });
		await row.locator('[data-testid=feed-last-value]', { hasText: evilValue }).waitFor();

		await page.goto(`${s.http}/feeds/${encodeURIComponent(f.key)}`);
		await page.waitForSelector('[data-testid=feed-title]');
		assert.equal(await page.textContent('[data-testid=feed-title]'), evil);
		await page.getByText('<script>alert(2)</script>').waitFor();
		await page.locator('[data-testid=data-table] td', { hasText: evilValue }).first().waitFor();

		await page.goto(`${s.http}/dashboards/${dash.key}`);
		await waitLive(page);
		await page.waitForSelector('[data-testid=stream]');
		assert.equal(await page.textContent('[data-testid=dashboard-title]'), '<b onmouseover=alert(4)>dash</b>');
		await page.getByText('<img src=y onerror=alert(5)>').first().waitFor();
		await publish(board, `alice/feeds/${f.key}`, '<img src=z onerror=alert(6)>', { qos: 1 });
		await page.locator('[data-testid=stream]', { hasText: '<img src=z onerror=alert(6)>' }).waitFor();
		await page.locator('[data-testid=text-value]', { hasText: '<img src=z onerror=alert(6)>' }).waitFor();

		const injected = await page.evaluate(() => document.querySelectorAll('img[src=x], img[src=y], img[src=z], svg[onload], b[onmouseover], main script').length);
		assert.equal(injected, 0, 'no element was made from a name or a value');
		assert.deepEqual(problems.dialogs, [], 'no dialog opened');
		assertCleanPage(problems, assert);
	} finally {
		await context.close();
	}
});
