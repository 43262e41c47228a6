/*
 * A tiny TAP harness for the C unit tests: each CHECK is one test point,
 * "ok N - what" or "not ok N - what (file:line)". The program exits 1 if
 * any check failed, so automake's TAP driver and a plain run agree.
 */
#ifndef SHOAL_TEST_H
#define SHOAL_TEST_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int	test_count;
static int	test_failed;

static int
test_check(int ok, const char *what, const char *file, int line)
{
	test_count++;
	if (ok)
		printf("ok %d - %s\n", test_count, what);
	else {
		printf("not ok %d - %s (%s:%d)\n", test_count, what, file,
		    line);
		test_failed++;
	}
	fflush(stdout);
	return (ok);
}

static int __attribute__((unused))
test_check_int(long long got, long long want, const char *what,
    const char *file, int line)
{
	if (got != want)
		printf("# %s: got %lld, want %lld\n", what, got, want);
	return (test_check(got == want, what, file, line));
}

static int __attribute__((unused))
test_check_str(const char *got, const char *want, const char *what,
    const char *file, int line)
{
	int	ok = got != NULL && want != NULL && strcmp(got, want) == 0;

	if (!ok)
		printf("# %s: got \"%s\", want \"%s\"\n", what,
		    got == NULL ? "(null)" : got,
		    want == NULL ? "(null)" : want);
	return (test_check(ok, what, file, line));
}

static int
test_done(void)
{
	printf("1..%d\n", test_count);
	return (test_failed == 0 ? 0 : 1);
}

#define CHECK(c)		test_check(!!(c), #c, __FILE__, __LINE__)
#define CHECK_INT(g, w)		test_check_int((long long)(g), \
				    (long long)(w), #g " == " #w, \
				    __FILE__, __LINE__)
#define CHECK_STR(g, w)		test_check_str((g), (w), #g " == " #w, \
				    __FILE__, __LINE__)
#define CHECK_MSG(c, msg)	test_check(!!(c), (msg), __FILE__, __LINE__)

#endif
