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

-- Revoking a user's sessions when the account is disabled is done by the daemon; sessions of
-- a disabled user are refused at lookup.
