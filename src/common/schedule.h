/*
 * A weekly schedule of rate limits: windows of time on chosen weekdays,
 * each with the upload and download limits that hold inside it, like
 *
 *	mon-fri 08:00-18:00 upload 2M download 10M
 *	sat,sun 22:00-06:00 upload 0
 *
 * Outside every window the node's own limits hold. Pure code: the caller
 * passes the local weekday and minute.
 */
#ifndef SHOAL_SCHEDULE_H
#define SHOAL_SCHEDULE_H

#include <stdint.h>

/* Minutes in a week; Monday 00:00 is minute 0. */
#define SCHEDULE_WEEK	(7 * 24 * 60)

struct schedule_window {
	uint8_t		days;		/* Bit 0 Monday ... bit 6 Sunday. */
	uint16_t	start;		/* Minute of the day, 0-1439. */
	uint16_t	end;		/* 1-1440; <= start: past midnight. */
	int		set_up;		/* upload given (0 is "no limit"). */
	uint64_t	up;
	int		set_down;
	uint64_t	down;
};

/*
 * Parse one window; 0 on success, else -1 and *cause (a full sentence,
 * freed by the caller).
 */
int	schedule_parse(const char *, struct schedule_window *, char **);
/*
 * The window in force at minute of the week now (Monday 00:00 = 0), the
 * first of n that holds, or -1. A window past midnight holds from its
 * start on a listed day to its end the next morning.
 */
int	schedule_find(const struct schedule_window *, int, int);
/* Minute of the week from a weekday (0 Sunday, as in struct tm) etc. */
int	schedule_minute(int, int, int);

#endif
