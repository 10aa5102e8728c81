/* Small helpers every thread of the daemon uses: a log line with its module, signal masking. */
#ifndef PERCH_UTIL_THREAD_H
#define PERCH_UTIL_THREAD_H

/* Writes "perch <who>: <message>" as one line on stderr (one write, so lines never mix). */
void perch_log(const char *who, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Called first by a worker thread: SIGINT/SIGTERM are for the main thread's sigwait(). */
void perch_thread_block_signals(void);

#endif
