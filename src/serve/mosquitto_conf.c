/* perch mosquitto-conf: the broker configuration that perch's topic rules depend on. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

bool perch_broker_socket_usable(const struct perch_config *cfg)
{
	size_t n = cfg->mqtt_socket ? strlen(cfg->mqtt_socket) : 0;
	return n > 0 && n < PERCH_SOCKET_PATH_MAX && cfg->mqtt_socket[0] == '/';
}

int perch_write_mosquitto_conf(const struct perch_config *cfg, FILE *out, char *err, size_t errlen)
{
	char *persist = perch_config_path(cfg, "mosquitto");
	char *secret = perch_config_path(cfg, "secret");
	char *abs_persist, *abs_secret;

	if(!persist || !secret){
		free(persist);
		free(secret);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* perch's own connection: a Unix socket (only the broker's user and group may open it) */
	char socket_listener[PERCH_SOCKET_PATH_MAX + 128] = "";
	if(perch_broker_socket_usable(cfg)){
		snprintf(socket_listener, sizeof(socket_listener),
				"# perch's own connection (the ingest) comes through this socket\nlistener 0 %s\n\n", cfg->mqtt_socket);
	}
	/* mosquitto changes directory; it needs absolute paths */
	abs_persist = realpath(persist, NULL);
	abs_secret = realpath(secret, NULL);
	fprintf(out,
		"# Mosquitto configuration for perch, written by `perch mosquitto-conf`.\n"
		"# perch's plugin authenticates every client and applies the topic rules and limits.\n"
		"\n"
		"# TICK events, which the plugin needs, are only delivered without per-listener settings.\n"
		"per_listener_settings false\n"
		"allow_anonymous false\n"
		"\n"
		"# The ingest keeps a persistent session: what is published while perch restarts waits here.\n"
		"persistence true\n"
		"persistence_location %s/\n"
		"autosave_interval 30\n"
		"queue_qos0_messages true\n"
		"max_queued_messages 200000\n"
		"max_inflight_messages 1000\n"
		"max_packet_size 1048576\n"
		"log_dest stderr\n"
		"log_type error\n"
		"log_type warning\n"
		"log_type notice\n"
		"connection_messages false\n"
		"%s"
		"\n"
		"listener %d %s\n"
		"protocol mqtt\n"
		"\n"
		"%s"
		"# MQTT over WebSocket for the web app; Mosquitto 2.0 binds it by interface name only.\n"
		"listener %d%s%s\n"
		"protocol websockets\n"
		"\n"
		"plugin %s\n"
		"plugin_opt_conninfo %s\n"
		"plugin_opt_secret_file %s\n"
		"plugin_opt_anonymous_time %s\n",
		abs_persist ? abs_persist : persist,
		geteuid() == 0 ? "# perch's data directory belongs to root here\nuser root\n" : "",
		cfg->mqtt_port, cfg->mqtt_bind, socket_listener,
		cfg->ws_port, *cfg->ws_bind ? " " : "", cfg->ws_bind,
		cfg->plugin_path, cfg->database_url, abs_secret ? abs_secret : secret,
		cfg->anonymous_time ? "true" : "false");
	free(abs_persist);
	free(abs_secret);
	free(persist);
	free(secret);
	if(ferror(out)){
		snprintf(err, errlen, "cannot write the configuration");
		return -1;
	}
	return 0;
}

/* The secret and the persistence directory must exist before mosquitto reads the file. */
int perch_prepare_data_dir(struct perch_config *cfg, char *err, size_t errlen)
{
	char *persist;
	int rc;

	if(perch_config_secret(cfg, true, err, errlen) != 0){
		return -1;
	}
	persist = perch_config_path(cfg, "mosquitto");
	if(!persist){
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	rc = perch_mkdir_p(persist);
	if(rc != 0){
		snprintf(err, errlen, "cannot create %s", persist);
	}
	free(persist);
	return rc;
}

int perch_cmd_mosquitto_conf(struct perch_config *cfg, int argc, char **argv)
{
	char err[512];

	(void)argc;
	(void)argv;
	if(perch_prepare_data_dir(cfg, err, sizeof(err)) != 0 || perch_write_mosquitto_conf(cfg, stdout, err, sizeof(err)) != 0){
		fprintf(stderr, "perch: %s\n", err);
		return 1;
	}
	return 0;
}
