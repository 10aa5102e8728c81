/* The subcommands of the perch program. Each returns the process exit status. */
#ifndef PERCH_CLI_H
#define PERCH_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include <libpq-fe.h>

#include "config/config.h"

int perch_cmd_migrate(struct perch_config *cfg, int argc, char **argv);
int perch_cmd_user(struct perch_config *cfg, int argc, char **argv);
int perch_cmd_key(struct perch_config *cfg, int argc, char **argv);
int perch_cmd_mosquitto_conf(struct perch_config *cfg, int argc, char **argv);
int perch_cmd_serve(struct perch_config *cfg, int argc, char **argv);
int perch_cmd_sim(struct perch_config *cfg, int argc, char **argv);

/* Connects to the database named by the configuration, or prints why not. */
PGconn *perch_cli_connect(const struct perch_config *cfg);

/* Writes the Mosquitto configuration perch uses to out. Returns 0, or -1 with err. */
int perch_write_mosquitto_conf(const struct perch_config *cfg, FILE *out, char *err, size_t errlen);

/* Longest Unix socket path perch uses (sockaddr_un holds 108 bytes with the NUL). */
#define PERCH_SOCKET_PATH_MAX 100

/* True when the broker gets a Unix socket listener for perch's own connection. */
bool perch_broker_socket_usable(const struct perch_config *cfg);

/* Creates the data directory, the server secret and the broker's persistence directory. */
int perch_prepare_data_dir(struct perch_config *cfg, char *err, size_t errlen);

#endif
