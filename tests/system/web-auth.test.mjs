// Issue 3, point 1 (the API under the web app): sign-in with a local account, the session
// cookie (HttpOnly, SameSite, stored hashed, revocable), CSRF protection of every change made
// through the cookie, the slow-down of repeated failed sign-ins per account and per address
// (behind a trusted proxy, per X-Forwarded-For), live tokens, and the keys API.

import assert from 'node:assert/strict';
import { useStack } from './harness.mjs';

const { test } = useStack({ label: 'web-auth', env: { PERCH_TRUSTED_PROXIES: '127.0.0.1,::1' } });

const signIn = (s, username, password, headers = {}) =>
	s.api('POST', '/api/session', { body: { username, password }, headers });
const cookieOf = (r) => (r.headers.get('set-cookie') ?? '').split(';')[0];

let cookie;
let csrf;

test('a local account signs in: session cookie HttpOnly, SameSite, and a CSRF token', async (s) => {
	await s.addUser('alice', { password: 'alice-password', email: 'alice@school.example' });
	const r = await signIn(s, 'alice', 'alice-password');
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.user.username, 'alice');
	assert.match(r.json.csrf_token, /^[A-Za-z0-9_-]{40,}$/);
	const set = r.headers.get('set-cookie') ?? '';
	assert.match(set, /^perch_session=[A-Za-z0-9_-]{43};/);
	assert.match(set, /HttpOnly/);
	assert.match(set, /SameSite=Lax/);
	cookie = cookieOf(r);
	csrf = r.json.csrf_token;
	// only a hash of the token is stored
	const token = cookie.split('=')[1];
	assert.equal(await s.sql(`SELECT count(*) FROM sessions WHERE token_hash = '${token}'`), '0');
	assert.equal(await s.sql('SELECT count(*) FROM sessions'), '1');
});

test('the e-mail address works as the sign-in name too', async (s) => {
	const r = await signIn(s, 'Alice@School.example', 'alice-password');
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.user.username, 'alice');
});

test('a wrong password and an unknown user get the same 401, and the daemon stays up', async (s) => {
	const wrong = await signIn(s, 'alice', 'not-her-password', { 'X-Forwarded-For': '10.1.1.1' });
	const unknown = await signIn(s, 'nobody-here', 'whatever', { 'X-Forwarded-For': '10.1.1.1' });
	assert.equal(wrong.status, 401);
	assert.equal(unknown.status, 401);
	assert.deepEqual(wrong.json, unknown.json);
	assert.equal(wrong.headers.get('set-cookie'), null);
	assert.equal((await s.api('GET', '/healthz')).status, 200);
});

test('the cookie authenticates API reads; GET /api/session answers who is signed in', async (s) => {
	const me = await s.api('GET', '/api/session', { headers: { Cookie: cookie } });
	assert.equal(me.status, 200, me.text);
	assert.equal(me.json.user.username, 'alice');
	assert.equal(me.json.csrf_token, csrf);
	const feeds = await s.api('GET', '/api/v2/alice/feeds', { headers: { Cookie: cookie } });
	assert.equal(feeds.status, 200, feeds.text);
	assert.equal((await s.api('GET', '/api/session')).status, 401);
});

test('a change through the cookie needs the CSRF token', async (s) => {
	const body = { feed: { name: 'Bench' } };
	const none = await s.api('POST', '/api/v2/alice/feeds', { body, headers: { Cookie: cookie } });
	assert.equal(none.status, 403, none.text);
	const wrong = await s.api('POST', '/api/v2/alice/feeds', { body, headers: { Cookie: cookie, 'X-CSRF-Token': 'x'.repeat(43) } });
	assert.equal(wrong.status, 403, wrong.text);
	const right = await s.api('POST', '/api/v2/alice/feeds', { body, headers: { Cookie: cookie, 'X-CSRF-Token': csrf } });
	assert.equal(right.status, 201, right.text);
});

test('keys API: create (shown once), list without the key, revoke', async (s) => {
	const h = { Cookie: cookie, 'X-CSRF-Token': csrf };
	const made = await s.api('POST', '/api/keys', { body: { label: 'bench ESP32' }, headers: h });
	assert.equal(made.status, 201, made.text);
	assert.match(made.json.key, /^perch_[A-Za-z0-9]{32}$/);
	const list = await s.api('GET', '/api/keys', { headers: { Cookie: cookie } });
	assert.equal(list.status, 200);
	assert.ok(list.json.some((k) => k.id === made.json.id && k.label === 'bench ESP32'));
	assert.ok(!list.text.includes(made.json.key), 'the list never shows a key');
	const viaKey = await s.api('GET', '/api/v2/user', { key: made.json.key });
	assert.equal(viaKey.status, 200);
	const revoked = await s.api('DELETE', `/api/keys/${made.json.id}`, { headers: h });
	assert.equal(revoked.status, 200, revoked.text);
	assert.equal((await s.api('GET', '/api/v2/user', { key: made.json.key })).status, 401);
	assert.equal((await s.api('DELETE', `/api/keys/${made.json.id}`, { headers: h })).status, 404);
});

test('a live token is signed for the user and accepted by the broker as a password', async (s) => {
	const r = await s.api('POST', '/api/live-token', { headers: { Cookie: cookie, 'X-CSRF-Token': csrf } });
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.username, 'alice');
	assert.match(r.json.token, /^live1\.alice\.\d+\.[0-9a-f]{64}$/);
	const c = await s.connect('alice', r.json.token, { retryMs: 2000 });
	c.end(true);
	const forged = r.json.token.replace(/.$/, (ch) => (ch === '0' ? '1' : '0'));
	await assert.rejects(s.connect('alice', forged));
});

test('sign out ends the session on the server', async (s) => {
	const r = await signIn(s, 'alice', 'alice-password');
	const c2 = cookieOf(r);
	const out = await s.api('DELETE', '/api/session', { headers: { Cookie: c2, 'X-CSRF-Token': r.json.csrf_token } });
	assert.equal(out.status, 200, out.text);
	assert.equal((await s.api('GET', '/api/session', { headers: { Cookie: c2 } })).status, 401);
	// the first session is untouched
	assert.equal((await s.api('GET', '/api/session', { headers: { Cookie: cookie } })).status, 200);
});

test('disabling the account ends its sessions', async (s) => {
	await s.addUser('carol', { password: 'carol-password' });
	const r = await signIn(s, 'carol', 'carol-password');
	const c = cookieOf(r);
	await s.perchOk('user', 'disable', 'carol');
	assert.equal((await s.api('GET', '/api/session', { headers: { Cookie: c } })).status, 401);
	assert.equal((await signIn(s, 'carol', 'carol-password')).status, 401);
});

test('repeated failures slow down that account (429 with Retry-After), from any address', async (s) => {
	await s.addUser('dave', { password: 'dave-password' });
	for (let i = 0; i < 6; i++) {
		const r = await signIn(s, 'dave', `guess-${i}`, { 'X-Forwarded-For': `10.2.0.${i}` });
		assert.equal(r.status, 401, `attempt ${i}: ${r.text}`);
	}
	const slowed = await signIn(s, 'dave', 'dave-password', { 'X-Forwarded-For': '10.2.0.99' });
	assert.equal(slowed.status, 429, slowed.text);
	assert.ok(Number(slowed.headers.get('retry-after')) >= 1);
	// another account is not affected
	assert.equal((await signIn(s, 'alice', 'alice-password', { 'X-Forwarded-For': '10.2.0.1' })).status, 200);
});

test('behind a trusted proxy, many failures from one client address slow that address only', async (s) => {
	for (let i = 0; i < 31; i++) {
		await signIn(s, `made-up-${i}`, 'x', { 'X-Forwarded-For': '203.0.113.9, 10.3.0.1' });
	}
	const same = await signIn(s, 'alice', 'alice-password', { 'X-Forwarded-For': '10.3.0.1' });
	assert.equal(same.status, 429, same.text);
	const other = await signIn(s, 'alice', 'alice-password', { 'X-Forwarded-For': '10.3.0.2' });
	assert.equal(other.status, 200, other.text);
});
