/*
 * perch's configuration: one table of settings, read in this order, each overriding the one
 * before: built-in defaults, the configuration file (PERCH_CONFIG or --config; lines
 * "name = value"), the environment (PERCH_<NAME>), command-line flags (--<name> value, with
 * '-' for '_'). Every subcommand reads the same configuration.
 */
#ifndef PERCH_CONFIG_H
#define PERCH_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "keys.h"

struct perch_config {
	char *database_url;      /* libpq conninfo; default: the private cluster in data_dir/pg */
	char *data_dir;          /* state: secret, mosquitto.conf, broker persistence, pg/ */
	char *http_bind;         /* address the HTTP server listens on */
	int http_port;
	char *mqtt_bind;         /* address of the broker's MQTT listener */
	int mqtt_port;
	char *mqtt_host;         /* where the daemon reaches the broker */
	char *mqtt_socket;       /* the broker's Unix socket for perch's own connection ("" = TCP) */
	char *ws_bind;           /* interface name for the WebSocket listener ("" = all) */
	int ws_port;
	char *broker;            /* "managed": perch serve runs mosquitto; "external": it is a service */
	char *mosquitto_bin;
	char *plugin_path;       /* perch_plugin.so */
	char *web_dir;           /* the built web app */
	char *public_url;        /* how users reach the HTTP server, for printed URLs */
	char *trusted_proxies;   /* addresses whose X-Forwarded-For names the real client */
	bool anonymous_time;     /* anonymous MQTT clients may read time/... */
	int http_threads;
	int db_pool;             /* PostgreSQL connections for the HTTP server */
	int retention_interval;  /* seconds between retention purges */
	int ingest_batch;        /* most rows written in one batch */
	int ingest_flush_ms;     /* longest a row waits before its batch is written */
	int max_value;           /* longest stored value, bytes */

	uint8_t secret[PERCH_SECRET_BYTES]; /* loaded from data_dir/secret by perch_config_secret */
	bool secret_loaded;
};

/*
 * Fills cfg from defaults, file, environment and the leading --flags of argv. On return
 * *argi is the index of the first argument that is not a global flag (the subcommand).
 * Returns 0, or -1 with a message in err.
 */
int perch_config_load(struct perch_config *cfg, int argc, char **argv, int *argi, char *err, size_t errlen);

/* Loads (creating when asked) the server secret, data_dir/secret. */
int perch_config_secret(struct perch_config *cfg, bool create, char *err, size_t errlen);

/* mkdir -p with mode 0700. Returns 0, or -1 with errno. */
int perch_mkdir_p(const char *path);

/* Path of a file inside data_dir; returns a malloc'd string the caller frees. */
char *perch_config_path(const struct perch_config *cfg, const char *name);

void perch_config_free(struct perch_config *cfg);

/* Prints the settings with their flags, meaning and defaults (for --help). */
void perch_config_usage(FILE *out);

/* Prints every setting with its current value (secrets left out). */
void perch_config_print(const struct perch_config *cfg, FILE *out);

#endif
