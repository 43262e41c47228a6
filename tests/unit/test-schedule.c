/* Weekly limit schedules: parsing, messages, and which window holds. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../test.h"

#include "schedule.h"

/* Minute of the week for day (0 Monday) and HH:MM. */
#define AT(d, h, m)	((d) * 1440 + (h) * 60 + (m))

static void
test_parse(void)
{
	struct schedule_window	w;
	char			*cause = NULL;

	CHECK_INT(schedule_parse("mon-fri 08:00-18:00 upload 2M download 10M",
	    &w, &cause), 0);
	CHECK_INT(w.days, 0x1f);
	CHECK_INT(w.start, 480);
	CHECK_INT(w.end, 1080);
	CHECK_INT(w.set_up, 1);
	CHECK_INT(w.up, 2 * 1024 * 1024);
	CHECK_INT(w.set_down, 1);
	CHECK_INT(w.down, 10 * 1024 * 1024);

	CHECK_INT(schedule_parse("sat,sun 00:00-24:00 upload 0", &w, &cause),
	    0);
	CHECK_INT(w.days, 0x60);
	CHECK_INT(w.end, 1440);
	CHECK_INT(w.set_up, 1);
	CHECK_INT(w.up, 0);
	CHECK_INT(w.set_down, 0);

	CHECK_INT(schedule_parse("fri-mon 22:00-06:00 download 500K", &w,
	    &cause), 0);
	CHECK_INT(w.days, 0x71);	/* Fri, Sat, Sun, Mon. */
	CHECK_INT(schedule_parse("daily 12:00-13:00 upload 1M", &w, &cause),
	    0);
	CHECK_INT(w.days, 0x7f);
	CHECK_INT(schedule_parse("Mon,WED-thu 09:30-10:00 upload 1M", &w,
	    &cause), 0);
	CHECK_INT(w.days, 0x0d);
}

/* Each bad window gets its own message. */
static void
test_errors(void)
{
	static const struct {
		const char	*in;
		const char	*msg;
	} cases[] = {
		{ "mon-fri 08:00-18:00",
		  "expected DAYS HH:MM-HH:MM, then upload RATE and/or "
		  "download RATE, like \"mon-fri 08:00-18:00 upload 2M\"" },
		{ "monday 08:00-18:00 upload 1M",
		  "\"monday\" is not a list of days like mon-fri or sat,sun" },
		{ "mon-xyz 08:00-18:00 upload 1M",
		  "\"mon-xyz\" is not a list of days like mon-fri or sat,sun" },
		{ "mon 8:00-18:00 upload 1M",
		  "\"8:00-18:00\" is not a time range like 08:00-18:00 or "
		  "22:00-06:00" },
		{ "mon 08:00-24:30 upload 1M",
		  "\"08:00-24:30\" is not a time range like 08:00-18:00 or "
		  "22:00-06:00" },
		{ "mon 08:60-09:00 upload 1M",
		  "\"08:60-09:00\" is not a time range like 08:00-18:00 or "
		  "22:00-06:00" },
		{ "mon 08:00-08:00 upload 1M",
		  "\"08:00-08:00\" is an empty time range" },
		{ "mon 08:00-09:00 upload fast",
		  "\"fast\" is not a rate like 500K or 20M (0: no limit)" },
		{ "mon 08:00-09:00 sideways 1M",
		  "\"sideways\" here must be upload or download, each at most "
		  "once" },
		{ "mon 08:00-09:00 upload 1M upload 2M",
		  "\"upload\" here must be upload or download, each at most "
		  "once" },
		{ "mon 08:00-09:00 upload 1M download 1M upload 1M download 1M",
		  "too many words: give DAYS HH:MM-HH:MM, then upload RATE "
		  "and/or download RATE" },
	};
	struct schedule_window	w;
	char			*cause;
	size_t			 i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cause = NULL;
		CHECK_INT(schedule_parse(cases[i].in, &w, &cause), -1);
		CHECK_STR(cause, cases[i].msg);
		free(cause);
	}
}

static void
test_find(void)
{
	struct schedule_window	v[3];
	char			*cause = NULL;

	CHECK_INT(schedule_parse("mon-fri 08:00-18:00 upload 2M", &v[0],
	    &cause), 0);
	CHECK_INT(schedule_parse("fri-sun 22:00-06:00 upload 10M", &v[1],
	    &cause), 0);
	CHECK_INT(schedule_parse("daily 00:00-24:00 upload 5M", &v[2],
	    &cause), 0);

	/* Working hours; the end minute is outside. */
	CHECK_INT(schedule_find(v, 2, AT(0, 8, 0)), 0);
	CHECK_INT(schedule_find(v, 2, AT(4, 17, 59)), 0);
	CHECK_INT(schedule_find(v, 2, AT(4, 18, 0)), -1);
	CHECK_INT(schedule_find(v, 2, AT(2, 7, 59)), -1);
	/* Nights from Friday to Sunday, into the next morning. */
	CHECK_INT(schedule_find(v, 2, AT(4, 22, 0)), 1);
	CHECK_INT(schedule_find(v, 2, AT(5, 5, 59)), 1);	/* Sat morning. */
	CHECK_INT(schedule_find(v, 2, AT(0, 5, 0)), 1);	/* Mon: Sun night. */
	CHECK_INT(schedule_find(v, 2, AT(0, 6, 0)), -1);
	CHECK_INT(schedule_find(v, 2, AT(4, 5, 0)), -1);	/* Thu night: no. */
	CHECK_INT(schedule_find(v, 2, AT(3, 23, 0)), -1);
	/* The first window that holds wins. */
	CHECK_INT(schedule_find(v, 3, AT(1, 9, 0)), 0);
	CHECK_INT(schedule_find(v, 3, AT(1, 19, 0)), 2);
	CHECK_INT(schedule_find(v, 0, AT(1, 19, 0)), -1);

	/* struct tm's weekday counts from Sunday. */
	CHECK_INT(schedule_minute(1, 8, 0), AT(0, 8, 0));
	CHECK_INT(schedule_minute(0, 23, 59), AT(6, 23, 59));
	CHECK_INT(schedule_minute(6, 0, 0), AT(5, 0, 0));
}

int
main(void)
{
	test_parse();
	test_errors();
	test_find();
	return (test_done());
}
