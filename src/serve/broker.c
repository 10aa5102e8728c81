#include "serve/broker.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"

struct perch_broker {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stopping;      /* under lock */
	pid_t pid;          /* under lock; 0 when not running */
	char *bin;
	char *conf_path;
};

static pid_t spawn(const struct perch_broker *b)
{
	pid_t pid = fork();
	if(pid == 0){
		/* the broker must not outlive perch serve */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		execl(b->bin, b->bin, "-c", b->conf_path, (char *)NULL);
		fprintf(stderr, "perch: cannot run %s: %s\n", b->bin, strerror(errno));
		_exit(127);
	}
	return pid;
}

/* Waits up to ms for stop; returns true when stopping. */
static bool wait_stop(struct perch_broker *b, int ms)
{
	struct timespec until;
	bool stopping;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (long)(ms % 1000) * 1000000L;
	if(until.tv_nsec >= 1000000000L){
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&b->lock);
	while(!b->stopping && pthread_cond_timedwait(&b->wake, &b->lock, &until) == 0){
	}
	stopping = b->stopping;
	pthread_mutex_unlock(&b->lock);
	return stopping;
}

/* Runs the broker, and runs it again (after a growing pause) whenever it exits on its own. */
static void *supervise(void *arg)
{
	struct perch_broker *b = arg;
	int pause_ms = 500;

	for(;;){
		pid_t pid = spawn(b);
		int status = 0;
		time_t started = time(NULL);

		pthread_mutex_lock(&b->lock);
		b->pid = pid > 0 ? pid : 0;
		if(b->stopping && pid > 0){
			kill(pid, SIGTERM); /* stop came while it was starting */
		}
		pthread_mutex_unlock(&b->lock);
		if(pid > 0){
			while(waitpid(pid, &status, 0) < 0 && errno == EINTR){
			}
		}
		pthread_mutex_lock(&b->lock);
		b->pid = 0;
		bool stopping = b->stopping;
		pthread_mutex_unlock(&b->lock);
		if(stopping){
			break;
		}
		fprintf(stderr, "perch: mosquitto exited (status %d); starting it again\n",
				WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status));
		pause_ms = time(NULL) - started > 30 ? 500 : (pause_ms * 2 > 10000 ? 10000 : pause_ms * 2);
		if(wait_stop(b, pause_ms)){
			break;
		}
	}
	return NULL;
}

static int write_conf(const struct perch_config *cfg, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "w");
	int rc;
	if(!f){
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	rc = perch_write_mosquitto_conf(cfg, f, err, errlen);
	if(fclose(f) != 0 && rc == 0){
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		rc = -1;
	}
	return rc;
}

struct perch_broker *perch_broker_start(const struct perch_config *cfg, char *err, size_t errlen)
{
	struct perch_broker *b = calloc(1, sizeof(*b));

	if(!b || !(b->bin = strdup(cfg->mosquitto_bin)) || !(b->conf_path = perch_config_path(cfg, "mosquitto.conf"))){
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if(access(b->bin, X_OK) != 0){
		snprintf(err, errlen, "cannot run %s (install the mosquitto package, or set broker = external)", b->bin);
		goto fail;
	}
	if(write_conf(cfg, b->conf_path, err, errlen) != 0){
		goto fail;
	}
	/* a socket left by an earlier broker would look like this one being ready */
	if(perch_broker_socket_usable(cfg)){
		unlink(cfg->mqtt_socket);
	}
	pthread_mutex_init(&b->lock, NULL);
	pthread_cond_init(&b->wake, NULL);
	if(pthread_create(&b->thread, NULL, supervise, b) != 0){
		snprintf(err, errlen, "cannot start a thread");
		pthread_mutex_destroy(&b->lock);
		pthread_cond_destroy(&b->wake);
		goto fail;
	}
	return b;
fail:
	if(b){
		free(b->bin);
		free(b->conf_path);
		free(b);
	}
	return NULL;
}

void perch_broker_stop(struct perch_broker *b)
{
	if(!b){
		return;
	}
	pthread_mutex_lock(&b->lock);
	b->stopping = true;
	if(b->pid > 0){
		kill(b->pid, SIGTERM);
	}
	pthread_cond_broadcast(&b->wake);
	pthread_mutex_unlock(&b->lock);
	pthread_join(b->thread, NULL);
	pthread_mutex_destroy(&b->lock);
	pthread_cond_destroy(&b->wake);
	free(b->bin);
	free(b->conf_path);
	free(b);
}
