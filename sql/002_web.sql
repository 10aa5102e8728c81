-- perch schema, version 2: web sign-in sessions, dashboards and their blocks.

-- A browser session: the cookie holds a random token; only its hash is stored.
CREATE TABLE sessions (
	id           bigserial PRIMARY KEY,
	user_id      bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	token_hash   text NOT NULL UNIQUE,
	csrf_token   text NOT NULL,
	user_agent   text,
	address      text,
	created_at   timestamptz NOT NULL DEFAULT now(),
	last_seen_at timestamptz NOT NULL DEFAULT now(),
	expires_at   timestamptz NOT NULL,
	revoked_at   timestamptz
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE dashboards (
	id            bigserial PRIMARY KEY,
	user_id       bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	key           text NOT NULL CHECK (key ~ '^[a-z0-9-]{1,128}$'),
	name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 128),
	description   text,
	visibility    text NOT NULL DEFAULT 'private',
	show_header   boolean NOT NULL DEFAULT true,
	color_mode    text NOT NULL DEFAULT 'dark',
	block_borders boolean NOT NULL DEFAULT true,
	allow_overlap boolean NOT NULL DEFAULT false,
	layouts       jsonb NOT NULL DEFAULT '{}',
	created_at    timestamptz NOT NULL DEFAULT now(),
	updated_at    timestamptz NOT NULL DEFAULT now(),
	UNIQUE (user_id, key)
);

CREATE TABLE blocks (
	id           bigserial PRIMARY KEY,
	dashboard_id bigint NOT NULL REFERENCES dashboards(id) ON DELETE CASCADE,
	name         text,
	description  text,
	visual_type  text NOT NULL,
	properties   jsonb NOT NULL DEFAULT '{}',
	col          integer NOT NULL DEFAULT 0,
	row          integer NOT NULL DEFAULT 0,
	size_x       integer NOT NULL DEFAULT 4,
	size_y       integer NOT NULL DEFAULT 4,
	created_at   timestamptz NOT NULL DEFAULT now(),
	updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX blocks_dashboard ON blocks (dashboard_id);

CREATE TABLE block_feeds (
	id       bigserial PRIMARY KEY,
	block_id bigint NOT NULL REFERENCES blocks(id) ON DELETE CASCADE,
	feed_id  bigint NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
	position integer NOT NULL DEFAULT 0
);
CREATE INDEX block_feeds_block ON block_feeds (block_id);

-- The JSON shapes of Adafruit IO v2 for blocks and dashboards, built where the rows are.
CREATE FUNCTION perch_iso(t timestamptz) RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
$$;

CREATE FUNCTION perch_block_json(b blocks) RETURNS json LANGUAGE sql STABLE AS $$
	SELECT json_build_object(
		'id', b.id::text, 'name', b.name, 'description', b.description,
		'visual_type', b.visual_type, 'column', b.col, 'row', b.row,
		'size_x', b.size_x, 'size_y', b.size_y, 'source_key', NULL, 'source', NULL,
		'properties', b.properties,
		'block_feeds', (SELECT coalesce(json_agg(json_build_object(
				'id', bf.id::text,
				'feed', json_build_object('id', f.id, 'name', f.name, 'key', f.key,
					'last_value', f.last_value, 'mqtt_topic', f.mqtt_topic),
				'group', json_build_object('id', NULL, 'key', 'default', 'name', 'Default'))
			ORDER BY bf.position), '[]')
			FROM block_feeds bf JOIN feeds f ON f.id = bf.feed_id WHERE bf.block_id = b.id),
		'created_at', perch_iso(b.created_at), 'updated_at', perch_iso(b.updated_at))
$$;

-- with_layouts: only a single dashboard's GET carries its layouts, as in Adafruit IO.
CREATE FUNCTION perch_dashboard_json(d dashboards, with_layouts boolean) RETURNS json LANGUAGE sql STABLE AS $$
	SELECT (jsonb_build_object(
		'id', d.id, 'name', d.name, 'key', d.key, 'description', d.description,
		'visibility', d.visibility, 'show_header', d.show_header, 'color_mode', d.color_mode,
		'block_borders', d.block_borders, 'allow_overlap', d.allow_overlap,
		'blocks', (SELECT coalesce(json_agg(perch_block_json(b) ORDER BY b.id), '[]')
			FROM blocks b WHERE b.dashboard_id = d.id),
		'created_at', perch_iso(d.created_at), 'updated_at', perch_iso(d.updated_at))
		|| CASE WHEN with_layouts THEN jsonb_build_object('layouts', d.layouts) ELSE '{}'::jsonb END)::json
$$;

-- Revoking a user's sessions when the account is disabled is done by the daemon; sessions of
-- a disabled user are refused at lookup.
