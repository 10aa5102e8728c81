#include "util/thread.h"

#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>

void perch_log(const char *who, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "perch %s: %s\n", who, line);
}

void perch_thread_block_signals(void)
{
	sigset_t all;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
}
