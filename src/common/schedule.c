/*
 * Weekly limit schedules: parsing a window and finding the one in force.
 * The text form is what people write in shoal.conf; every error says
 * which part is wrong.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "i18n.h"
#include "schedule.h"
#include "units.h"
#include "xmalloc.h"

static const char *const schedule_days[] = {
	"mon", "tue", "wed", "thu", "fri", "sat", "sun"
};

static int
schedule_day(const char *s, size_t len)
{
	int	i;

	if (len != 3)
		return (-1);
	for (i = 0; i < 7; i++) {
		if (strncasecmp(s, schedule_days[i], 3) == 0)
			return (i);
	}
	return (-1);
}

/* "mon-fri", "sat,sun", "mon,wed-fri", "daily" or "*". */
static int
schedule_parse_days(const char *s, uint8_t *days)
{
	const char	*p = s, *comma, *dash;
	int		 a, b, i;

	*days = 0;
	if (strcmp(s, "*") == 0 || strcasecmp(s, "daily") == 0) {
		*days = 0x7f;
		return (0);
	}
	for (;;) {
		comma = strchr(p, ',');
		if (comma == NULL)
			comma = p + strlen(p);
		dash = memchr(p, '-', (size_t)(comma - p));
		if (dash != NULL) {
			a = schedule_day(p, (size_t)(dash - p));
			b = schedule_day(dash + 1, (size_t)(comma - dash - 1));
		} else
			a = b = schedule_day(p, (size_t)(comma - p));
		if (a < 0 || b < 0)
			return (-1);
		/* mon-fri, or fri-mon round the weekend. */
		for (i = a;; i = (i + 1) % 7) {
			*days |= (uint8_t)(1 << i);
			if (i == b)
				break;
		}
		if (*comma == '\0')
			return (0);
		p = comma + 1;
	}
}

/* "HH:MM", 00:00 to 24:00. */
static int
schedule_parse_time(const char *s, size_t len, uint16_t *minute)
{
	unsigned	h, m;

	if (len != 5 || !isdigit((unsigned char)s[0]) ||
	    !isdigit((unsigned char)s[1]) || s[2] != ':' ||
	    !isdigit((unsigned char)s[3]) || !isdigit((unsigned char)s[4]))
		return (-1);
	h = (unsigned)(s[0] - '0') * 10 + (unsigned)(s[1] - '0');
	m = (unsigned)(s[3] - '0') * 10 + (unsigned)(s[4] - '0');
	if (m > 59 || h > 24 || (h == 24 && m != 0))
		return (-1);
	*minute = (uint16_t)(h * 60 + m);
	return (0);
}

int
schedule_parse(const char *text, struct schedule_window *w, char **cause)
{
	char		*copy, *word[8], *save = NULL, *dash;
	size_t		 n = 0, i;
	uint64_t	 rate;
	int		 r = -1;

	memset(w, 0, sizeof *w);
	copy = xstrdup(text);
	for (word[n] = strtok_r(copy, " \t", &save); word[n] != NULL;
	    word[n] = strtok_r(NULL, " \t", &save)) {
		if (++n == sizeof word / sizeof word[0]) {
			xasprintf(cause, _("too many words: give DAYS "
			    "HH:MM-HH:MM, then upload RATE and/or download "
			    "RATE"));
			goto out;
		}
	}
	if (n < 4 || n % 2 != 0) {
		xasprintf(cause, _("expected DAYS HH:MM-HH:MM, then upload "
		    "RATE and/or download RATE, like \"mon-fri 08:00-18:00 "
		    "upload 2M\""));
		goto out;
	}
	if (schedule_parse_days(word[0], &w->days) != 0) {
		xasprintf(cause, _("\"%s\" is not a list of days like mon-fri "
		    "or sat,sun"), word[0]);
		goto out;
	}
	if ((dash = strchr(word[1], '-')) == NULL ||
	    schedule_parse_time(word[1], (size_t)(dash - word[1]),
	    &w->start) != 0 ||
	    schedule_parse_time(dash + 1, strlen(dash + 1), &w->end) != 0 ||
	    w->start == 1440 || w->end == 0) {
		xasprintf(cause, _("\"%s\" is not a time range like "
		    "08:00-18:00 or 22:00-06:00"), word[1]);
		goto out;
	}
	if (w->start == w->end) {
		xasprintf(cause, _("\"%s\" is an empty time range"), word[1]);
		goto out;
	}
	for (i = 2; i < n; i += 2) {
		if (units_parse_size(word[i + 1], &rate) != 0) {
			xasprintf(cause, _("\"%s\" is not a rate like 500K or "
			    "20M (0: no limit)"), word[i + 1]);
			goto out;
		}
		if (strcmp(word[i], "upload") == 0 && !w->set_up) {
			w->set_up = 1;
			w->up = rate;
		} else if (strcmp(word[i], "download") == 0 && !w->set_down) {
			w->set_down = 1;
			w->down = rate;
		} else {
			xasprintf(cause, _("\"%s\" here must be upload or "
			    "download, each at most once"), word[i]);
			goto out;
		}
	}
	r = 0;
out:
	free(copy);
	return (r);
}

int
schedule_minute(int wday, int hour, int minute)
{
	/* struct tm counts from Sunday; the schedule from Monday. */
	return (((wday + 6) % 7) * 1440 + hour * 60 + minute);
}

/* Does w hold at minute of the week m? */
static int
schedule_holds(const struct schedule_window *w, int m)
{
	int	day = m / 1440, min = m % 1440;
	int	prev = (day + 6) % 7;

	if (w->start < w->end)
		return ((w->days & (1 << day)) && min >= w->start &&
		    min < w->end);
	/* Past midnight: the evening of a listed day, or the next morning. */
	return (((w->days & (1 << day)) && min >= w->start) ||
	    ((w->days & (1 << prev)) && min < w->end));
}

int
schedule_find(const struct schedule_window *v, int n, int m)
{
	int	i;

	for (i = 0; i < n; i++) {
		if (schedule_holds(&v[i], m))
			return (i);
	}
	return (-1);
}
