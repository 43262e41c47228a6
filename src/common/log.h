/*
 * Logging: log_debug/info/warn/error with a printf format. Lines go to an
 * optional file or stream (stderr in headless mode, never while curses owns
 * the terminal) and to an in-memory ring that the TUI shows. Thread-safe:
 * the engine thread logs, the UI thread reads the ring.
 */
#ifndef SHOAL_LOG_H
#define SHOAL_LOG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

enum log_level {
	LOG_DEBUG,
	LOG_INFO,
	LOG_WARN,
	LOG_ERROR
};

/* Lines at or above level go to fp (NULL: nowhere); the ring gets all. */
void	log_open(FILE *, enum log_level);
void	log_close(void);
/* "debug", "info", "warn", "error": 0, or -1 if unknown. */
int	log_parse_level(const char *, enum log_level *);

void	log_msg(enum log_level, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	log_vmsg(enum log_level, const char *, va_list)
	    __attribute__((format(printf, 2, 0)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_error(const char *, ...) __attribute__((format(printf, 1, 2)));

/*
 * Copy up to n of the newest ring lines (oldest first) into lines, each
 * allocated; returns how many. seq receives the number of the newest line
 * ever logged, so a reader can tell what is new.
 */
size_t	log_ring_copy(char **, size_t, unsigned long *);

#endif
