/*
 * Human units: sizes and rates in binary units, durations, and parsing
 * what people type in options and the INI file.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../test.h"

#include "units.h"

static void
test_size(void)
{
	char	b[UNITS_BUFLEN];

	CHECK_STR(units_size(0, b), "0 B");
	CHECK_STR(units_size(1, b), "1 B");
	CHECK_STR(units_size(1023, b), "1023 B");
	CHECK_STR(units_size(1024, b), "1.00 KiB");
	CHECK_STR(units_size(1536, b), "1.50 KiB");
	CHECK_STR(units_size(10240, b), "10.0 KiB");
	CHECK_STR(units_size(15 * 1024 + 512, b), "15.5 KiB");
	CHECK_STR(units_size(102400, b), "100 KiB");
	CHECK_STR(units_size(1000 * 1024, b), "1000 KiB");
	CHECK_STR(units_size(1048576, b), "1.00 MiB");
	CHECK_STR(units_size(5 * 1048576 + 1048576 / 4, b), "5.25 MiB");
	CHECK_STR(units_size(1610612736ULL, b), "1.50 GiB");
	CHECK_STR(units_size(3ULL << 40, b), "3.00 TiB");
	CHECK_STR(units_size(1ULL << 50, b), "1.00 PiB");
	CHECK_STR(units_size(UINT64_MAX, b), "16.0 EiB");
	/* The buffer is returned for use in expressions. */
	CHECK(units_size(1, b) == b);
}

static void
test_rate(void)
{
	char	b[UNITS_BUFLEN];

	CHECK_STR(units_rate(0, b), "0 B/s");
	CHECK_STR(units_rate(512, b), "512 B/s");
	CHECK_STR(units_rate(1536, b), "1.50 KiB/s");
	CHECK_STR(units_rate(12.3 * 1048576, b), "12.3 MiB/s");
	CHECK_STR(units_rate(250.0 * 1048576, b), "250 MiB/s");
	/* Not a rate: shown as nothing moving. */
	CHECK_STR(units_rate(-5, b), "0 B/s");
	CHECK_STR(units_rate(NAN, b), "0 B/s");
	CHECK(units_rate(1, b) == b);
}

static void
test_duration(void)
{
	char	b[UNITS_BUFLEN];

	CHECK_STR(units_duration(-1, b), "-");
	CHECK_STR(units_duration(INT64_MIN, b), "-");
	CHECK_STR(units_duration(0, b), "0s");
	CHECK_STR(units_duration(45, b), "45s");
	CHECK_STR(units_duration(59, b), "59s");
	CHECK_STR(units_duration(60, b), "1m 00s");
	CHECK_STR(units_duration(185, b), "3m 05s");
	CHECK_STR(units_duration(3599, b), "59m 59s");
	CHECK_STR(units_duration(3600, b), "1h 00m");
	CHECK_STR(units_duration(3720, b), "1h 02m");
	CHECK_STR(units_duration(3779, b), "1h 02m");	/* Seconds dropped. */
	CHECK_STR(units_duration(86399, b), "23h 59m");
	CHECK_STR(units_duration(86400, b), "1d 00h");
	CHECK_STR(units_duration(90000, b), "1d 01h");
	CHECK_STR(units_duration(2 * 86400 + 3 * 3600, b), "2d 03h");
	CHECK_STR(units_duration(400 * 86400, b), "400d 00h");
	CHECK(units_duration(1, b) == b);
}

static void
check_size(const char *s, uint64_t want)
{
	uint64_t	v = 12345;
	char		what[96];
	int		r;

	r = units_parse_size(s, &v);
	snprintf(what, sizeof what, "units_parse_size(\"%s\") is %llu", s,
	    (unsigned long long)want);
	if (!CHECK_MSG(r == 0 && v == want, what))
		printf("# returned %d, value %llu\n", r,
		    (unsigned long long)v);
}

static void
check_size_bad(const char *s)
{
	uint64_t	v = 12345;
	char		what[96];

	snprintf(what, sizeof what, "units_parse_size(\"%s\") is refused",
	    s);
	CHECK_MSG(units_parse_size(s, &v) == -1 && v == 12345, what);
}

static void
test_parse_size(void)
{
	check_size("7", 7);
	check_size("0", 0);
	check_size("500K", 512000);
	check_size("500k", 512000);
	check_size("20M", 20971520);
	check_size("1.5G", 1610612736ULL);
	check_size("2T", 2199023255552ULL);
	check_size(".5K", 512);
	check_size("10B", 10);
	/* The spellings people copy from other tools. */
	check_size("1KiB", 1024);
	check_size("1KB", 1024);
	check_size("1kb", 1024);
	check_size("4MiB", 4194304);
	check_size("16777215T", 16777215ULL << 40);

	check_size_bad("");
	check_size_bad("-1");
	check_size_bad("abc");
	check_size_bad("K");
	check_size_bad("5Q");
	check_size_bad("0x10");
	check_size_bad(" 5");
	check_size_bad("5 ");
	check_size_bad("5 K");
	check_size_bad("1e3");
	check_size_bad("inf");
	check_size_bad("nan");
	check_size_bad(".");
	check_size_bad("1.5.2");
	check_size_bad("5KK");
	check_size_bad("5KiBs");
	check_size_bad("+5");
	/* 2^64 and more do not fit. */
	check_size_bad("18446744073709551616");
	check_size_bad("16777216T");
	CHECK_INT(units_parse_size(NULL, NULL), -1);
}

static void
test_parse_duration(void)
{
	int64_t	v;

	v = 0;
	CHECK(units_parse_duration("30s", &v) == 0 && v == 30);
	CHECK(units_parse_duration("5m", &v) == 0 && v == 300);
	CHECK(units_parse_duration("2h", &v) == 0 && v == 7200);
	CHECK(units_parse_duration("1d", &v) == 0 && v == 86400);
	CHECK(units_parse_duration("90", &v) == 0 && v == 90);
	CHECK(units_parse_duration("1.5h", &v) == 0 && v == 5400);
	CHECK(units_parse_duration("2H", &v) == 0 && v == 7200);
	CHECK(units_parse_duration("0", &v) == 0 && v == 0);

	v = 777;
	CHECK_INT(units_parse_duration("", &v), -1);
	CHECK_INT(units_parse_duration("-5", &v), -1);
	CHECK_INT(units_parse_duration("-5s", &v), -1);
	CHECK_INT(units_parse_duration("m", &v), -1);
	CHECK_INT(units_parse_duration("5 m", &v), -1);
	CHECK_INT(units_parse_duration("5ms", &v), -1);
	CHECK_INT(units_parse_duration("1w", &v), -1);
	CHECK_INT(units_parse_duration("5x", &v), -1);
	CHECK_INT(units_parse_duration("1e2", &v), -1);
	CHECK_INT(units_parse_duration("99999999999999999999", &v), -1);
	CHECK_INT(v, 777);
}

int
main(void)
{
	test_size();
	test_rate();
	test_duration();
	test_parse_size();
	test_parse_duration();
	return (test_done());
}
