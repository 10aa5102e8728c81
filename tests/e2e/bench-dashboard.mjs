#!/usr/bin/env node
// Browser-side speed of the web app against the real stack (headless Debian Chromium):
//
//  1. "dashboard": a dashboard of six line charts over 30 days of one-second data opens, fully
//     drawn, in how many ms. 30 days of one-second data for ONE feed (2.59M rows) go into `data`
//     with one INSERT … SELECT generate_series, its per-minute and per-hour rollups with
//     INSERT … SELECT … GROUP BY. Five more feeds get copies of those rollups (and the last two
//     hours of raw rows), because a 30-day chart is answered from the rollups only: six charts on
//     six feeds then cost the server exactly what six feeds of 2.6M rows each would, without
//     inserting 15.6M rows. Measured twice: six charts on six feeds, six charts on the one feed.
//     "Fully drawn" = every chart's canvas shows the series colour at 20 %, 50 % and 85 % of its
//     width (the whole 30-day line is on screen), checked each animation frame in the page;
//     the figure is performance.now() at that frame (ms since navigation start). Cold = new
//     browser context (empty HTTP cache, signed-in cookie), warm = reload in the same context.
//
//  2. "latency": publish-to-screen latency at ~1,000 messages/s across a class. USERS users (25)
//     each publish RATE msg/s (40, under the default 50 msg/s limit) over MQTT.js, round-robin
//     over FEEDS feeds (8) each; the value is the send time (epoch ms). One page shows the first
//     user's feeds list; a MutationObserver in the page records, for every change of a
//     "last value" cell, the time it saw it (performance.timeOrigin + performance.now()), and the
//     time of the next animation frame (the frame that paints it). Latency = seen − sent.
//
//   PERCH_TEST_PG_HOST=<socket dir> node tests/e2e/bench-dashboard.mjs [dashboard] [latency]
//   env: RUNS (5), USERS (25), RATE (40), FEEDS (8), SECONDS (20), PAGE_RATE (= RATE: msg/s of the
//   page's user, the others still send RATE), JSON=<file> (write results)

import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { collect, publish, run, startStack, subscribe, waitFor, waitRows } from '../system/harness.mjs';
import { launch, openPage, signIn, stackEnv, waitLive } from './browser.mjs';

const which = process.argv.slice(2);
const want = (k) => which.length === 0 || which.includes(k);
const RUNS = Number(process.env.RUNS || 5);
const USERS = Number(process.env.USERS || 25);
const RATE = Number(process.env.RATE || 40);
const FEEDS = Number(process.env.FEEDS || 8);
const SECONDS = Number(process.env.SECONDS || 20);
const PAGE_RATE = Number(process.env.PAGE_RATE || RATE); // the page's user (its limit is raised when needed)

const pct = (xs, p) => {
	const s = [...xs].sort((a, b) => a - b);
	return s.length ? s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] : NaN;
};
const med = (xs) => pct(xs, 50);
const r1 = (x) => Math.round(x * 10) / 10;
const results = { date: new Date().toISOString(), chromium: null };

/** psql with a long timeout (the harness's s.sql stops a query after 30 s). */
async function bigSql(query) {
	const r = await run('psql', ['-h', process.env.PERCH_TEST_PG_HOST, '-U', 'perch', '-d', s.dbName, '-X', '-q', '-t',
		'-v', 'ON_ERROR_STOP=1', '-c', query], { timeout: 600000 });
	if (r.code !== 0) throw new Error(`psql: ${r.stderr}`);
	return r.stdout;
}

const s = await startStack({ env: stackEnv(), label: 'bench-web' });
const browser = await launch();
results.chromium = browser.version();
try {
	if (want('dashboard')) results.dashboard = await benchDashboard();
	if (want('latency')) results.latency = await benchLatency();
} finally {
	await browser.close();
	await s.stop();
}
console.log(JSON.stringify(results, null, 2));
if (process.env.JSON) fs.writeFileSync(process.env.JSON, `${JSON.stringify(results, null, 2)}\n`);

// ---------------------------------------------------------------------------------------------

async function benchDashboard() {
	const PW = 'bench-Pass-1';
	const u = await s.user('bench', { password: PW });
	const api = async (method, p, body) => {
		const r = await s.api(method, `/api/v2/bench${p}`, { key: u.key, body });
		if (r.status >= 300) throw new Error(`${method} ${p} -> ${r.status} ${r.text}`);
		return r.json;
	};
	const feedKeys = ['sensor-1', 'sensor-2', 'sensor-3', 'sensor-4', 'sensor-5', 'sensor-6'];
	for (const k of feedKeys) await api('POST', '/feeds', { feed: { name: k, key: k } });
	const ids = Object.fromEntries((await s.sqlRows(`SELECT key, id FROM feeds WHERE key LIKE 'sensor-%'`)).map(([k, id]) => [k, id]));
	const first = ids['sensor-1'];
	const others = feedKeys.slice(1).map((k) => ids[k]);

	const t0 = performance.now();
	await bigSql(`SET TimeZone = 'UTC';
		SELECT perch_ensure_partition(d::date) FROM generate_series(current_date - 31, current_date + 1, interval '1 day') d;
		INSERT INTO data (feed_id, created_at, value, num)
		SELECT ${first}, t, round(v::numeric, 2)::text, round(v::numeric, 2)
		  FROM (SELECT t, 20 + 5 * sin(extract(epoch FROM t) / 86400 * 2 * pi()) + 2 * sin(extract(epoch FROM t) / 1800) AS v
		          FROM generate_series(date_trunc('second', now()) - interval '30 days', date_trunc('second', now()), interval '1 second') t) g;`);
	const tInsert = performance.now();
	await bigSql(`SET TimeZone = 'UTC';
		INSERT INTO rollup_minute (feed_id, bucket, count, sum, min, max)
		SELECT feed_id, date_trunc('minute', created_at), count(*), sum(num), min(num), max(num)
		  FROM data WHERE feed_id = ${first} GROUP BY 1, 2;
		INSERT INTO rollup_hour (feed_id, bucket, count, sum, min, max)
		SELECT feed_id, date_trunc('hour', bucket), sum(count), sum(sum), min(min), max(max)
		  FROM rollup_minute WHERE feed_id = ${first} GROUP BY 1, 2;
		INSERT INTO rollup_minute SELECT o, bucket, count, sum, min, max FROM rollup_minute, unnest(ARRAY[${others}]::bigint[]) o WHERE feed_id = ${first};
		INSERT INTO rollup_hour SELECT o, bucket, count, sum, min, max FROM rollup_hour, unnest(ARRAY[${others}]::bigint[]) o WHERE feed_id = ${first};
		INSERT INTO data (feed_id, created_at, value, num)
		SELECT o, created_at, value, num FROM data, unnest(ARRAY[${others}]::bigint[]) o
		 WHERE feed_id = ${first} AND created_at > now() - interval '2 hours';
		UPDATE feeds f SET last_value = d.value, last_value_at = d.created_at, updated_at = d.created_at
		  FROM (SELECT value, created_at FROM data WHERE feed_id = ${first} ORDER BY created_at DESC LIMIT 1) d
		 WHERE f.id IN (${first}, ${others});
		ANALYZE data; ANALYZE rollup_minute; ANALYZE rollup_hour;`);
	const tRollups = performance.now();
	const rows = Number(await s.sql(`SELECT count(*) FROM data WHERE feed_id = ${first}`));
	const minuteRows = Number(await s.sql(`SELECT count(*) FROM rollup_minute WHERE feed_id = ${first}`));
	console.error(`inserted ${rows} rows in ${Math.round(tInsert - t0)} ms; rollups (${minuteRows} minute rows per feed) and copies in ${Math.round(tRollups - tInsert)} ms`);

	// the server's side alone, one request at a time: 120-minute buckets come from the hour
	// rollups, 123-minute ones (what a ~410 px chart asks for) from the minute rollups
	const end = new Date();
	const start = new Date(end.getTime() - 30 * 86400e3);
	const chartMs = { 120: [], 123: [] };
	for (const res of [120, 123]) {
		for (let i = 0; i < 7; i++) {
			const a = performance.now();
			const r = await s.api('GET', `/api/v2/bench/feeds/sensor-1/data/chart?start_time=${start.toISOString()}&end_time=${end.toISOString()}&resolution=${res}`, { key: u.key });
			if (r.status !== 200) throw new Error(`chart -> ${r.status} ${r.text}`);
			if (i > 0) chartMs[res].push(performance.now() - a);
		}
	}

	const mkDash = async (name, keys) => {
		const d = await api('POST', '/dashboards', { dashboard: { name } });
		for (let i = 0; i < 6; i++) {
			await api('POST', `/dashboards/${d.key}/blocks`, { block: {
				name: `Chart ${i + 1}`, visual_type: 'line_chart', properties: { historyHours: '720', showLegend: 'no' },
				block_feeds: [{ feed_id: keys[i] }], size_x: 4, size_y: 6, column: (i % 3) * 4, row: Math.floor(i / 3) * 6,
			} });
		}
		return d.key;
	};
	const sixFeeds = await mkDash('Six feeds', feedKeys);
	const oneFeed = await mkDash('One feed', Array(6).fill('sensor-1'));

	// sign in once; every measured page reuses the cookie
	const login = await openPage(browser);
	await signIn(login.page, s.http, 'bench', PW);
	const storage = await login.context.storageState();
	await login.context.close();

	const measure = async (page, load) => {
		await load();
		try {
			const at = await page.waitForFunction(() => window.__drawnAt, null, { timeout: 30000, polling: 50 });
			return at.jsonValue();
		} catch (e) {
			await page.screenshot({ path: '/tmp/bench-dashboard-timeout.png' });
			const info = await page.evaluate(() => [...document.querySelectorAll('[data-testid=line-chart] canvas')].map((c) => {
				const ctx = c.getContext('2d');
				const cols = [0.2, 0.5, 0.95].map((f) => {
					const d = ctx.getImageData(Math.floor(c.width * f) - 1, 0, 3, c.height).data;
					const px = [];
					for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0) px.push(`${d[i]},${d[i + 1]},${d[i + 2]},${d[i + 3]}`);
					return px.slice(0, 12);
				});
				return [c.width, c.height, window.__tickErr, cols];
			}));
			throw new Error(`charts never fully drawn (canvases ${JSON.stringify(info)}; see /tmp/bench-dashboard-timeout.png): ${e.message}`);
		}
	};
	const run = async (dashKey) => {
		const cold = [];
		const warm = [];
		for (let i = 0; i < RUNS; i++) {
			const { context, page, problems } = await openPage(browser, { storageState: storage });
			await context.addInitScript(watchCharts);
			cold.push(await measure(page, () => page.goto(`${s.http}/dashboards/${dashKey}`)));
			warm.push(await measure(page, () => page.reload()));
			if (problems.pageErrors.length) throw new Error(problems.pageErrors.join('\n'));
			if (i === 0) {
				const n = await page.evaluate(() => performance.getEntriesByType('resource').filter((e) => e.name.includes('/data/chart')).map((e) => Math.round(e.duration)));
				console.error(`  chart requests of one warm load (ms): ${n.join(', ')}`);
			}
			await context.close();
		}
		return { cold_ms: cold.map(Math.round), warm_ms: warm.map(Math.round), cold_median_ms: Math.round(med(cold)), warm_median_ms: Math.round(med(warm)) };
	};
	const out = {
		rows_one_feed: rows,
		insert_ms: Math.round(tInsert - t0),
		rollups_ms: Math.round(tRollups - tInsert),
		chart_api_30d_ms_median: { hour_rollups_res120: r1(med(chartMs[120])), minute_rollups_res123: r1(med(chartMs[123])) },
		six_feeds: await run(sixFeeds),
		one_feed: await run(oneFeed),
	};
	console.error(`dashboard, six feeds: cold ${out.six_feeds.cold_median_ms} ms, warm ${out.six_feeds.warm_median_ms} ms (median of ${RUNS})`);
	console.error(`dashboard, one feed:  cold ${out.one_feed.cold_median_ms} ms, warm ${out.one_feed.warm_median_ms} ms`);
	return out;
}

/** In the page, before its scripts: sets window.__drawnAt when six charts show their whole line. */
function watchCharts() {
	const want = [8, 145, 178]; // SERIES_COLORS[0] = #0891b2
	const near = (d, i) => d[i + 3] > 90 && Math.abs(d[i] - want[0]) + Math.abs(d[i + 1] - want[1]) + Math.abs(d[i + 2] - want[2]) < 90;
	const columnHas = (ctx, x, h) => {
		const d = ctx.getImageData(x - 1, 0, 3, h).data;
		for (let i = 0; i < d.length; i += 4) if (near(d, i)) return true;
		return false;
	};
	const drawn = (c) => {
		if (!c.width || !c.height) return false;
		const ctx = c.getContext('2d', { willReadFrequently: true });
		return [0.2, 0.5, 0.85].every((f) => columnHas(ctx, Math.floor(c.width * f), c.height));
	};
	const tick = () => {
		try { check(); } catch (e) { window.__tickErr = String(e); requestAnimationFrame(tick); }
	};
	const check = () => {
		const canvases = [...document.querySelectorAll('[data-testid=line-chart] canvas')];
		if (canvases.length === 6 && canvases.every(drawn)) {
			window.__drawnAt = performance.now();
			return;
		}
		requestAnimationFrame(tick);
	};
	requestAnimationFrame(tick);
}

// ---------------------------------------------------------------------------------------------

async function benchLatency() {
	const PW = 'latency-Pass-1';
	const users = [];
	for (let i = 1; i <= USERS; i++) {
		const name = `student${String(i).padStart(2, '0')}`;
		users.push(await s.user(name, i === 1 ? { password: PW } : {}));
	}
	if (PAGE_RATE > 45) await s.perchOk('user', 'set', users[0].name, '--rate', String(PAGE_RATE * 2));
	const feedKeys = Array.from({ length: FEEDS }, (_, i) => `sensor-${i + 1}`);
	const clients = [];
	for (const u of users) clients.push(await s.connectOk(u.name, u.key, { clientId: `${u.name}-board` }));
	const throttled = collect(clients[0]);
	await subscribe(clients[0], `${users[0].name}/throttle`, 0);
	// every feed exists before the page opens
	for (const [i, c] of clients.entries()) {
		for (const k of feedKeys) await publish(c, `${users[i].name}/feeds/${k}`, '0', { qos: 1 });
	}
	await waitRows(s, users[0].name, feedKeys.at(-1), 1);
	await waitFor(async () => Number(await s.sql('SELECT count(*) FROM feeds')) >= USERS * FEEDS,
		{ timeout: 15000, what: 'all feeds created' });

	const { context, page, problems } = await openPage(browser);
	await signIn(page, s.http, users[0].name, PW);
	await waitLive(page);
	await page.waitForFunction((n) => document.querySelectorAll('[data-testid=feed-row]').length === n, FEEDS);
	await page.evaluate(() => {
		window.__seen = [];
		const mo = new MutationObserver((records) => {
			const t = performance.timeOrigin + performance.now();
			const cells = new Set();
			for (const r of records) {
				const el = (r.target.nodeType === 1 ? r.target : r.target.parentElement)?.closest('[data-testid=feed-last-value]');
				if (el) cells.add(el);
			}
			const batch = [...cells].map((el) => ({ text: el.textContent, t, frame: 0 }));
			window.__seen.push(...batch);
			requestAnimationFrame(() => { const f = performance.timeOrigin + performance.now(); for (const b of batch) b.frame = f; });
		});
		mo.observe(document.querySelector('main'), { subtree: true, characterData: true, childList: true });
	});

	// the load: every user RATE msg/s over its feeds, in 10 ms ticks, QoS 0
	const sent = new Map(); // value -> send time, for the page's user only
	const rates = users.map((_, i) => (i === 0 ? PAGE_RATE : RATE));
	const total = rates.reduce((a, b) => a + b, 0) * SECONDS;
	let n = 0;
	const tickMs = 10;
	const owed = new Array(USERS).fill(0);
	const begin = performance.now();
	let next = begin;
	const counters = new Array(USERS).fill(0);
	while (performance.now() - begin < SECONDS * 1000) {
		for (let i = 0; i < USERS; i++) {
			owed[i] += (rates[i] * tickMs) / 1000;
			while (owed[i] >= 1) {
				owed[i] -= 1;
				const feed = feedKeys[counters[i]++ % FEEDS];
				const now = performance.timeOrigin + performance.now();
				const value = now.toFixed(3);
				if (i === 0) sent.set(value, now);
				clients[i].publish(`${users[i].name}/feeds/${feed}`, value, { qos: 0 });
				n++;
			}
		}
		next += tickMs;
		const wait = next - performance.now();
		if (wait > 0) await sleep(wait);
		else await new Promise((r) => setImmediate(r));
	}
	const elapsed = (performance.now() - begin) / 1000;
	await sleep(500); // the last values reach the page
	const seen = await page.evaluate(() => window.__seen);
	const lat = [];
	const frameLat = [];
	for (const x of seen) {
		const t = sent.get(x.text);
		if (t === undefined) continue;
		lat.push(x.t - t);
		if (x.frame) frameLat.push(x.frame - t);
		sent.delete(x.text); // a value counts once
	}
	const stored = Number(await s.sql(`SELECT count(*) FROM data WHERE created_at > now() - interval '${Math.ceil(elapsed) + 30} seconds'`));
	const out = {
		users: USERS, rate_per_user: RATE, page_user_rate: PAGE_RATE, feeds_per_user: FEEDS, seconds: r1(elapsed),
		sent_total: n, sent_rate: Math.round(n / elapsed), expected_total: total,
		page_user_sent: lat.length + sent.size, page_user_seen: lat.length, page_user_not_seen: sent.size,
		throttle_notices_page_user: throttled.matching(`${users[0].name}/throttle`).length,
		stored_rows_last_window: stored,
		dom_ms: { p50: r1(pct(lat, 50)), p90: r1(pct(lat, 90)), p99: r1(pct(lat, 99)), max: r1(Math.max(...lat)) },
		frame_ms: { p50: r1(pct(frameLat, 50)), p90: r1(pct(frameLat, 90)), p99: r1(pct(frameLat, 99)), max: r1(Math.max(...frameLat)) },
		page_errors: problems.pageErrors.length,
	};
	console.error(`latency at ${out.sent_rate} msg/s (${USERS} users x ${RATE}/s, the page's user ${PAGE_RATE}/s): DOM p50 ${out.dom_ms.p50} ms, p99 ${out.dom_ms.p99} ms; `
		+ `painted frame p50 ${out.frame_ms.p50} ms, p99 ${out.frame_ms.p99} ms; ${out.page_user_seen}/${out.page_user_sent} values seen`);
	await context.close();
	for (const c of clients) c.end(true);
	return out;
}
