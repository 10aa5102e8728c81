/*
 * The message rate over HTTP: data written through the REST API (a value, each value of a
 * batch or a group) counts against a per-user token bucket of the user's rate, as MQTT
 * messages do in the broker plugin. Thread-safe; one table per HTTP server.
 */
#ifndef PERCH_API_THROTTLE_H
#define PERCH_API_THROTTLE_H

#include <stdbool.h>
#include <stdint.h>

struct perch_http_throttle;

struct perch_http_throttle *perch_http_throttle_new(void);
void perch_http_throttle_free(struct perch_http_throttle *t);

/* Takes n tokens from the user's bucket (rate per second); false (taking none) when short. */
bool perch_http_throttle_take(struct perch_http_throttle *t, int64_t user_id, double rate, int n);

#endif
