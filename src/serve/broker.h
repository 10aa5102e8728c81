/*
 * The managed broker: when broker = managed, perch serve writes data_dir/mosquitto.conf, runs
 * mosquitto with it and restarts it if it dies. With broker = external nothing here runs.
 */
#ifndef PERCH_BROKER_H
#define PERCH_BROKER_H

#include <stddef.h>

#include "config/config.h"

struct perch_broker;

struct perch_broker *perch_broker_start(const struct perch_config *cfg, char *err, size_t errlen);
/* Sends SIGTERM, waits for the broker to save its state and exit. */
void perch_broker_stop(struct perch_broker *b);

#endif
