/*
 * Allocation that never returns NULL: running out of memory is fatal, and
 * the fatal path restores the terminal first through the hook set with
 * xmalloc_set_fatal_hook().
 */
#ifndef SHOAL_XMALLOC_H
#define SHOAL_XMALLOC_H

#include <stdarg.h>
#include <stddef.h>

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
void	*xmemdup(const void *, size_t);
int	 xasprintf(char **, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
int	 xvasprintf(char **, const char *, va_list)
	    __attribute__((format(printf, 2, 0)));

/*
 * Fill *cause (when cause is not NULL) with a formatted sentence and
 * return -1: the one way modules report a failure a person will read.
 */
int	 xfail(char **, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

/* Called before the process exits on a fatal error (the UI resets curses). */
void	 xmalloc_set_fatal_hook(void (*)(void));
void	 fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#endif
