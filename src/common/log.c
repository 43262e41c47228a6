/*
 * The log. One mutex guards the sink and the ring; log lines are short and
 * rare next to the work they describe, so contention does not matter.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "xmalloc.h"

/* Lines kept for the TUI's log tab. */
#define LOG_RING	512

static pthread_mutex_t	 log_lock = PTHREAD_MUTEX_INITIALIZER;
static FILE		*log_fp;
static enum log_level	 log_min = LOG_INFO;
static char		*log_ring[LOG_RING];
static unsigned long	 log_seq;

static const char *const log_names[] = { "debug", "info", "warn", "error" };

void
log_open(FILE *fp, enum log_level min)
{
	pthread_mutex_lock(&log_lock);
	log_fp = fp;
	log_min = min;
	pthread_mutex_unlock(&log_lock);
}

void
log_close(void)
{
	size_t	i;

	pthread_mutex_lock(&log_lock);
	log_fp = NULL;
	for (i = 0; i < LOG_RING; i++) {
		free(log_ring[i]);
		log_ring[i] = NULL;
	}
	pthread_mutex_unlock(&log_lock);
}

int
log_parse_level(const char *s, enum log_level *out)
{
	size_t	i;

	for (i = 0; i < sizeof log_names / sizeof log_names[0]; i++) {
		if (strcmp(s, log_names[i]) == 0) {
			*out = (enum log_level)i;
			return (0);
		}
	}
	return (-1);
}

void
log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
	char		*msg, *line, stamp[32];
	struct timespec	 ts;
	struct tm	 tm;

	xvasprintf(&msg, fmt, ap);
	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof stamp, "%H:%M:%S", &tm);
	xasprintf(&line, "%s.%03ld %-5s %s", stamp, ts.tv_nsec / 1000000,
	    log_names[level], msg);
	free(msg);

	pthread_mutex_lock(&log_lock);
	if (log_fp != NULL && level >= log_min) {
		fprintf(log_fp, "%s\n", line);
		fflush(log_fp);
	}
	free(log_ring[log_seq % LOG_RING]);
	log_ring[log_seq % LOG_RING] = line;
	log_seq++;
	pthread_mutex_unlock(&log_lock);
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vmsg(LOG_DEBUG, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vmsg(LOG_INFO, fmt, ap);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vmsg(LOG_WARN, fmt, ap);
	va_end(ap);
}

void
log_error(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vmsg(LOG_ERROR, fmt, ap);
	va_end(ap);
}

size_t
log_ring_copy(char **lines, size_t n, unsigned long *seq)
{
	unsigned long	first, i;
	size_t		k = 0;

	pthread_mutex_lock(&log_lock);
	first = log_seq > n ? log_seq - n : 0;
	if (log_seq - first > LOG_RING)
		first = log_seq - LOG_RING;
	for (i = first; i < log_seq; i++)
		lines[k++] = xstrdup(log_ring[i % LOG_RING]);
	if (seq != NULL)
		*seq = log_seq;
	pthread_mutex_unlock(&log_lock);
	return (k);
}
