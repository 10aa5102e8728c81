/*
 * The event loop of one sim thread. A thread owns a slice of the boards and drives them with
 * libmosquitto's non-threaded API (mosquitto_socket, mosquitto_loop_read/_write/_misc) under a
 * single ppoll(): one thread serves hundreds of boards, and outside a callback a publish goes
 * straight to the socket with no hand-over to another thread.
 *
 * Two ways of pacing:
 *   interval mode  every feed of every board sends a reading each --interval seconds;
 *   load mode      a token bucket releases this thread's share of --rate (or, with --rate max,
 *                  as much as the sockets take), spread round-robin over its boards. A board
 *                  whose socket is full is skipped until it drains, so a slow broker lowers the
 *                  achieved rate instead of growing a queue in memory.
 */
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mosquitto.h>

#include "sim/sim.h"

#define SIM_BATCH 512              /* publishes between two polls in load mode */
#define SIM_BURST_S 0.05           /* how far behind a thread may catch up in one go */
#define SIM_MIN_SLEEP_NS 1000000   /* below this, send a small burst rather than sleep per message */
#define SIM_MAX_SLEEP_NS 100000000 /* so stop requests are seen within 0.1 s */
#define SIM_DRAIN_NS 5000000000LL  /* longest wait for queued data and QoS 1 acks at the end */

struct loop {
	struct sim_worker *w;
	struct sim_clock clk;
	struct pollfd *pfds;           /* owned, one per board */
	struct sim_board **polled;     /* owned: which board each pollfd belongs to */
	double tokens;
	int64_t last_ns;
	size_t rr;                     /* next board in the round robin */
	int64_t next_misc_ns;
	int64_t interval_ns;
};

/* ---- counting ----------------------------------------------------------------------------- */

/* Takes up to want messages from the --count budget. */
static long long reserve(struct sim_run *run, long long want)
{
	long long left, take;

	if(run->opt->count == 0){
		return want;
	}
	left = atomic_load(&run->remaining);
	do{
		if(left <= 0){
			return 0;
		}
		take = left < want ? left : want;
	}while(!atomic_compare_exchange_weak(&run->remaining, &left, left - take));
	return take;
}

static void give_back(struct sim_run *run, long long n)
{
	if(run->opt->count != 0 && n > 0){
		atomic_fetch_add(&run->remaining, n);
	}
}

static bool budget_spent(struct sim_run *run)
{
	return run->opt->count != 0 && atomic_load(&run->remaining) <= 0;
}

static void note_sent(struct sim_run *run, long long n, int64_t now)
{
	long long zero = 0;

	if(n <= 0){
		return;
	}
	atomic_fetch_add_explicit(&run->sent, (unsigned long long)n, memory_order_relaxed);
	atomic_compare_exchange_strong(&run->first_send_ns, &zero, now);
	if(atomic_load_explicit(&run->last_send_ns, memory_order_relaxed) < now){
		atomic_store_explicit(&run->last_send_ns, now, memory_order_relaxed);
	}
}

/* ---- connections and sockets -------------------------------------------------------------- */

static void connect_due(struct loop *l)
{
	for(size_t i = 0; i < l->w->nboards; i++){
		struct sim_board *b = &l->w->boards[i];
		if(!b->socket_open && l->clk.now_ns >= b->retry_at_ns && !atomic_load(&b->run->stop)){
			sim_board_connect(b, &l->clk);
		}
	}
}

/*
 * libmosquitto 2.0's loop_read handles one QoS 0 packet per call; keep calling until the
 * socket is empty (errno EAGAIN), bounded so one busy board cannot starve the others.
 */
static void read_all(struct sim_board *b)
{
	for(int i = 0; i < 256 && b->socket_open; i++){
		errno = 0;
		if(mosquitto_loop_read(b->mosq, 1) != MOSQ_ERR_SUCCESS){
			break; /* libmosquitto closed the socket and called on_disconnect */
		}
		if(errno == EAGAIN || errno == EWOULDBLOCK){
			break;
		}
	}
}

static void service(struct sim_board *b, short revents)
{
	if(revents & (POLLIN | POLLERR | POLLHUP)){
		read_all(b);
	}
	if(b->socket_open && (revents & POLLOUT)){
		mosquitto_loop_write(b->mosq, 1);
	}
}

/* Waits up to timeout_ns for socket events and handles them. */
static void poll_boards(struct loop *l, int64_t timeout_ns)
{
	struct timespec ts = { timeout_ns / 1000000000, timeout_ns % 1000000000 };
	nfds_t n = 0;

	for(size_t i = 0; i < l->w->nboards; i++){
		struct sim_board *b = &l->w->boards[i];
		int fd = b->socket_open ? mosquitto_socket(b->mosq) : -1;
		if(fd < 0){
			continue;
		}
		l->pfds[n].fd = fd;
		l->pfds[n].events = (short)(POLLIN | (mosquitto_want_write(b->mosq) ? POLLOUT : 0));
		l->pfds[n].revents = 0;
		l->polled[n++] = b;
	}
	if(ppoll(l->pfds, n, &ts, NULL) <= 0){
		return;
	}
	for(nfds_t i = 0; i < n; i++){
		if(l->pfds[i].revents){
			service(l->polled[i], l->pfds[i].revents);
		}
	}
}

/* Keepalive pings and their timeouts, once a second is plenty. */
static void misc(struct loop *l)
{
	if(l->clk.now_ns < l->next_misc_ns){
		return;
	}
	l->next_misc_ns = l->clk.now_ns + 1000000000;
	for(size_t i = 0; i < l->w->nboards; i++){
		struct sim_board *b = &l->w->boards[i];
		if(b->socket_open){
			mosquitto_loop_misc(b->mosq);
		}
	}
}

/* ---- pacing ------------------------------------------------------------------------------- */

/* Load mode: sends what the token bucket allows. Returns the time to sleep before the next turn. */
static int64_t produce_rate(struct loop *l)
{
	struct sim_worker *w = l->w;
	struct sim_run *run = w->run;
	const struct sim_options *opt = run->opt;
	long long want, n, sent = 0;
	size_t misses = 0;

	if(opt->rate_max){
		want = SIM_BATCH;
	}else{
		l->tokens += w->rate * (double)(l->clk.now_ns - l->last_ns) / 1e9;
		if(l->tokens > w->rate * SIM_BURST_S + 1){
			l->tokens = w->rate * SIM_BURST_S + 1;
		}
		want = l->tokens < SIM_BATCH ? (long long)l->tokens : SIM_BATCH;
	}
	l->last_ns = l->clk.now_ns;
	n = reserve(run, want);
	while(sent < n && misses < w->nboards){
		struct sim_board *b = &w->boards[l->rr];
		l->rr = (l->rr + 1) % w->nboards;
		if(!sim_board_ready(b)){
			misses++;
			continue;
		}
		misses = 0;
		if(sim_board_publish(b, &b->feeds[b->next_feed], &l->clk) == 0){
			sent++;
		}
		b->next_feed = (b->next_feed + 1) % opt->nfeeds;
	}
	give_back(run, n - sent);
	note_sent(run, sent, l->clk.now_ns);
	if(!opt->rate_max){
		l->tokens -= (double)sent;
	}
	if(sent < n || n == 0){
		/* Every socket is full (or nothing is connected, or the bucket is empty): wait. */
		double need = opt->rate_max || w->rate <= 0 ? 0 : (1.0 - l->tokens) / w->rate * 1e9;
		int64_t ns = sent < want ? SIM_MAX_SLEEP_NS / 10 : (int64_t)need;
		if(ns < SIM_MIN_SLEEP_NS){
			ns = SIM_MIN_SLEEP_NS;
		}
		return ns > SIM_MAX_SLEEP_NS ? SIM_MAX_SLEEP_NS : ns;
	}
	return 0;
}

/* Interval mode: sends every reading that is due. Returns the time until the next one. */
static int64_t produce_interval(struct loop *l)
{
	struct sim_worker *w = l->w;
	int64_t now = l->clk.now_ns, next = now + SIM_MAX_SLEEP_NS;

	for(size_t i = 0; i < w->nboards; i++){
		struct sim_board *b = &w->boards[i];
		for(size_t k = 0; k < w->run->opt->nfeeds; k++){
			struct sim_feed *f = &b->feeds[k];
			if(!b->connected){
				/* Offline: the reading due is sent once it is back, with no backlog of missed ones. */
				continue;
			}
			if(f->next_due_ns <= now){
				if(reserve(w->run, 1) == 1 && sim_board_publish(b, f, &l->clk) == 0){
					note_sent(w->run, 1, now);
				}
				f->next_due_ns += l->interval_ns;
				if(f->next_due_ns <= now){
					f->next_due_ns = now + l->interval_ns;
				}
			}
			if(f->next_due_ns < next){
				next = f->next_due_ns;
			}
		}
	}
	return next - now;
}

/* Spreads the boards' first readings over one interval, so they do not all send at once. */
static void stagger(struct loop *l)
{
	size_t nb = l->w->nboards, nf = l->w->run->opt->nfeeds;

	for(size_t i = 0; i < nb; i++){
		for(size_t k = 0; k < nf; k++){
			double frac = (double)(i * nf + k) / (double)(nb * nf);
			l->w->boards[i].feeds[k].next_due_ns = l->clk.now_ns + (int64_t)(frac * (double)l->interval_ns);
		}
	}
}

/* ---- shutdown ----------------------------------------------------------------------------- */

static bool pending(const struct sim_board *b)
{
	return b->socket_open && (mosquitto_want_write(b->mosq) || (b->run->opt->qos > 0 && b->outstanding > 0));
}

/* Writes out what is queued, waits for QoS 1 acks, then sends DISCONNECT on every board. */
static void drain(struct loop *l)
{
	int64_t deadline = sim_now_ns() + SIM_DRAIN_NS;
	bool busy = true;

	while(busy && sim_now_ns() < deadline){
		busy = false;
		for(size_t i = 0; i < l->w->nboards; i++){
			busy = busy || pending(&l->w->boards[i]);
		}
		if(busy){
			poll_boards(l, 10000000);
		}
	}
	for(size_t i = 0; i < l->w->nboards; i++){
		struct sim_board *b = &l->w->boards[i];
		if(b->socket_open){
			read_all(b);
		}
		if(b->socket_open){
			mosquitto_disconnect(b->mosq);
		}
	}
	deadline = sim_now_ns() + 1000000000;
	busy = true;
	while(busy && sim_now_ns() < deadline){
		busy = false;
		for(size_t i = 0; i < l->w->nboards; i++){
			busy = busy || l->w->boards[i].socket_open;
		}
		if(busy){
			poll_boards(l, 10000000);
		}
	}
}

/* ---- the thread --------------------------------------------------------------------------- */

static bool finished(const struct loop *l)
{
	return atomic_load(&l->w->run->stop) || budget_spent(l->w->run);
}

static void run_loop(struct loop *l)
{
	const struct sim_options *opt = l->w->run->opt;
	bool load = opt->rate_max || opt->rate > 0;
	int64_t sleep_ns;

	sim_clock_update(&l->clk);
	l->last_ns = l->clk.now_ns;
	l->interval_ns = (int64_t)(opt->interval * 1e9);
	stagger(l);
	while(!finished(l)){
		sim_clock_update(&l->clk);
		connect_due(l);
		sleep_ns = load ? produce_rate(l) : produce_interval(l);
		poll_boards(l, sleep_ns < 0 ? 0 : sleep_ns);
		misc(l);
	}
}

void *sim_worker_main(void *arg)
{
	struct loop l = { .w = arg };

	l.pfds = calloc(l.w->nboards, sizeof(*l.pfds));
	l.polled = calloc(l.w->nboards, sizeof(*l.polled));
	if(!l.pfds || !l.polled){
		fprintf(stderr, "perch sim: out of memory\n");
		atomic_store(&l.w->run->stop, true);
	}else{
		run_loop(&l);
		drain(&l);
	}
	free(l.pfds);
	free(l.polled);
	atomic_fetch_sub(&l.w->run->active, 1);
	return NULL;
}
