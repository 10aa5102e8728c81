/*
 * Topic rules: what a topic in a user's namespace means.
 *
 * Every user owns the topics that start with their user name. Inside it perch knows the
 * Adafruit IO forms (feeds/f, groups/g, each with /json, /csv and /get), the notice topics
 * (errors, throttle) and treats any other path as a free-form feed. Outside it are the shared
 * read-only topics time/... and class/..., and $SYS.
 */
#ifndef PERCH_TOPIC_H
#define PERCH_TOPIC_H

#include <stdbool.h>
#include <stddef.h>

#define PERCH_USER_MAX 32       /* longest user name */
#define PERCH_FEED_KEY_MAX 128  /* longest feed or group key, Adafruit's limit */
#define PERCH_KEY_MAX (PERCH_FEED_KEY_MAX * 2 + 1) /* group.feed */
#define PERCH_TOPIC_MAX 512     /* longest topic perch accepts in a user namespace */

/*
 * The MQTT v5 user property (name) on the copies the plugin makes of a feed value for its other
 * topic forms: perch's ingest skips them, having stored the original.
 */
#define PERCH_COPY_PROPERTY "perch-copy"

enum perch_topic_kind {
	PERCH_TOPIC_INVALID = 0,
	PERCH_TOPIC_FEED,     /* {user}/feeds/{key} or {user}/f/{key} */
	PERCH_TOPIC_GROUP,    /* {user}/groups/{group} or {user}/g/{group} */
	PERCH_TOPIC_FREEFORM, /* {user}/{any/other/path} */
	PERCH_TOPIC_ERRORS,   /* {user}/errors */
	PERCH_TOPIC_THROTTLE, /* {user}/throttle */
	PERCH_TOPIC_TIME,     /* time/... */
	PERCH_TOPIC_CLASS,    /* class/... */
	PERCH_TOPIC_SYS,      /* $SYS/... */
};

enum perch_format {
	PERCH_FMT_RAW = 0,
	PERCH_FMT_JSON,
	PERCH_FMT_CSV,
};

struct perch_topic {
	enum perch_topic_kind kind;
	enum perch_format format;
	bool get;                          /* the topic ends in /get: re-send the last value */
	char user[PERCH_USER_MAX + 1];     /* owner; empty for time/class/$SYS */
	char key[PERCH_KEY_MAX + 1];       /* normalised feed or group key ("group.feed" allowed) */
	char name[PERCH_TOPIC_MAX + 1];    /* the identifier as written: a new feed's name */
};

/*
 * Parses a concrete (wildcard-free) topic. Returns 0 and fills *out, or -1 with a message for
 * the user in err (a topic that perch cannot store, such as a bad feed key or a wildcard).
 * time/, class/ and $SYS/ topics parse with an empty user.
 */
int perch_topic_parse(const char *topic, struct perch_topic *out, char *err, size_t errlen);

/*
 * Turns a feed identifier as written in a topic or an API call ("Temperature", "lab_bench",
 * "greenhouse.Temp") into its key ("temperature", "lab-bench", "greenhouse.temp").
 * Returns 0, or -1 when the identifier has characters a key cannot have.
 */
int perch_feed_key_normalize(const char *ident, size_t len, char *key, size_t keylen);

/* Maps a free-form path ("photon2/temperature") to its feed key ("photon2-temperature"). */
int perch_freeform_key(const char *path, char *key, size_t keylen);

/* True when name is a valid user name: 2-32 of [a-z0-9_-], starting with a letter, not reserved. */
bool perch_username_valid(const char *name);

#endif
