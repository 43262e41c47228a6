/* Formatting and parsing of sizes, rates and durations. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "units.h"

static const char *const units_names[] = {
	"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"
};

/* Decimals shown for a value in a unit above bytes: three digits. */
static int
units_decimals(double v)
{
	if (v < 9.995)
		return (2);
	if (v < 99.95)
		return (1);
	return (0);
}

static char *
units_scaled(double v, const char *suffix, char *buf)
{
	const unsigned	last = sizeof units_names / sizeof units_names[0] - 1;
	unsigned	u = 0;
	int		dec = 0;

	/* Move up a unit when the value would print as 1024 or more. */
	while (u < last && v >= (u == 0 ? 1023.5 : 1023.5)) {
		v /= 1024;
		u++;
	}
	if (u > 0)
		dec = units_decimals(v);
	snprintf(buf, UNITS_BUFLEN, "%.*f %s%s", dec, v, units_names[u],
	    suffix);
	return (buf);
}

/* "1.50 GiB"; exact bytes below 1 KiB. */
char *
units_size(uint64_t v, char *buf)
{
	return (units_scaled((double)v, "", buf));
}

/* "12.3 MiB/s". */
char *
units_rate(double v, char *buf)
{
	if (v < 0 || !isfinite(v))
		v = 0;
	return (units_scaled(v, "/s", buf));
}

/* "45s", "3m 05s", "1h 02m", "2d 03h"; "-" when unknown (negative). */
char *
units_duration(int64_t s, char *buf)
{
	if (s < 0)
		snprintf(buf, UNITS_BUFLEN, "-");
	else if (s < 60)
		snprintf(buf, UNITS_BUFLEN, "%llds", (long long)s);
	else if (s < 3600)
		snprintf(buf, UNITS_BUFLEN, "%lldm %02llds", (long long)s / 60,
		    (long long)s % 60);
	else if (s < 86400)
		snprintf(buf, UNITS_BUFLEN, "%lldh %02lldm", (long long)s / 3600,
		    (long long)(s % 3600) / 60);
	else
		snprintf(buf, UNITS_BUFLEN, "%lldd %02lldh",
		    (long long)s / 86400, (long long)(s % 86400) / 3600);
	return (buf);
}

/*
 * Parse "<number>[suffix]" where number may have a fraction. Returns 0 and
 * the value times the suffix's multiplier, or -1 on any junk or overflow.
 */
static int
units_parse(const char *s, const char *suffixes, const double *mult,
    int bytes, double *out)
{
	char		*end;
	double		 v;
	const char	*p;

	if (s == NULL || (!isdigit((unsigned char)*s) && *s != '.') ||
	    strpbrk(s, "xXeEnN") != NULL)
		return (-1);
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || !isfinite(v) || v < 0)
		return (-1);
	if (*end != '\0') {
		if ((p = strchr(suffixes, toupper((unsigned char)*end))) ==
		    NULL || *p == '\0')
			return (-1);
		v *= mult[p - suffixes];
		end++;
		/* Accept "KiB" and "KB" spellings of sizes. */
		if (bytes && p != suffixes && (strcmp(end, "iB") == 0 ||
		    strcmp(end, "B") == 0 || strcmp(end, "ib") == 0 ||
		    strcmp(end, "b") == 0))
			end += strlen(end);
		if (*end != '\0')
			return (-1);
	}
	*out = v;
	return (0);
}

int
units_parse_size(const char *s, uint64_t *out)
{
	static const double	mult[] = { 1, 1024.0, 1048576.0,
	    1073741824.0, 1099511627776.0 };
	double			v;

	if (units_parse(s, "BKMGT", mult, 1, &v) != 0 || v >= 18446744073709551615.0)
		return (-1);
	*out = (uint64_t)v;
	return (0);
}

int
units_parse_duration(const char *s, int64_t *out)
{
	static const double	mult[] = { 1, 60, 3600, 86400 };
	double			v;

	if (units_parse(s, "SMHD", mult, 0, &v) != 0 || v >= 9.2e18)
		return (-1);
	*out = (int64_t)v;
	return (0);
}
