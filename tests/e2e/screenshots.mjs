#!/usr/bin/env node
// Screenshots of the main pages against the real daemon (a throw-away stack from
// tests/system/harness.mjs: PostgreSQL database, Mosquitto with the plugin, perch serve with
// web/dist), with a day of history inserted and a board (MQTT.js) publishing live values.
//
//   PERCH_TEST_PG_HOST=<socket dir> node tests/e2e/screenshots.mjs [out-dir]   (default docs/screenshots)

import fs from 'node:fs';
import path from 'node:path';
import { publish, REPO, startStack, subscribe, waitRows } from '../system/harness.mjs';
import { launch, openPage, signIn, stackEnv, waitLive } from './browser.mjs';

const OUT = path.resolve(process.argv[2] || path.join(REPO, 'docs', 'screenshots'));
fs.mkdirSync(OUT, { recursive: true });
const PW = 'ada-Pass-2024';

const s = await startStack({ env: stackEnv(), label: 'screenshots' });
const browser = await launch();
let board;
try {
	const ada = await s.user('ada', { password: PW, email: 'ada@school.example' });
	await s.newKey('ada', 'lab bench Photon2');
	await s.newKey('ada', 'greenhouse ESP32');
	const api = async (method, p, body) => {
		const r = await s.api(method, `/api/v2/ada${p}`, { key: ada.key, body });
		if (r.status >= 300) throw new Error(`${method} ${p} -> ${r.status} ${r.text}`);
		return r.json;
	};
	board = await s.connectOk('ada', ada.key, { clientId: 'ada-photon2' });
	// the board follows the dashboard's commands, as `perch sim` does
	await subscribe(board, 'ada/feeds/led', 1);
	board.on('message', (topic, payload) => {
		if (topic === 'ada/feeds/led') board.publish('ada/feeds/led-state', payload.toString(), { qos: 1 });
	});
	const feeds = {
		temperature: { name: 'Temperature', unit: '°C', description: 'DHT22 on the lab bench' },
		humidity: { name: 'Humidity', unit: '%', description: '' },
		light: { name: 'Light', unit: 'lx', description: 'photoresistor by the window' },
	};
	for (const [key, f] of Object.entries(feeds)) {
		await api('POST', '/feeds', { feed: { name: f.name, key, description: f.description } });
		await api('PUT', `/feeds/${key}`, { feed: { unit_symbol: f.unit } });
	}
	// a day of history every 30 s, with per-minute and per-hour rollups
	const ids = Object.fromEntries(await s.sqlRows(`SELECT key, id FROM feeds`));
	const series = {
		temperature: `21.5 + 3.5 * sin((extract(epoch FROM t) / 86400 - 0.3) * 2 * pi()) + 0.4 * sin(extract(epoch FROM t) / 700)`,
		humidity: `48 - 9 * sin((extract(epoch FROM t) / 86400 - 0.3) * 2 * pi()) + 1.5 * sin(extract(epoch FROM t) / 900)`,
		light: `greatest(0, 620 * sin((extract(epoch FROM t) / 86400 - 0.25) * 2 * pi())) + 20 * abs(sin(extract(epoch FROM t) / 400))`,
	};
	for (const [key, expr] of Object.entries(series)) {
		await s.sql(`SET TimeZone = 'UTC';
			SELECT perch_ensure_partition(d::date) FROM generate_series(current_date - 2, current_date + 1, interval '1 day') d;
			INSERT INTO data (feed_id, created_at, value, num)
			SELECT ${ids[key]}, t, round((${expr})::numeric, 1)::text, round((${expr})::numeric, 1)
			  FROM generate_series(date_trunc('minute', now()) - interval '24 hours', now() - interval '1 minute', interval '30 seconds') t;
			INSERT INTO rollup_minute (feed_id, bucket, count, sum, min, max)
			SELECT feed_id, date_trunc('minute', created_at), count(*), sum(num), min(num), max(num) FROM data WHERE feed_id = ${ids[key]} GROUP BY 1, 2;
			INSERT INTO rollup_hour (feed_id, bucket, count, sum, min, max)
			SELECT feed_id, date_trunc('hour', bucket), sum(count), sum(sum), min(min), max(max) FROM rollup_minute WHERE feed_id = ${ids[key]} GROUP BY 1, 2;`);
	}
	const live = async () => {
		const v = (key) => s.sql(`SELECT num FROM data WHERE feed_id = ${ids[key]} ORDER BY created_at DESC LIMIT 1`);
		await publish(board, 'ada/feeds/temperature', String((Number(await v('temperature')) + 0.1).toFixed(1)), { qos: 1 });
		await publish(board, 'ada/feeds/humidity', String((Number(await v('humidity')) - 0.2).toFixed(1)), { qos: 1 });
		await publish(board, 'ada/feeds/light', String(Math.round(Number(await v('light')) + 3)), { qos: 1 });
	};
	await live();
	await publish(board, 'ada/feeds/led', 'OFF', { qos: 1 });
	await publish(board, 'ada/feeds/fan', '40', { qos: 1 });
	await api('POST', '/feeds', { feed: { name: 'buzzer' } });
	await waitRows(s, 'ada', 'led-state', 1);
	await waitRows(s, 'ada', 'fan', 1);

	const dash = await api('POST', '/dashboards', { dashboard: { name: 'Lab bench', description: 'Photon 2 on bench 3' } });
	const block = (name, visual_type, keys, x, y, w, h, properties = {}) => api('POST', `/dashboards/${dash.key}/blocks`, {
		block: { name, visual_type, properties, block_feeds: keys.map((k) => ({ feed_id: k })), size_x: w, size_y: h, column: x, row: y },
	});
	await block('Temperature and humidity, 24 h', 'line_chart', ['temperature', 'humidity'], 0, 0, 6, 6, { historyHours: '24' });
	await block('Temperature', 'gauge', ['temperature'], 6, 0, 3, 4, { minValue: '0', maxValue: '40', label: '°C', bands: '0:blue, 18:green, 26:amber, 32:red' });
	await block('Desk LED', 'toggle_button', ['led'], 9, 0, 3, 4, { stateFeed: 'led-state' });
	await block('Fan speed', 'slider', ['fan'], 6, 4, 3, 3, { min: '0', max: '100', step: '5', label: '%' });
	await block('Light', 'text', ['light'], 9, 4, 3, 3, { label: 'lx' });
	await block('Too hot?', 'indicator', ['temperature'], 6, 7, 2, 3, { conditions: '> 28 red; > 24 amber; > 0 green' });
	await block('Recent values', 'stream', ['temperature', 'humidity', 'light'], 8, 7, 4, 5, { count: '12' });
	await block('Humidity', 'gauge', ['humidity'], 0, 6, 3, 4, { minValue: '0', maxValue: '100', label: '%' });
	await block('Buzzer', 'momentary_button', ['buzzer'], 3, 6, 3, 4, { text: 'BEEP' });

	const shots = [];
	const shot = async (page, name) => {
		await page.evaluate(() => document.fonts.ready);
		// uPlot and the grid settle within a frame or two of their data
		await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
		const file = path.join(OUT, `${name}.png`);
		await page.screenshot({ path: file });
		shots.push([name, fs.statSync(file).size]);
	};
	const streamFill = async () => {
		for (let i = 0; i < 4; i++) await live();
	};

	// desktop, light
	{
		const { context, page } = await openPage(browser, { colorScheme: 'light' });
		await page.goto(`${s.http}/`);
		await page.waitForSelector('#username');
		await page.fill('#username', 'ada');
		await page.fill('#password', PW);
		await shot(page, 'signin');
		await signIn(page, s.http, 'ada', PW);
		await waitLive(page);
		await page.waitForSelector('[data-testid=feed-row][data-feed=temperature] svg path');
		await live();
		await page.waitForFunction(() => document.querySelectorAll('[data-testid=feed-row] svg path').length >= 3);
		await shot(page, 'feeds');
		await page.click('a[href="/feeds/temperature"]');
		await page.waitForSelector('[data-testid=feed-chart] canvas');
		await page.waitForSelector('[data-testid=data-table] tr td');
		await page.waitForFunction(() => !document.body.innerText.includes('loading…'));
		await live();
		await shot(page, 'feed');
		await page.goto(`${s.http}/dashboards/${dash.key}`);
		await waitLive(page);
		await page.waitForSelector('[data-testid=line-chart] canvas');
		await page.click('[data-testid=toggle]');
		await page.waitForSelector('[data-testid=toggle][data-state=on]');
		await streamFill();
		await page.waitForFunction(() => document.querySelectorAll('[data-testid=stream] li').length >= 8);
		await shot(page, 'dashboard');
		await page.click('a[href="/keys"]');
		await page.waitForSelector('[data-testid=keys-table] tr');
		await shot(page, 'keys');
		await page.click('a[href="/connect"]');
		await page.waitForSelector('[data-testid=generated-code]');
		await waitLive(page);
		await shot(page, 'connect');
		await context.close();
	}
	// dark
	{
		const { context, page } = await openPage(browser, { colorScheme: 'dark' });
		await signIn(page, s.http, 'ada', PW);
		await page.goto(`${s.http}/dashboards/${dash.key}`);
		await waitLive(page);
		await page.waitForSelector('[data-testid=line-chart] canvas');
		await streamFill();
		await page.waitForFunction(() => document.querySelectorAll('[data-testid=stream] li').length >= 8);
		await shot(page, 'dashboard-dark');
		await context.close();
	}
	// phone
	{
		const { context, page } = await openPage(browser, {
			viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, colorScheme: 'light',
		});
		await signIn(page, s.http, 'ada', PW);
		await page.goto(`${s.http}/dashboards/${dash.key}`);
		await waitLive(page);
		await page.waitForSelector('[data-testid=gauge]', { timeout: 20000 }).catch(async (e) => {
			await page.screenshot({ path: '/tmp/phone-fail.png', fullPage: true });
			console.error(await page.evaluate(() => document.querySelector('main')?.innerHTML.slice(0, 3000)));
			throw e;
		});
		await live();
		await shot(page, 'dashboard-phone');
		await context.close();
	}
	for (const [name, size] of shots) console.log(`${path.join(OUT, `${name}.png`)}\t${Math.round(size / 1024)} KB`);
} finally {
	board?.end(true);
	await browser.close();
	await s.stop();
}
