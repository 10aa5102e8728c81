// Issue 2, point 7: a bad request answers a JSON error with the right status, and no request
// crashes the daemon: a bounded loop of hostile requests (huge bodies, bad UTF-8, path traversal,
// weird methods, very long paths and headers, broken HTTP) leaves /healthz answering 200.

import assert from 'node:assert/strict';
import net from 'node:net';
import { storedRows, useStack } from './harness.mjs';

const { test } = useStack({ label: 'rest-errors' });

let alice;
const api = (s, method, p, opts = {}) => s.api(method, p, { key: alice.key, ...opts });

function assertError(r, status, what) {
	assert.equal(r.status, status, `${what}: ${r.status} ${r.text.slice(0, 300)}`);
	assert.equal(typeof r.json?.error, 'string', `${what}: body is {"error": "…"}: ${r.text.slice(0, 300)}`);
	assert.match(r.headers.get('content-type') ?? '', /json/, `${what}: JSON content type`);
}

test('setup: a user with a feed', async (s) => {
	alice = await s.user('alice');
	await s.user('bob');
	const r = await api(s, 'POST', '/api/v2/alice/feeds', { body: { feed: { name: 'temp' } } });
	assert.equal(r.status, 201, r.text);
});

test('malformed JSON answers 400 (data)', async (s) => {
	assertError(await api(s, 'POST', '/api/v2/alice/feeds/temp/data', { body: '{"value": ' }), 400, 'POST data with broken JSON');
});

test('malformed JSON answers 400 (feeds)', async (s) => {
	assertError(await api(s, 'POST', '/api/v2/alice/feeds', { body: '{"feed": {"name": "x"' }), 400, 'POST feeds with broken JSON');
});

test('JSON that is not an object answers 400 or 422', async (s) => {
	for (const body of ['[1,2,3]', '"just a string"', '42', 'null']) {
		const r = await api(s, 'POST', '/api/v2/alice/feeds/temp/data', { body });
		assert.ok([400, 422].includes(r.status), `${body}: ${r.status} ${r.text}`);
		assert.equal(typeof r.json?.error, 'string');
	}
});

test('an unknown feed answers 404', async (s) => {
	assertError(await api(s, 'GET', '/api/v2/alice/feeds/no-such-feed'), 404, 'GET unknown feed');
	assertError(await api(s, 'GET', '/api/v2/alice/feeds/no-such-feed/data'), 404, 'GET data of unknown feed');
	assertError(await api(s, 'GET', '/api/v2/alice/feeds/no-such-feed/data/last'), 404, 'GET last of unknown feed');
});

test('an unknown API path answers 404 JSON', async (s) => {
	assertError(await api(s, 'GET', '/api/v2/alice/no-such-collection'), 404, 'GET unknown collection');
	assertError(await api(s, 'GET', '/api/v9/user'), 404, 'GET unknown API version');
});

test('a datum without value answers 422', async (s) => {
	assertError(await api(s, 'POST', '/api/v2/alice/feeds/temp/data', { body: {} }), 422, 'POST {}');
	assertError(await api(s, 'POST', '/api/v2/alice/feeds/temp/data', { body: { lat: 1, lon: 2 } }), 422, 'POST {lat,lon}');
	assertError(await api(s, 'POST', '/api/v2/alice/feeds/temp/data', { body: { value: null } }), 422, 'POST {value:null}');
});

test('a value over 1024 bytes answers 422 (or 400) and is not stored', async (s) => {
	const r = await api(s, 'POST', '/api/v2/alice/feeds/temp/data', { body: { value: 'v'.repeat(2000) } });
	assert.ok([400, 413, 422].includes(r.status), `${r.status} ${r.text.slice(0, 200)}`);
	assert.equal(typeof r.json?.error, 'string');
	assert.ok(!(await storedRows(s, 'alice', 'temp')).some((x) => x.value.length > 1024));
});

test('a bad start_time answers 400', async (s) => {
	assertError(await api(s, 'GET', '/api/v2/alice/feeds/temp/data?start_time=yesterday-ish'), 400, 'bad start_time');
});

test('a bad limit answers 400 or is clamped', async (s) => {
	for (const q of ['limit=-5', 'limit=abc', 'limit=99999999999999999999']) {
		const r = await api(s, 'GET', `/api/v2/alice/feeds/temp/data?${q}`);
		assert.ok([200, 400].includes(r.status), `${q}: ${r.status}`);
		if (r.status === 200) {
			const l = Number(r.headers.get('x-pagination-limit'));
			assert.ok(l >= 0 && l <= 1000, `${q}: X-Pagination-Limit ${l}`);
		} else {
			assert.equal(typeof r.json?.error, 'string');
		}
	}
});

test('no key answers 401 JSON, wrong key answers 401 JSON', async (s) => {
	assertError(await s.api('GET', '/api/v2/alice/feeds'), 401, 'no key');
	assertError(await s.api('GET', '/api/v2/alice/feeds', { key: 'perch_' + '0'.repeat(32) }), 401, 'wrong key');
	assertError(await s.api('POST', '/api/v2/alice/feeds/temp/data', { body: { value: 1 } }), 401, 'POST without key');
});

test("another user's path answers 403 (or 404) JSON", async (s) => {
	const r = await api(s, 'GET', '/api/v2/bob/feeds');
	assert.ok([403, 404].includes(r.status), `${r.status} ${r.text}`);
	assert.equal(typeof r.json?.error, 'string');
});

test('a wrong method answers 405 JSON', async (s) => {
	assertError(await api(s, 'DELETE', '/api/v2/user'), 405, 'DELETE /api/v2/user');
	assertError(await api(s, 'PUT', '/api/v2/alice/throttle', { body: {} }), 405, 'PUT throttle');
	assertError(await api(s, 'PATCH', '/api/v2/alice/feeds/temp/data/last', { body: {} }), 405, 'PATCH data/last');
});

// ---- hostile requests

/** Sends raw bytes over TCP and resolves with what came back before the server closed or 2 s passed. */
function raw(port, bytes, { wait = 2000 } = {}) {
	return new Promise((resolve) => {
		const sock = net.connect({ host: '127.0.0.1', port });
		let got = Buffer.alloc(0);
		const done = () => { sock.destroy(); resolve(got.toString('latin1')); };
		const t = setTimeout(done, wait);
		sock.on('connect', () => {
			for (const b of [].concat(bytes)) sock.write(b);
		});
		sock.on('data', (d) => { got = Buffer.concat([got, d]); });
		sock.on('error', () => { clearTimeout(t); done(); });
		sock.on('close', () => { clearTimeout(t); done(); });
	});
}

/** A seeded PRNG so that a failing hostile request can be replayed. */
function prng(seed) {
	let x = seed >>> 0;
	return () => {
		x ^= x << 13; x >>>= 0;
		x ^= x >> 17;
		x ^= x << 5; x >>>= 0;
		return x / 0x100000000;
	};
}

test('hostile requests do not crash the daemon, answer no 5xx, and leak no file', { timeout: 120000 }, async (s) => {
	const port = s.ports.http;
	const fiveHundreds = [];
	const note = (what, status) => { if (status >= 500) fiveHundreds.push(`${what} -> ${status}`); };
	const tryApi = async (what, method, p, opts) => {
		try {
			const r = await s.api(method, p, opts);
			note(what, r.status);
			return r;
		} catch {
			return null; // the server may close on abusive input; that is fine
		}
	};

	// huge bodies
	await tryApi('10 MB JSON body', 'POST', '/api/v2/alice/feeds/temp/data', { key: alice.key, body: `{"value":"${'a'.repeat(10 * 1024 * 1024)}"}` });
	await tryApi('10 MB form body', 'POST', '/api/v2/alice/feeds', { key: alice.key, body: 'name=' + 'b'.repeat(10 * 1024 * 1024), headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
	await raw(port, `POST /api/v2/alice/feeds/temp/data HTTP/1.1\r\nHost: x\r\nX-AIO-Key: ${alice.key}\r\nContent-Length: 99999999999\r\n\r\n{"value":1}`, { wait: 500 });
	await raw(port, `POST /api/v2/alice/feeds/temp/data HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n`, { wait: 500 });

	// bad UTF-8 and odd JSON
	for (const body of [
		Buffer.concat([Buffer.from('{"value":"'), Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80]), Buffer.from('"}')]),
		Buffer.from('{"value":"\\ud800"}'),
		Buffer.from('{"value":"a\\u0000b"}'),
		Buffer.from('['.repeat(100000)),
		Buffer.from('{"value":' + '['.repeat(50000) + ']'.repeat(50000) + '}'),
		Buffer.from('{"value":1e999999}'),
		Buffer.from('{"value":"x","value":"y","lat":"NaN","lon":{},"ele":[]}'),
		Buffer.from('{"feed":{"name":"' + 'n'.repeat(100000) + '"}}'),
		Buffer.from('{"feed":{"name":"../../etc","key":"../../etc"}}'),
		Buffer.from([0, 0, 0, 0]),
	]) {
		const r = await tryApi('odd body', 'POST', '/api/v2/alice/feeds/temp/data', { key: alice.key, body });
		if (r) assert.ok(r.status < 500, `odd body ${body.subarray(0, 40).toString('latin1')}: ${r.status}`);
		await tryApi('odd feed body', 'POST', '/api/v2/alice/feeds', { key: alice.key, body });
	}

	// path traversal, in the API and in static file paths
	for (const p of ['/../../../../etc/passwd', '/%2e%2e/%2e%2e/%2e%2e/etc/passwd', '/..%2f..%2f..%2fetc%2fpasswd',
		'/static/../../../../etc/passwd', '/assets/..%2f..%2f..%2f..%2fetc/passwd', '/%2e%2e%5c%2e%2e%5cetc%5cpasswd',
		'/api/v2/alice/feeds/..%2f..%2fbob%2ffeeds', '/api/v2/alice/../bob/feeds', '/index.html/../../../etc/passwd',
		'/....//....//etc/passwd', '/%00/etc/passwd', '/api/v2/%00/feeds']) {
		const viaFetch = await tryApi(`GET ${p}`, 'GET', p, { key: alice.key });
		if (viaFetch) assert.ok(!viaFetch.text.includes('root:'), `GET ${p} leaked /etc/passwd`);
		const viaRaw = await raw(port, `GET ${p} HTTP/1.1\r\nHost: x\r\nX-AIO-Key: ${alice.key}\r\nConnection: close\r\n\r\n`);
		assert.ok(!viaRaw.includes('root:x:'), `raw GET ${p} leaked /etc/passwd`);
		assert.ok(!/^HTTP\/1\.[01] 5\d\d/.test(viaRaw), `raw GET ${p}: ${viaRaw.slice(0, 40)}`);
	}

	// weird methods
	for (const m of ['BREW', 'PROPFIND', 'TRACE', 'MKCOL', 'X'.repeat(200), 'GET\0', 'get']) {
		const r = await raw(port, `${m} /api/v2/alice/feeds HTTP/1.1\r\nHost: x\r\nX-AIO-Key: ${alice.key}\r\nConnection: close\r\n\r\n`);
		assert.ok(!/^HTTP\/1\.[01] 5\d\d/.test(r) || /^HTTP\/1\.[01] 501/.test(r), `${m.slice(0, 20)}: ${r.slice(0, 40)}`);
	}

	// long paths, queries and headers
	await tryApi('10k path', 'GET', '/api/v2/alice/feeds/' + 'k'.repeat(10000), { key: alice.key });
	await tryApi('10k user', 'GET', '/api/v2/' + 'u'.repeat(10000) + '/feeds', { key: alice.key });
	await tryApi('100k path', 'GET', '/' + 'p/'.repeat(50000), { key: alice.key });
	await tryApi('10k query', 'GET', '/api/v2/alice/feeds/temp/data?limit=1&start_time=' + '9'.repeat(10000), { key: alice.key });
	await tryApi('many params', 'GET', '/api/v2/alice/feeds/temp/data?' + Array.from({ length: 5000 }, (_, i) => `a${i}=${i}`).join('&'), { key: alice.key });
	await tryApi('10k key', 'GET', '/api/v2/user', { key: 'perch_' + 'K'.repeat(10000) });
	await raw(port, `GET /api/v2/user HTTP/1.1\r\nHost: x\r\nX-Big: ${'h'.repeat(100000)}\r\n\r\n`, { wait: 500 });
	await raw(port, `GET /api/v2/user HTTP/1.1\r\nHost: x\r\n${Array.from({ length: 2000 }, (_, i) => `X-H${i}: v`).join('\r\n')}\r\n\r\n`, { wait: 500 });

	// broken HTTP
	for (const bytes of [
		'\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03', // a TLS ClientHello's start
		'GET /\r\n\r\n',
		'GET / HTTP/9.9\r\nHost: x\r\n\r\n',
		'GET /api/v2/user HTTP/1.1\r\nHost: x\r\nX-AIO-Key: ' + alice.key,
		`POST /api/v2/alice/feeds/temp/data HTTP/1.1\r\nHost: x\r\nX-AIO-Key: ${alice.key}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"value":`,
		`POST /api/v2/alice/feeds/temp/data HTTP/1.1\r\nHost: x\r\nX-AIO-Key: ${alice.key}\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\nabc\r\n0\r\n\r\n`,
		`POST /api/v2/alice/feeds/temp/data HTTP/1.1\r\nHost: x\r\nX-AIO-Key: ${alice.key}\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\nffffffffffffffff\r\nabc\r\n`,
		'\0\0\0\0\0\0\0\0\r\n\r\n',
		`GET /api/v2/user HTTP/1.1\r\nHost: x\r\nX-AIO-Key: ${alice.key}\r\n\r\n`.repeat(50), // pipelined
	]) {
		await raw(port, bytes, { wait: 500 });
	}

	// random requests from a seeded generator
	const rnd = prng(20240601);
	const pick = (a) => a[Math.floor(rnd() * a.length)];
	const junk = (n) => Buffer.from(Array.from({ length: n }, () => Math.floor(rnd() * 256)));
	for (let i = 0; i < 150; i++) {
		const method = pick(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD']);
		const seg = pick(['feeds', 'feeds/temp', 'feeds/temp/data', 'feeds/temp/data/last', 'feeds/temp/data/chart', 'throttle', 'user', encodeURIComponent(junk(8).toString('latin1'))]);
		const userPart = pick(['alice', 'bob', '', '%00', '..', 'alice/..', 'x'.repeat(40)]);
		const q = pick(['', '?limit=' + Math.floor(rnd() * 1e6), '?start_time=' + encodeURIComponent(junk(6).toString('latin1')), '?hours=-1&resolution=0', '?hours=999999&resolution=1', '?end_time=1970-01-01T00:00:00Z']);
		const body = method === 'GET' || method === 'HEAD' ? undefined : pick([junk(Math.floor(rnd() * 300)), '{"value":' + Math.floor(rnd() * 100) + '}', '{}', '']);
		const p = `/api/v2/${userPart}${userPart ? '/' : ''}${seg}${q}`;
		await tryApi(`#${i} ${method} ${p}`, method, p, { key: pick([alice.key, undefined, 'junk']), body });
	}

	// many connections at once, dropped
	await Promise.all(Array.from({ length: 100 }, () => raw(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\n', { wait: 300 })));

	// still alive and still correct
	assert.ok(s.daemonAlive(), 'perch serve is still running');
	const h = await s.api('GET', '/healthz');
	assert.equal(h.status, 200);
	const u = await api(s, 'GET', '/api/v2/user');
	assert.equal(u.status, 200);
	assert.equal(u.json.username, 'alice');
	assert.deepEqual(fiveHundreds, [], 'requests that answered 5xx');
});

test('after the hostile loop the feeds are intact and data still posts', async (s) => {
	const r = await api(s, 'POST', '/api/v2/alice/feeds/temp/data', { body: { value: 21 } });
	assert.equal(r.status, 200, r.text);
	const keys = (await api(s, 'GET', '/api/v2/alice/feeds')).json.map((f) => f.key);
	assert.ok(keys.includes('temp'));
	assert.ok(!keys.some((k) => k.includes('..') || k.includes('/')), `odd feed keys: ${keys}`);
});

test('creating a feed over the user\'s feed limit answers 422 JSON', async (s) => {
	const cap = await s.user('cap');
	await s.perchOk('user', 'set', 'cap', '--max-feeds', '1');
	let r = await s.api('POST', '/api/v2/cap/feeds', { key: cap.key, body: { feed: { name: 'first' } } });
	assert.equal(r.status, 201, r.text);
	r = await s.api('POST', '/api/v2/cap/feeds', { key: cap.key, body: { feed: { name: 'second' } } });
	assertError(r, 422, 'second feed over --max-feeds 1');
	r = await s.api('POST', '/api/v2/cap/feeds/third/data', { key: cap.key, body: { value: 1 } });
	assert.ok([404, 422].includes(r.status), `POST data to a new feed over the limit: ${r.status} ${r.text}`);
	const n = await s.sql(`SELECT count(*) FROM feeds f JOIN users u ON u.id=f.user_id WHERE u.username='cap'`);
	assert.equal(n, '1');
});
