// Headless Chromium (Debian's /usr/bin/chromium) driven by playwright-core, and the few page
// helpers the browser tests share. The stack itself (database, Mosquitto with the plugin, the
// daemon serving web/dist) comes from tests/system/harness.mjs.

import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { REPO } from '../system/harness.mjs';

export const CHROMIUM = process.env.PERCH_TEST_CHROMIUM || '/usr/bin/chromium';
export const WEB_DIR = process.env.PERCH_TEST_WEB_DIR || path.join(REPO, 'web', 'dist');

/** Throws a clear message when the browser or the built web app is missing. */
export function checkPrerequisites() {
	if (!fs.existsSync(CHROMIUM)) {
		throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (scripts/deps.sh does with PERCH_TEST_DEPS=1)`);
	}
	if (!fs.existsSync(path.join(WEB_DIR, 'index.html'))) {
		throw new Error(`${WEB_DIR}/index.html is missing: build the web app first (scripts/web.sh)`);
	}
}

export async function launch() {
	checkPrerequisites();
	return chromium.launch({
		executablePath: CHROMIUM,
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
	});
}

/** Environment for startStack() so that the daemon serves the built app. */
export const stackEnv = () => ({ PERCH_WEB_DIR: WEB_DIR });

/**
 * A fresh browser context (own cookies) and page. Records page errors, console errors and every
 * dialog (alert/confirm/prompt: dismissed and counted, an XSS probe must never open one), and
 * (spyWebSocket, on by default) every WebSocket frame the page receives.
 */
export async function openPage(browser, { spyWebSocket = true, ...opts } = {}) {
	const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, ...opts });
	const page = await context.newPage();
	page.setDefaultTimeout(10000);
	const problems = { pageErrors: [], consoleErrors: [], dialogs: [] };
	page.on('pageerror', (e) => problems.pageErrors.push(e.message));
	page.on('console', (m) => { if (m.type() === 'error') problems.consoleErrors.push(m.text()); });
	page.on('dialog', (d) => { problems.dialogs.push(`${d.type()}: ${d.message()}`); d.dismiss().catch(() => {}); });
	page.problems = problems;
	if (spyWebSocket) await context.addInitScript(recordWebSocketFrames);
	return { context, page, problems };
}

/** Runs in the page before its scripts: records every WebSocket frame it receives (as text). */
function recordWebSocketFrames() {
	const Orig = window.WebSocket;
	const frames = [];
	window.__wsFrames = frames;
	const dec = new TextDecoder('latin1');
	window.WebSocket = class extends Orig {
		constructor(...args) {
			super(...args);
			this.addEventListener('message', (e) => {
				const d = e.data;
				if (typeof d === 'string') frames.push(d);
				else if (d instanceof ArrayBuffer) frames.push(dec.decode(d));
				else if (d && typeof d.arrayBuffer === 'function') d.arrayBuffer().then((b) => frames.push(dec.decode(b)));
			});
		}
	};
}

/** The frames recordWebSocketFrames saw (openPage with spyWebSocket: true). */
export const wsFrames = (page) => page.evaluate(() => window.__wsFrames || []);

/**
 * The MQTT packets in those frames, in order: [{type, topic, payload}] (type 2 CONNACK, 3 PUBLISH
 * with topic and payload, 9 SUBACK, …). A frame may hold several packets and a packet may span
 * frames, so the frames are joined first.
 */
export async function wsPackets(page) {
	const buf = Buffer.from((await wsFrames(page)).join(''), 'latin1');
	const out = [];
	let i = 0;
	while (i < buf.length) {
		const type = buf[i] >> 4;
		const qos = (buf[i] >> 1) & 3;
		let len = 0;
		let mul = 1;
		let j = i + 1;
		for (;;) {
			if (j >= buf.length) return out;
			const b = buf[j++];
			len += (b & 127) * mul;
			mul *= 128;
			if (!(b & 128)) break;
		}
		const end = j + len;
		if (end > buf.length) break;
		if (type === 3) {
			const tl = buf.readUInt16BE(j);
			const topic = buf.subarray(j + 2, j + 2 + tl).toString('utf8');
			const start = j + 2 + tl + (qos ? 2 : 0);
			out.push({ type, topic, payload: buf.subarray(start, end).toString('utf8') });
		} else {
			out.push({ type });
		}
		i = end;
	}
	return out;
}

/** The PUBLISH packets the page received: [{topic, payload}]. */
export const wsPublishes = async (page) => (await wsPackets(page)).filter((p) => p.type === 3);

/** No uncaught page error, and no Content-Security-Policy violation in the console. */
export function assertCleanPage(problems, assert) {
	assert.deepEqual(problems.pageErrors, [], 'uncaught errors in the page');
	const csp = problems.consoleErrors.filter((m) => /Content Security Policy|Refused to/i.test(m));
	assert.deepEqual(csp, [], 'CSP violations');
}

/** Signs in through the sign-in form; resolves once the feeds page is shown. */
export async function signIn(page, base, username, password) {
	await page.goto(`${base}/`);
	await page.waitForSelector('#username');
	await page.fill('#username', username);
	await page.fill('#password', password);
	await page.click('button[type=submit]');
	// the navbar (with the live indicator) exists only for a signed-in user
	await page.waitForSelector('[data-testid=live-status]');
}

/**
 * Waits until the page's live MQTT connection (WebSocket to Mosquitto) is up and, when its frames
 * are recorded, until the broker has answered its subscriptions (SUBACK): the navbar says "Live"
 * as soon as the connection is up, before the broker has the subscriptions, and a value published
 * in between would not reach the page.
 */
export async function waitLive(page, timeout = 10000) {
	await page.waitForSelector('[data-testid=live-status][data-status=connected]', { timeout, state: 'attached' });
	if (await page.evaluate(() => Array.isArray(window.__wsFrames))) {
		const end = Date.now() + timeout;
		while (!(await wsPackets(page)).some((p) => p.type === 9)) {
			if (Date.now() > end) throw new Error('the page\'s live connection never got a SUBACK');
			await new Promise((r) => setTimeout(r, 20));
		}
	}
}

/** The page's visible text (body.innerText). */
export const bodyText = (page) => page.evaluate(() => document.body.innerText);
