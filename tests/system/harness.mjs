// One perch stack per test file: a fresh database in the shared test PostgreSQL cluster, a data
// directory under .perch-test/, free ports, a real Mosquitto with perch's plugin, and the real
// daemon (build/perch serve) with PERCH_BROKER=external, so that a test can stop and restart the
// daemon while the broker (and the ingest's persistent session in it) keeps running.
//
// Usage in a test file:
//   import { useStack } from './harness.mjs';
//   const { test } = useStack({ anonymousTime: false });
//   test('does something', async (s) => { await s.addUser('alice'); … });
//
// Environment: PERCH_TEST_PG_HOST (the socket directory of the cluster scripts/test.sh started;
// required), PERCH_TEST_BUILD_DIR (default <repo>/build), PERCH_TEST_KEEP=1 keeps every stack's
// data directory (by default only those of stacks with a failed test are kept).

import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, test as nodeTest } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';

export { sleep };

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BUILD = process.env.PERCH_TEST_BUILD_DIR || path.join(REPO, 'build');
export const PERCH_BIN = path.join(BUILD, 'perch');
export const PLUGIN = path.join(BUILD, 'perch_plugin.so');
const TEST_DIR = path.join(REPO, '.perch-test');
// Debian installs the broker in /usr/sbin, which a normal user's PATH may lack.
export const MOSQUITTO_BIN = process.env.PERCH_TEST_MOSQUITTO ||
	[...(process.env.PATH || '').split(':').filter(Boolean), '/usr/sbin', '/usr/local/sbin', '/sbin']
		.map((d) => path.join(d, 'mosquitto')).find((f) => fs.existsSync(f)) || 'mosquitto';
const PID_FILE = path.join(TEST_DIR, 'pids');

// Every process a stack starts, so that none outlives the test file even when it crashes.
const children = new Set();
process.on('exit', () => {
	for (const c of children) {
		try { process.kill(c.pid, 'SIGKILL'); } catch { /* gone */ }
	}
});

function recordPid(pid) {
	try {
		fs.mkdirSync(TEST_DIR, { recursive: true });
		fs.appendFileSync(PID_FILE, `${pid}\n`);
	} catch { /* best effort: scripts/test.sh also kills by this file */ }
}

// ---------------------------------------------------------------------------------------------
// Small generic helpers

/** Polls fn until it returns a truthy value (returned), or throws after timeout ms. */
export async function waitFor(fn, { timeout = 5000, interval = 50, what = 'condition' } = {}) {
	const end = Date.now() + timeout;
	let last;
	for (;;) {
		try {
			last = await fn();
			if (last) return last;
		} catch (e) {
			last = e;
		}
		if (Date.now() > end) {
			const detail = last instanceof Error ? `: ${last.message}` : last === undefined ? '' : `: last ${JSON.stringify(last)}`;
			throw new Error(`timed out after ${timeout} ms waiting for ${what}${detail}`);
		}
		await sleep(interval);
	}
}

/** Resolves with an event's arguments, or rejects after timeout ms. */
export function once(emitter, event, timeout = 5000) {
	return new Promise((resolve, reject) => {
		const t = setTimeout(() => {
			emitter.off(event, on);
			reject(new Error(`no '${event}' event within ${timeout} ms`));
		}, timeout);
		const on = (...args) => { clearTimeout(t); resolve(args); };
		emitter.once(event, on);
	});
}

/** Free TCP ports on 127.0.0.1, all distinct (the sockets are held until all are found). */
export async function freePorts(n) {
	const servers = [];
	try {
		for (let i = 0; i < n; i++) {
			const srv = net.createServer();
			await new Promise((res, rej) => { srv.once('error', rej); srv.listen(0, '127.0.0.1', res); });
			servers.push(srv);
		}
		return servers.map((s) => s.address().port);
	} finally {
		await Promise.all(servers.map((s) => new Promise((res) => s.close(res))));
	}
}

function portOpen(port) {
	return new Promise((resolve) => {
		const sock = net.connect({ host: '127.0.0.1', port });
		sock.once('connect', () => { sock.destroy(); resolve(true); });
		sock.once('error', () => resolve(false));
	});
}

function tail(file, lines = 40) {
	try {
		const text = fs.readFileSync(file, 'utf8');
		return text.split('\n').slice(-lines - 1).join('\n');
	} catch {
		return '(no log)';
	}
}

/** Runs a program; resolves {code, stdout, stderr} (code null and signal set when killed). */
export function run(cmd, args, { env = process.env, timeout = 30000, input } = {}) {
	return new Promise((resolve, reject) => {
		const p = spawn(cmd, args, { env, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
		let stdout = '';
		let stderr = '';
		p.stdout.on('data', (d) => { stdout += d; });
		p.stderr.on('data', (d) => { stderr += d; });
		const t = setTimeout(() => p.kill('SIGKILL'), timeout);
		p.on('error', (e) => { clearTimeout(t); reject(e); });
		p.on('close', (code, signal) => { clearTimeout(t); resolve({ code, signal, stdout, stderr }); });
		if (p.stdin) {
			p.stdin.on('error', () => { /* the program may exit without reading */ });
			p.stdin.end(input);
		}
	});
}

// ---------------------------------------------------------------------------------------------
// MQTT helpers

/**
 * Subscribes and resolves with the SUBACK codes (0/1/2 granted; 0x80 refused in 3.1.1, >= 0x80 in
 * v5), whether or not the broker refused.
 */
export function subscribe(client, topic, qos = 0) {
	return new Promise((resolve, reject) => {
		client.subscribe(topic, { qos }, (err, subs, packet) => {
			if (packet && Array.isArray(packet.granted)) resolve(packet.granted);
			else if (err) reject(err);
			else resolve((subs || []).map((s) => s.qos));
		});
	});
}

/** Publishes; resolves when the broker has it (QoS 1: PUBACK), with the v5 reason code if any. */
export function publish(client, topic, payload, opts = {}) {
	return new Promise((resolve, reject) => {
		client.publish(topic, payload, { qos: 0, ...opts }, (err, packet) => {
			if (err && err.code === undefined) reject(err);
			else resolve(err ? err.code : packet?.reasonCode ?? 0);
		});
	});
}

/**
 * Records every message a client receives. next(pred, timeout) resolves with the first recorded
 * or later message matching pred; none(pred) tells whether nothing matching arrived.
 */
export function collect(client) {
	const messages = [];
	const waiters = new Set();
	client.on('message', (topic, payload, packet) => {
		const m = { topic, payload, text: payload.toString(), packet, at: Date.now() };
		messages.push(m);
		for (const w of waiters) {
			if (w.pred(m)) { waiters.delete(w); w.resolve(m); }
		}
	});
	const asPred = (p) => typeof p === 'function' ? p : typeof p === 'string' ? (m) => m.topic === p : () => true;
	return {
		messages,
		next(p, timeout = 5000) {
			const pred = asPred(p);
			const found = messages.find(pred);
			if (found) return Promise.resolve(found);
			return new Promise((resolve, reject) => {
				const w = { pred, resolve };
				waiters.add(w);
				setTimeout(() => {
					if (waiters.delete(w)) reject(new Error(`no matching MQTT message within ${timeout} ms (got ${messages.length}: ${messages.slice(-5).map((m) => `${m.topic}=${m.text.slice(0, 60)}`).join(', ')})`));
				}, timeout);
			});
		},
		matching(p) { return messages.filter(asPred(p)); },
		clear() { messages.length = 0; },
	};
}

/** The closed-connection promise of an MQTT.js client: resolves with the time it closed. */
export function whenClosed(client) {
	if (!client.connected) return Promise.resolve(Date.now());
	return new Promise((resolve) => client.once('close', () => resolve(Date.now())));
}

// ---------------------------------------------------------------------------------------------
// HTTP helpers

/**
 * Calls the REST API. body: an object (sent as JSON), or a string/Buffer (sent as is).
 * Resolves {status, headers, text, json} (json undefined when the body is not JSON).
 */
export async function request(base, method, p, { key, body, headers = {}, timeout = 10000 } = {}) {
	const h = { ...headers };
	if (key !== undefined) h['X-AIO-Key'] = key;
	let b = body;
	if (body !== undefined && typeof body !== 'string' && !Buffer.isBuffer(body)) {
		b = JSON.stringify(body);
		h['Content-Type'] ??= 'application/json';
	} else if (typeof body === 'string' && !h['Content-Type']) {
		h['Content-Type'] = 'application/json';
	}
	const url = /^https?:/.test(p) ? p : base + p;
	const res = await fetch(url, { method, headers: h, body: b, signal: AbortSignal.timeout(timeout), redirect: 'manual' });
	const text = await res.text();
	let json;
	try { json = JSON.parse(text); } catch { json = undefined; }
	return { status: res.status, headers: res.headers, text, json, url };
}

// ---------------------------------------------------------------------------------------------
// The stack

function cleanEnv() {
	const env = {};
	for (const [k, v] of Object.entries(process.env)) {
		if (k.startsWith('PERCH_') && !k.startsWith('PERCH_TEST_')) continue;
		env[k] = v;
	}
	return env;
}

function psqlArgs(host, db) {
	return ['-h', host, '-U', 'perch', '-d', db, '-X', '-A', '-t', '-q', '-v', 'ON_ERROR_STOP=1', '-F', '\t'];
}

export async function startStack({ anonymousTime = false, env = {}, label = 'stack' } = {}) {
	const pgHost = process.env.PERCH_TEST_PG_HOST;
	if (!pgHost) {
		throw new Error('PERCH_TEST_PG_HOST is not set: run the system tests through scripts/test.sh ' +
			'(or: export PERCH_TEST_PG_HOST=$(scripts/pg.sh start "$PWD/.perch-test/pg" fast | sed "s/^host=\\([^ ]*\\).*/\\1/"))');
	}
	for (const f of [PERCH_BIN, PLUGIN]) {
		if (!fs.existsSync(f)) throw new Error(`${f} is missing: build first (make, or cmake --build build)`);
	}
	const dbName = `perch_${randomBytes(5).toString('hex')}`;
	const dir = path.join(TEST_DIR, 'stacks', `${label}-${dbName}`);
	fs.mkdirSync(dir, { recursive: true });
	// As root, Mosquitto and the daemon run as root too (the conf says `user root`); as a normal
	// user nothing changes owner. The directory must be reachable by both.
	const [httpPort, mqttPort, wsPort] = await freePorts(3);

	const stackEnv = {
		...cleanEnv(),
		PERCH_DATABASE_URL: `host=${pgHost} user=perch dbname=${dbName}`,
		PERCH_DATA_DIR: dir,
		PERCH_HTTP_PORT: String(httpPort),
		PERCH_MQTT_PORT: String(mqttPort),
		PERCH_WS_PORT: String(wsPort),
		PERCH_BROKER: 'external',
		// keep every listener on the loopback interface
		PERCH_HTTP_BIND: '127.0.0.1',
		PERCH_MQTT_BIND: '127.0.0.1',
		PERCH_WS_BIND: 'lo',
		PERCH_ANONYMOUS_TIME: anonymousTime ? '1' : '0',
		...env,
	};

	const s = {
		dbName,
		dir,
		env: stackEnv,
		http: `http://127.0.0.1:${httpPort}`,
		mqttUrl: `mqtt://127.0.0.1:${mqttPort}`,
		wsUrl: `ws://127.0.0.1:${wsPort}/mqtt`,
		ports: { http: httpPort, mqtt: mqttPort, ws: wsPort },
		failed: false,
		clients: new Set(),
		broker: null,
		daemon: null,
		daemonExits: [], // {code, signal, expected}
	};
	const log = (name) => path.join(dir, name);

	const runChecked = async (cmd, args, opts) => {
		const r = await run(cmd, args, opts);
		if (r.code !== 0) {
			throw new Error(`${path.basename(cmd)} ${args.join(' ')} exited ${r.code ?? r.signal}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
		}
		return r;
	};

	s.psql = (query, db = dbName) => runChecked('psql', [...psqlArgs(pgHost, db), '-c', query]);
	/** Runs SQL against this stack's database; resolves with the rows as arrays of strings. */
	s.sqlRows = async (query) => {
		const r = await s.psql(query);
		return r.stdout.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
	};
	/** Runs SQL; resolves with stdout trimmed (a single value for a one-cell query). */
	s.sql = async (query) => (await s.psql(query)).stdout.trim();

	/** Runs the perch CLI with this stack's environment. */
	s.perch = (...args) => run(PERCH_BIN, args.map(String), { env: stackEnv });
	s.perchOk = async (...args) => {
		const r = await s.perch(...args);
		if (r.code !== 0) throw new Error(`perch ${args.join(' ')} exited ${r.code ?? r.signal}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
		return r;
	};

	s.addUser = async (name, { instructor = false, password, email } = {}) => {
		const args = ['user', 'add', name];
		if (instructor) args.push('--instructor');
		if (password) args.push('--password', password);
		if (email) args.push('--email', email);
		return s.perchOk(...args);
	};

	/** `perch key new`: resolves {id, key}. The key is the last line of stdout. */
	s.newKey = async (user, label = 'test') => {
		const r = await s.perchOk('key', 'new', user, '--label', label);
		const lines = r.stdout.split('\n').map((l) => l.trim()).filter(Boolean);
		const key = lines.at(-1);
		if (!/^perch_[A-Za-z0-9]{32}$/.test(key)) throw new Error(`perch key new: last line is not a key: ${JSON.stringify(r.stdout)}`);
		let id;
		for (const l of lines.slice(0, -1)) {
			const m = /\bkey\s+#?(\d+)\b/.exec(l) || /\bid[:= ]\s*(\d+)/i.exec(l);
			if (m) { id = m[1]; break; }
		}
		if (id === undefined) {
			const list = await s.perchOk('key', 'list', user);
			for (const l of list.stdout.split('\n')) {
				const f = l.split('\t').map((x) => x.trim());
				if (f.length >= 3 && f[2] && key.startsWith(f[2].replace(/[.…*]+$/, ''))) { id = f[0]; break; }
			}
		}
		if (id === undefined) throw new Error(`cannot tell the id of the new key from: ${r.stdout}`);
		return { id, key };
	};

	/** A user with a key in one call: resolves {name, key, keyId}. */
	s.user = async (name, opts = {}) => {
		await s.addUser(name, opts);
		const { id, key } = await s.newKey(name, opts.label ?? `${name} board`);
		return { name, key, keyId: id };
	};

	/**
	 * Connects with MQTT.js; resolves with the connected client, rejects with an error whose code
	 * is the CONNACK code (or 'closed' when the broker closed the socket without one).
	 * opts: any MQTT.js option; retryMs (default 0): keep retrying refusals this long (the plugin
	 * learns new users and keys asynchronously, within about a second).
	 */
	s.connect = async (user, key, opts = {}) => {
		const { retryMs = 0, ...mopts } = opts;
		const end = Date.now() + retryMs;
		for (;;) {
			try {
				return await connectOnce(user, key, mopts);
			} catch (e) {
				if (Date.now() >= end) throw e;
				await sleep(100);
			}
		}
	};
	/** Connect for a test that expects success: retries refusals for up to 3 s. */
	s.connectOk = (user, key, opts = {}) => s.connect(user, key, { retryMs: 3000, ...opts });

	function connectOnce(user, key, mopts) {
		return new Promise((resolve, reject) => {
			const o = {
				protocolVersion: 4,
				reconnectPeriod: 0,
				connectTimeout: 5000,
				clean: true,
				...mopts,
			};
			if (user !== undefined && user !== null) o.username = user;
			if (key !== undefined && key !== null) o.password = key;
			const url = mopts.url || s.mqttUrl;
			delete o.url;
			const c = mqtt.connect(url, o);
			s.clients.add(c);
			c.connackCode = undefined;
			let settled = false;
			const fail = (err) => {
				if (settled) return;
				settled = true;
				c.end(true);
				s.clients.delete(c);
				reject(err);
			};
			c.once('connect', () => {
				if (settled) return;
				settled = true;
				c.on('error', () => { /* later errors surface as 'close' to the tests */ });
				resolve(c);
			});
			c.on('error', (err) => {
				const e = new Error(`MQTT connect as ${user ?? '(anonymous)'} refused: ${err.message}`);
				e.code = err.code;
				fail(e);
			});
			c.once('close', () => {
				const e = new Error(`MQTT connect as ${user ?? '(anonymous)'}: connection closed without CONNACK`);
				e.code = 'closed';
				fail(e);
			});
		});
	}

	/** Connects expecting a refusal; resolves with the CONNACK code (or 'closed'). */
	s.connectRefused = async (user, key, opts = {}) => {
		let c;
		try {
			c = await s.connect(user, key, opts);
		} catch (e) {
			return e.code;
		}
		c.end(true);
		throw new Error(`MQTT connect as ${user ?? '(anonymous)'} was accepted but should have been refused`);
	};

	s.api = (method, p, opts) => request(s.http, method, p, opts);

	// --- processes

	function startProcess(name, cmd, args) {
		const out = fs.openSync(log(`${name}.log`), 'a');
		fs.writeSync(out, `\n==== ${new Date().toISOString()} ${cmd} ${args.join(' ')}\n`);
		const p = spawn(cmd, args, { env: stackEnv, stdio: ['ignore', out, out], cwd: dir });
		fs.closeSync(out);
		children.add(p);
		p.exited = new Promise((resolve) => {
			p.on('exit', (code, signal) => { children.delete(p); p.exitInfo = { code, signal }; resolve({ code, signal }); });
			p.on('error', (err) => {
				children.delete(p);
				p.exitInfo = { code: null, signal: null, error: err.message };
				fs.appendFileSync(log(`${name}.log`), `cannot start ${cmd}: ${err.message}\n`);
				resolve(p.exitInfo);
			});
		});
		if (p.pid) recordPid(p.pid);
		return p;
	}

	async function stopProcess(p, timeout = 10000) {
		if (!p || p.exitInfo) return p?.exitInfo;
		p.kill('SIGTERM');
		const r = await Promise.race([p.exited, sleep(timeout).then(() => null)]);
		if (r) return r;
		p.kill('SIGKILL');
		return p.exited;
	}

	s.startBroker = async () => {
		const b = startProcess('mosquitto', MOSQUITTO_BIN, ['-c', path.join(dir, 'mosquitto.conf')]);
		s.broker = b;
		await waitFor(async () => {
			if (b.exitInfo) throw new Error(`mosquitto exited ${JSON.stringify(b.exitInfo)}:\n${tail(log('mosquitto.log'), 20)}`);
			return portOpen(mqttPort);
		}, { timeout: 10000, what: `mosquitto listening on ${mqttPort}` }).catch((e) => {
			if (b.exitInfo) throw e;
			throw new Error(`${e.message}\n${tail(log('mosquitto.log'), 20)}`);
		});
	};
	s.stopBroker = async () => { await stopProcess(s.broker); s.broker = null; };

	s.startDaemon = async () => {
		const d = startProcess('perch', PERCH_BIN, ['serve']);
		s.daemon = d;
		d.exited.then((info) => { s.daemonExits.push({ ...info, expected: !!d.stopping }); });
		await waitFor(async () => {
			if (d.exitInfo) throw new Error(`perch serve exited ${JSON.stringify(d.exitInfo)}:\n${tail(log('perch.log'), 20)}`);
			const r = await fetch(`${s.http}/healthz`, { signal: AbortSignal.timeout(1000) }).catch(() => null);
			return r && r.status === 200;
		}, { timeout: 15000, interval: 100, what: 'GET /healthz 200' }).catch((e) => {
			if (d.exitInfo) throw e;
			throw new Error(`${e.message}\n${tail(log('perch.log'), 20)}`);
		});
	};
	s.stopDaemon = async () => {
		if (!s.daemon) return;
		s.daemon.stopping = true;
		await stopProcess(s.daemon);
		s.daemon = null;
	};
	/** True while the daemon started by startDaemon still runs (it has not crashed). */
	s.daemonAlive = () => !!s.daemon && !s.daemon.exitInfo;

	s.logs = (lines = 40) =>
		['perch.log', 'mosquitto.log'].map((f) => `---- ${path.join(dir, f)} (last ${lines} lines)\n${tail(log(f), lines)}`).join('\n');

	s.stop = async () => {
		for (const c of s.clients) c.end(true);
		s.clients.clear();
		await s.stopDaemon();
		await s.stopBroker();
		const unexpected = s.daemonExits.filter((e) => !e.expected);
		if (unexpected.length) {
			s.failed = true;
			process.stderr.write(`perch serve exited unexpectedly ${JSON.stringify(unexpected)}\n${s.logs(60)}\n`);
		}
		await run('psql', [...psqlArgs(pgHost, 'postgres'), '-c', `DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`]).catch(() => {});
		if (s.failed || process.env.PERCH_TEST_KEEP) {
			process.stderr.write(`kept ${dir}\n`);
		} else {
			fs.rmSync(dir, { recursive: true, force: true });
		}
	};

	// --- bring it up
	try {
		await runChecked('psql', [...psqlArgs(pgHost, 'postgres'), '-c', `CREATE DATABASE ${dbName}`]);
		await s.perchOk('migrate');
		const conf = await s.perchOk('mosquitto-conf');
		fs.writeFileSync(path.join(dir, 'mosquitto.conf'), conf.stdout);
		await s.startBroker();
		await s.startDaemon();
	} catch (e) {
		s.failed = true;
		process.stderr.write(`stack start failed: ${e.message}\n${s.logs(30)}\n`);
		await s.stop().catch(() => {});
		throw e;
	}
	return s;
}

/**
 * Starts one stack for the calling test file (before) and stops it (after). Returns {test, stack}:
 * test(name, [options], fn) is node:test's test() whose fn gets (stack, t); when it fails the tails
 * of the daemon's and broker's logs are printed and the stack's directory is kept.
 */
export function useStack(opts = {}) {
	const ctx = { stack: null };
	before(async () => { ctx.stack = await startStack(opts); }, { timeout: 60000 });
	after(async () => { await ctx.stack?.stop(); }, { timeout: 60000 });
	ctx.test = (name, options, fn) => {
		if (typeof options === 'function') { fn = options; options = {}; }
		return nodeTest(name, { timeout: 30000, ...options }, async (t) => {
			const s = ctx.stack;
			if (!s) throw new Error('the stack did not start (see the first failure of this file)');
			try {
				const r = await fn(s, t);
				// A crash shows up in the test that caused it.
				if (s.daemon && s.daemon.exitInfo) throw new Error(`perch serve exited during this test: ${JSON.stringify(s.daemon.exitInfo)}`);
				if (s.broker && s.broker.exitInfo) throw new Error(`mosquitto exited during this test: ${JSON.stringify(s.broker.exitInfo)}`);
				return r;
			} catch (e) {
				s.failed = true;
				process.stderr.write(`\n### ${name} failed: ${e?.message?.split('\n')[0]}\n${s.logs(25)}\n`);
				throw e;
			}
		});
	};
	return ctx;
}

// ---------------------------------------------------------------------------------------------
// Shared checks used by several files

/** Rows stored for a user's feed, oldest first: [{value, num, lat, lon, ele, created_at}]. */
export async function storedRows(s, user, feedKey) {
	const rows = await s.sqlRows(
		`SELECT d.value, coalesce(d.num::text,''), coalesce(d.lat::text,''), coalesce(d.lon::text,''), coalesce(d.ele::text,''),
		        to_char(d.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
		   FROM data d JOIN feeds f ON f.id = d.feed_id JOIN users u ON u.id = f.user_id
		  WHERE u.username = '${user}' AND f.key = '${feedKey}'
		  ORDER BY d.created_at, d.id`);
	return rows.map(([value, num, lat, lon, ele, created_at]) => ({
		value,
		num: num === '' ? null : Number(num),
		lat: lat === '' ? null : Number(lat),
		lon: lon === '' ? null : Number(lon),
		ele: ele === '' ? null : Number(ele),
		created_at,
	}));
}

/** Waits until at least n rows are stored for the feed; resolves with them. */
export function waitRows(s, user, feedKey, n = 1, timeout = 8000) {
	return waitFor(async () => {
		const rows = await storedRows(s, user, feedKey);
		return rows.length >= n ? rows : false;
	}, { timeout, interval: 100, what: `${n} stored row(s) in ${user}/${feedKey}` });
}

export const feedKeysOf = async (s, user) =>
	(await s.sqlRows(`SELECT f.key FROM feeds f JOIN users u ON u.id = f.user_id WHERE u.username = '${user}' ORDER BY 1`)).map((r) => r[0]);
