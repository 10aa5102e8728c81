-- perch schema, version 1: users, MQTT keys, groups, feeds and the data points.
-- Applied once by `perch migrate` (and at start) inside one transaction.

CREATE TABLE users (
	id              bigserial PRIMARY KEY,
	username        text NOT NULL UNIQUE CHECK (username ~ '^[a-z][a-z0-9_-]{1,31}$'),
	email           text UNIQUE,
	display_name    text,
	role            text NOT NULL DEFAULT 'student' CHECK (role IN ('student', 'instructor', 'admin')),
	disabled        boolean NOT NULL DEFAULT false,
	password_hash   text,                 -- argon2id (libsodium crypto_pwhash_str), web sign-in only
	rate_limit      integer NOT NULL DEFAULT 50 CHECK (rate_limit > 0),      -- messages/s
	max_connections integer NOT NULL DEFAULT 10 CHECK (max_connections > 0),
	max_payload     integer NOT NULL DEFAULT 102400 CHECK (max_payload > 0), -- bytes per MQTT message
	max_feeds       integer NOT NULL DEFAULT 100 CHECK (max_feeds >= 0),
	max_dashboards  integer NOT NULL DEFAULT 50 CHECK (max_dashboards >= 0),
	retention_days  integer NOT NULL DEFAULT 30 CHECK (retention_days > 0),
	created_at      timestamptz NOT NULL DEFAULT now(),
	updated_at      timestamptz NOT NULL DEFAULT now()
);

-- MQTT keys: only a keyed hash is kept; `shown` is the first characters, to tell keys apart.
CREATE TABLE mqtt_keys (
	id           bigserial PRIMARY KEY,
	user_id      bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	label        text NOT NULL DEFAULT '',
	key_hash     text NOT NULL UNIQUE,
	shown        text NOT NULL,
	created_at   timestamptz NOT NULL DEFAULT now(),
	last_used_at timestamptz,
	revoked_at   timestamptz
);
CREATE INDEX mqtt_keys_user ON mqtt_keys (user_id);

CREATE TABLE groups (
	id          bigserial PRIMARY KEY,
	user_id     bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	key         text NOT NULL CHECK (key ~ '^[a-z0-9-]{1,128}$'),
	name        text NOT NULL,
	description text,
	created_at  timestamptz NOT NULL DEFAULT now(),
	updated_at  timestamptz NOT NULL DEFAULT now(),
	UNIQUE (user_id, key)
);

CREATE TABLE feeds (
	id             bigserial PRIMARY KEY,
	user_id        bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	group_id       bigint REFERENCES groups(id) ON DELETE SET NULL,
	key            text NOT NULL CHECK (key ~ '^[a-z0-9-]{1,128}(\.[a-z0-9-]{1,128})?$'),
	name           text NOT NULL,
	description    text,
	unit_type      text,
	unit_symbol    text,
	history        boolean NOT NULL DEFAULT true,
	visibility     text NOT NULL DEFAULT 'private',
	license        text,
	mqtt_topic     text,                 -- the free-form topic a feed was created from, if any
	retention_days integer CHECK (retention_days > 0), -- NULL: the owner's retention
	last_value     text,
	last_value_at  timestamptz,
	created_at     timestamptz NOT NULL DEFAULT now(),
	updated_at     timestamptz NOT NULL DEFAULT now(),
	UNIQUE (user_id, key)
);

-- Data points, partitioned by day on created_at. The daemon keeps partitions made ahead of
-- time; the default partition catches anything outside them (old or far-future timestamps).
CREATE SEQUENCE data_id_seq CACHE 1000;
CREATE TABLE data (
	feed_id    bigint NOT NULL,
	created_at timestamptz NOT NULL,
	id         bigint NOT NULL DEFAULT nextval('data_id_seq'),
	value      text NOT NULL,
	num        double precision,
	lat        double precision,
	lon        double precision,
	ele        double precision
) PARTITION BY RANGE (created_at);
CREATE TABLE data_default PARTITION OF data DEFAULT;
-- "this feed, this time range" and "last value of this feed", newest first.
CREATE INDEX data_feed_time ON data (feed_id, created_at DESC, id DESC);

-- Rollups kept up to date as data arrives, so long chart ranges never scan raw rows.
CREATE TABLE rollup_minute (
	feed_id bigint NOT NULL,
	bucket  timestamptz NOT NULL,
	count   bigint NOT NULL,
	sum     double precision,
	min     double precision,
	max     double precision,
	PRIMARY KEY (feed_id, bucket)
);
CREATE TABLE rollup_hour (LIKE rollup_minute INCLUDING ALL);

-- Makes the partition that holds day d if it does not exist yet.
CREATE FUNCTION perch_ensure_partition(d date) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	part text := 'data_' || to_char(d, 'YYYYMMDD');
BEGIN
	IF to_regclass(part) IS NULL THEN
		EXECUTE format('CREATE TABLE %I PARTITION OF data FOR VALUES FROM (%L) TO (%L)',
			part, d::timestamp AT TIME ZONE 'UTC', (d + 1)::timestamp AT TIME ZONE 'UTC');
	END IF;
EXCEPTION WHEN check_violation THEN
	-- rows for that day already sit in the default partition: leave them there
	NULL;
END $$;

-- The broker plugin keeps users and keys in memory; it listens on this channel to reload.
CREATE FUNCTION perch_notify_auth() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('perch_auth', TG_TABLE_NAME);
	RETURN NULL;
END $$;
CREATE TRIGGER users_notify AFTER INSERT OR UPDATE OR DELETE ON users
	FOR EACH STATEMENT EXECUTE FUNCTION perch_notify_auth();
CREATE TRIGGER mqtt_keys_notify AFTER INSERT OR UPDATE OF revoked_at, key_hash, user_id OR DELETE ON mqtt_keys
	FOR EACH STATEMENT EXECUTE FUNCTION perch_notify_auth();
