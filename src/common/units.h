/*
 * Human units for people: sizes and rates in binary units (KiB, MiB),
 * durations as "1h 05m". Parsing accepts what people type in options and
 * the INI file: "500K", "20M", "1.5G", "30s", "5m", "2h".
 */
#ifndef SHOAL_UNITS_H
#define SHOAL_UNITS_H

#include <stddef.h>
#include <stdint.h>

#define UNITS_BUFLEN	32

/* Each writes into buf (UNITS_BUFLEN bytes) and returns it. */
char	*units_size(uint64_t, char *);
char	*units_rate(double, char *);
char	*units_duration(int64_t, char *);

/* Parse a byte count with an optional K/M/G/T suffix (powers of 1024). */
int	 units_parse_size(const char *, uint64_t *);
/* Parse a duration in seconds with an optional s/m/h/d suffix. */
int	 units_parse_duration(const char *, int64_t *);

#endif
