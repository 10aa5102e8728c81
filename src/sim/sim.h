/*
 * perch sim: simulated Particle Photon2 boards that speak real MQTT (libmosquitto) to the
 * broker, publish sensor readings and obey a command feed; with --rate, the same boards are
 * the load generator the benchmarks use. Internal to src/sim/.
 *
 *   sim.c     options, users, threads, progress and summary (perch_cmd_sim)
 *   board.c   one board: value shapes, payloads, topics, connection and command handling
 *   worker.c  the event loop of one thread: pacing (interval or rate), polling, shutdown
 *
 * Ownership: struct sim_options owns every string and array parsed from the command line;
 * struct sim_board owns its mosquitto client and topics; sim.c owns the boards and workers
 * arrays. Nothing is allocated per message.
 */
#ifndef PERCH_SIM_H
#define PERCH_SIM_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mosquitto;

enum sim_kind { SIM_TEMPERATURE, SIM_HUMIDITY, SIM_LIGHT, SIM_BUTTON, SIM_COUNTER };
enum sim_payload { SIM_PAYLOAD_RAW, SIM_PAYLOAD_JSON, SIM_PAYLOAD_CSV };
enum sim_style { SIM_STYLE_FEEDS, SIM_STYLE_FREEFORM };

struct sim_feed_spec {
	char *name;           /* the feed key used in topics */
	enum sim_kind kind;   /* the shape of its values */
};

struct sim_user {
	char *name;
	char *key;            /* MQTT key (password); NULL: connect without credentials */
};

struct sim_options {
	char *host;
	int port;
	struct sim_user *users;
	size_t nusers;
	int boards;                 /* boards per user */
	double interval;            /* seconds between two readings of one feed (interval mode) */
	double rate;                /* total messages/s (load mode); 0: interval mode */
	bool rate_max;              /* --rate max: as fast as the broker takes them */
	struct sim_feed_spec *feeds;
	size_t nfeeds;
	enum sim_style style;
	char *command_feed;         /* "" when disabled */
	int qos;
	double duration;            /* seconds; 0: until a signal */
	uint64_t count;             /* messages in all; 0: no limit */
	enum sim_payload payload;
	char *client_prefix;
	bool quiet;
	int threads;
	int keepalive;
};

/* What every thread shares. Counters are atomics so the progress line can read them. */
struct sim_run {
	const struct sim_options *opt;
	atomic_bool stop;              /* set by a signal, --duration, --count or a refusal */
	atomic_int fatal;              /* exit status asked for by a CONNACK refusal; 0: none */
	atomic_flag fatal_set;         /* the first refusal writes fatal_msg */
	char fatal_msg[256];
	atomic_llong remaining;        /* messages left under --count (unused when count is 0) */
	atomic_ullong sent;
	atomic_ullong errors;
	atomic_ullong commands;        /* command messages applied */
	atomic_int connected;          /* boards connected right now */
	atomic_llong first_send_ns;    /* monotonic time of the first publish; 0: none yet */
	atomic_llong last_send_ns;     /* of the latest publish */
	atomic_int active;             /* worker threads still running */
};

/* A feed of one board: its topic and the state its values evolve from. */
struct sim_feed {
	const struct sim_feed_spec *spec;
	char *topic;                  /* owned */
	double level;                 /* temperature or humidity now */
	uint64_t counter;
	int pressed;                  /* button: readings left with the button down */
	int64_t next_due_ns;          /* interval mode: when the next reading is sent */
};

struct sim_board {
	struct sim_run *run;
	const struct sim_user *user;
	int number;                   /* 1-based within its user */
	char client_id[128];
	struct mosquitto *mosq;       /* owned */
	struct sim_feed *feeds;       /* owned, opt->nfeeds of them */
	size_t next_feed;             /* load mode: the feed that gets the next message */
	char *cmd_topics[2];          /* owned; NULL when there is no command feed */
	char *state_topic;            /* owned */
	char location[48];            /* "lat,lon,ele" for CSV payloads */
	char led[64];                 /* the command value applied last */
	uint64_t rng;
	bool connected;               /* CONNACK accepted and not lost since */
	bool socket_open;             /* a TCP connection exists (maybe awaiting CONNACK) */
	bool ever_connected;
	int backoff_ms;
	int64_t retry_at_ns;
	unsigned outstanding;         /* QoS 1 messages sent and not yet acknowledged */
};

/* Wall-clock context for payloads, refreshed once per loop turn rather than per message. */
struct sim_clock {
	int64_t now_ns;               /* monotonic */
	int64_t wall_us;              /* microseconds since the epoch */
	int64_t second;               /* wall second the iso prefix was made for */
	double hour;                  /* local hour of day, fractional, for the light curve */
	char iso[24];                 /* "YYYY-MM-DDTHH:MM:SS" of that second */
};

/* board.c */
int sim_board_init(struct sim_board *b, struct sim_run *run, const struct sim_user *user,
		int number, uint64_t seed, char *err, size_t errlen);
void sim_board_free(struct sim_board *b);
int sim_board_connect(struct sim_board *b, const struct sim_clock *clk);
void sim_board_lost(struct sim_board *b, const struct sim_clock *clk);
bool sim_board_ready(const struct sim_board *b);
int sim_board_publish(struct sim_board *b, struct sim_feed *f, const struct sim_clock *clk);
void sim_clock_update(struct sim_clock *clk);
int sim_parse_kind(const char *name, enum sim_kind *kind);
const char *sim_kind_names(void);

/* worker.c */
struct sim_worker {
	struct sim_run *run;
	struct sim_board *boards;     /* a slice of sim.c's array, not owned */
	size_t nboards;
	double rate;                  /* this thread's share of --rate */
	pthread_t thread;
	bool started;
};
void *sim_worker_main(void *arg);

int64_t sim_now_ns(void);

#endif
