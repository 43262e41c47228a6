/*
 * Token buckets on a simulated clock: a sender of 16 KiB blocks holds the
 * rate within 1% over 20 s, alone or through a chain; idle time saves up no
 * more than the burst; rates change mid-way; waits are exact; debt is paid
 * back; huge rates and long idle neither overflow nor wrap.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../test.h"

#include "ratelimit.h"

#define BLOCK	16384
#define KIB	1024ULL
#define MIB	(1024 * KIB)
#define DAY_MS	(24ULL * 3600 * 1000)

/* Times the sender was told to wait 0 ms for bytes it could not have. */
static int	bad_waits;

/* A fixed pseudo-random sequence for timer slack. */
static uint64_t
lcg(void)
{
	static uint64_t	x = 42;

	x = x * 6364136223846793005ULL + 1442695040888963407ULL;
	return (x >> 33);
}

/*
 * Send 16 KiB blocks through a chain of buckets from start until end, as
 * the engine will: send while the chain has need bytes (1: any, BLOCK: a
 * whole block), else sleep for the chain's wait plus up to slack ms of
 * timer lateness. Returns the bytes sent; *t is where the clock stopped.
 */
static uint64_t
send_blocks(struct ratelimit *const *chain, size_t n, uint64_t start,
    uint64_t end, uint64_t need, uint64_t slack, uint64_t *t)
{
	uint64_t	now = start, sent = 0, w;
	size_t		i;

	while (now < end) {
		if (ratelimit_min_available(chain, n, now) >= need) {
			for (i = 0; i < n; i++) {
				if (chain[i] != NULL)
					ratelimit_consume(chain[i], BLOCK, now);
			}
			sent += BLOCK;
			continue;
		}
		w = ratelimit_max_wait_ms(chain, n, need, now);
		if (w == 0) {
			bad_waits++;
			w = 1;
		}
		now += w + (slack == 0 ? 0 : lcg() % (slack + 1));
	}
	if (t != NULL)
		*t = now;
	return (sent);
}

/* Send one block through a chain if it has any byte now. */
static uint64_t
try_block(struct ratelimit *const *chain, size_t n, uint64_t now)
{
	size_t	i;

	if (ratelimit_min_available(chain, n, now) == 0)
		return (0);
	for (i = 0; i < n; i++) {
		if (chain[i] != NULL)
			ratelimit_consume(chain[i], BLOCK, now);
	}
	return (BLOCK);
}

/* Check got is within 1% of want, saying so with the numbers. */
static void
check_rate(uint64_t got, double want, const char *what)
{
	char	msg[160];
	double	diff = (double)got - want;

	if (diff < 0)
		diff = -diff;
	snprintf(msg, sizeof msg, "%s: %llu bytes, want %.0f +- 1%%", what,
	    (unsigned long long)got, want);
	CHECK_MSG(diff <= want / 100, msg);
}

/* One bucket, several rates and senders: the rate holds over 20 s. */
static void
test_rate_held(void)
{
	static const uint64_t	 rates[] = {
		100 * KIB, 256 * KIB, MIB, 1234567, 10 * MIB, 100 * MIB,
	};
	struct ratelimit	 rl, *chain[1] = { &rl };
	uint64_t		 sent, t;
	size_t			 i;
	char			 what[96];

	for (i = 0; i < sizeof rates / sizeof rates[0]; i++) {
		ratelimit_init(&rl, rates[i], 0);
		sent = send_blocks(chain, 1, 0, 20000, 1, 0, &t);
		snprintf(what, sizeof what, "%llu B/s, any byte, 20 s",
		    (unsigned long long)rates[i]);
		check_rate(sent, (double)rates[i] * 20, what);

		/* A sender that waits for a whole block never overshoots. */
		ratelimit_init(&rl, rates[i], 0);
		sent = send_blocks(chain, 1, 0, 20000, BLOCK, 0, &t);
		snprintf(what, sizeof what, "%llu B/s, whole blocks, 20 s",
		    (unsigned long long)rates[i]);
		check_rate(sent, (double)rates[i] * 20, what);
		CHECK((double)sent <= (double)rates[i] * 20);

		/* Timers up to 20 ms late lose nothing: tokens are kept. */
		ratelimit_init(&rl, rates[i], 0);
		sent = send_blocks(chain, 1, 0, 20000, BLOCK, 20, &t);
		snprintf(what, sizeof what, "%llu B/s, timers 0-20 ms late",
		    (unsigned long long)rates[i]);
		check_rate(sent, (double)rates[i] * 20, what);
	}

	/* A window in the middle of a longer run holds too. */
	ratelimit_init(&rl, MIB, 0);
	send_blocks(chain, 1, 0, 5000, 1, 0, &t);
	sent = send_blocks(chain, 1, t, t + 20000, 1, 0, NULL);
	check_rate(sent, (double)MIB * 20, "1 MiB/s, 20 s after 5 s");
	CHECK_INT(bad_waits, 0);
}

/*
 * When a whole-block sender sends, as "ms ms ...": one block per 250 ms at
 * 64 KiB/s, and after a pause the four blocks of the burst at once.
 */
static void
test_schedule(void)
{
	struct ratelimit	 rl;
	char			 out[256];
	uint64_t		 now;
	size_t			 len;

	ratelimit_init(&rl, 64 * KIB, 0);
	out[0] = '\0';
	for (now = 0; now <= 1000 || (now >= 3000 && now <= 3600);) {
		if (ratelimit_available(&rl, now) >= BLOCK) {
			ratelimit_consume(&rl, BLOCK, now);
			len = strlen(out);
			snprintf(out + len, sizeof out - len, "%s%llu",
			    len == 0 ? "" : " ", (unsigned long long)now);
			continue;
		}
		now += ratelimit_wait_ms(&rl, BLOCK, now);
		if (now > 1000 && now < 3000)
			now = 3000;	/* Idle for two seconds. */
	}
	CHECK_STR(out, "250 500 750 1000 3000 3000 3000 3000 3250 3500");
}

static void
test_burst(void)
{
	struct ratelimit	 rl, *chain[1] = { &rl };
	uint64_t		 sent;

	/* A quarter second of the rate, never below 64 KiB. */
	ratelimit_init(&rl, 4 * MIB, 0);
	CHECK_INT(rl.burst, MIB);
	ratelimit_init(&rl, 300000, 0);
	CHECK_INT(rl.burst, 75000);
	ratelimit_init(&rl, 256 * KIB, 0);
	CHECK_INT(rl.burst, 64 * KIB);
	ratelimit_init(&rl, 1000, 0);
	CHECK_INT(rl.burst, 64 * KIB);
	ratelimit_init(&rl, 1, 0);
	CHECK_INT(rl.burst, 64 * KIB);

	/* A new bucket starts empty. */
	ratelimit_init(&rl, MIB, 5000);
	CHECK_INT(ratelimit_available(&rl, 5000), 0);
	CHECK_INT(ratelimit_available(&rl, 5001), 1048);
	CHECK_INT(ratelimit_available(&rl, 5100), 104857);

	/* An hour idle saves up one burst, no more. */
	CHECK_INT(ratelimit_available(&rl, 5250), 256 * KIB);
	CHECK_INT(ratelimit_available(&rl, 5000 + 3600 * 1000), 256 * KIB);
	sent = send_blocks(chain, 1, 3605000, 3605001, BLOCK, 0, NULL);
	CHECK_INT(sent, 256 * KIB);

	/* In the second after the idle hour: one burst plus one second. */
	ratelimit_init(&rl, MIB, 0);
	sent = send_blocks(chain, 1, 3600000, 3601000, BLOCK, 0, NULL);
	CHECK(sent <= 256 * KIB + MIB);
	CHECK(sent >= 256 * KIB + MIB - BLOCK);

	/* Asking does not change a bucket. */
	ratelimit_init(&rl, MIB, 0);
	ratelimit_consume(&rl, 100000, 10);
	CHECK_INT(ratelimit_available(&rl, 500), 256 * KIB);
	CHECK_INT(ratelimit_available(&rl, 20), 0);
	CHECK_INT(rl.last_ms, 10);
}

static void
test_set_rate(void)
{
	struct ratelimit	 rl, *chain[1] = { &rl };
	uint64_t		 sent, t;

	/* Lowering mid-way: each half holds its own rate. */
	ratelimit_init(&rl, MIB, 0);
	sent = send_blocks(chain, 1, 0, 10000, 1, 0, &t);
	check_rate(sent, (double)MIB * 10, "1 MiB/s for 10 s");
	ratelimit_set_rate(&rl, 256 * KIB, t);
	CHECK_INT(rl.burst, 64 * KIB);
	sent = send_blocks(chain, 1, t, t + 10000, 1, 0, &t);
	check_rate(sent, (double)256 * KIB * 10, "then 256 KiB/s for 10 s");

	/* Raising mid-way. */
	ratelimit_set_rate(&rl, 4 * MIB, t);
	CHECK_INT(rl.burst, MIB);
	sent = send_blocks(chain, 1, t, t + 10000, 1, 0, &t);
	check_rate(sent, (double)4 * MIB * 10, "then 4 MiB/s for 10 s");

	/* Lowering after idle: what was saved up is cut to the new burst. */
	ratelimit_init(&rl, 40 * MIB, 0);
	CHECK_INT(ratelimit_available(&rl, 60000), 10 * MIB);
	ratelimit_set_rate(&rl, 100 * KIB, 60000);
	CHECK_INT(ratelimit_available(&rl, 60000), 64 * KIB);
	CHECK_INT(ratelimit_available(&rl, 70000), 64 * KIB);

	/* Raising adds nothing: time so far was earned at the old rate. */
	ratelimit_init(&rl, 100000, 0);
	ratelimit_set_rate(&rl, 1000000, 100);
	CHECK_INT(ratelimit_available(&rl, 100), 10000);
	CHECK_INT(ratelimit_available(&rl, 110), 20000);

	/* Debt is kept across a change. */
	ratelimit_init(&rl, 100000, 0);
	ratelimit_consume(&rl, 50000, 0);
	ratelimit_set_rate(&rl, 1000000, 100);	/* -40000 at 100 ms. */
	CHECK_INT(ratelimit_available(&rl, 139), 0);
	CHECK_INT(ratelimit_available(&rl, 141), 1000);

	/* The same rate again changes nothing. */
	ratelimit_init(&rl, 100000, 0);
	ratelimit_set_rate(&rl, 100000, 300);
	CHECK_INT(rl.last_ms, 0);
	CHECK_INT(ratelimit_available(&rl, 300), 30000);

	/* Limited to unlimited and back: back starts empty. */
	ratelimit_init(&rl, 100000, 0);
	ratelimit_set_rate(&rl, 0, 1000);
	CHECK_INT(ratelimit_available(&rl, 1000), UINT64_MAX);
	ratelimit_consume(&rl, 10 * MIB, 1000);
	CHECK_INT(ratelimit_available(&rl, 1000), UINT64_MAX);
	ratelimit_set_rate(&rl, 100000, 5000);
	CHECK_INT(ratelimit_available(&rl, 5000), 0);
	CHECK_INT(ratelimit_available(&rl, 5100), 10000);
	CHECK_INT(bad_waits, 0);
}

static void
test_unlimited(void)
{
	struct ratelimit	 rl;

	ratelimit_init(&rl, 0, 0);
	CHECK_INT(rl.rate, 0);
	CHECK_INT(ratelimit_available(&rl, 0), UINT64_MAX);
	CHECK_INT(ratelimit_wait_ms(&rl, 1, 0), 0);
	CHECK_INT(ratelimit_wait_ms(&rl, UINT64_MAX, 0), 0);
	ratelimit_consume(&rl, UINT64_MAX, 0);
	ratelimit_consume(&rl, UINT64_MAX, 0);
	CHECK_INT(ratelimit_available(&rl, 0), UINT64_MAX);
	CHECK_INT(ratelimit_wait_ms(&rl, BLOCK, 1), 0);
	CHECK_INT(ratelimit_available(&rl, UINT64_MAX), UINT64_MAX);
}

/* After the returned wait the bytes are there, and not a millisecond before. */
static void
test_wait(void)
{
	static const uint64_t	 rates[] = {
		1, 3, 7, 999, 1000, 65537, 100000, 1234567, 10 * MIB,
		1000000007, 10000000000ULL,
	};
	static const uint64_t	 sizes[] = {
		1, 2, 1000, BLOCK, BLOCK + 1, 65535, 65536, 1000000,
	};
	static const uint64_t	 debts[] = { 0, 1, 777, BLOCK, 1000003 };
	struct ratelimit	 rl;
	uint64_t		 w, now, want;
	size_t			 i, j, k;
	int			 late, early, cases;
	char			 msg[96];

	for (i = 0; i < sizeof rates / sizeof rates[0]; i++) {
		late = early = cases = 0;
		for (j = 0; j < sizeof sizes / sizeof sizes[0]; j++) {
			for (k = 0; k < sizeof debts / sizeof debts[0]; k++) {
				ratelimit_init(&rl, rates[i], 1000);
				/* A partly filled bucket, then a debt. */
				ratelimit_available(&rl, 1003);
				ratelimit_consume(&rl, debts[k], 1003);
				now = 1017;
				want = sizes[j] < rl.burst ? sizes[j] :
				    rl.burst;
				w = ratelimit_wait_ms(&rl, sizes[j], now);
				cases++;
				if (ratelimit_available(&rl, now + w) < want)
					late++;
				if (w > 0 &&
				    ratelimit_available(&rl, now + w - 1) >=
				    want)
					early++;
				if (w == 0 &&
				    ratelimit_available(&rl, now) < want)
					early++;
			}
		}
		snprintf(msg, sizeof msg, "%llu B/s: %d waits, all enough",
		    (unsigned long long)rates[i], cases);
		CHECK_MSG(late == 0, msg);
		snprintf(msg, sizeof msg, "%llu B/s: %d waits, none too long",
		    (unsigned long long)rates[i], cases);
		CHECK_MSG(early == 0, msg);
	}

	/* Exact values. */
	ratelimit_init(&rl, 1000, 0);
	CHECK_INT(ratelimit_wait_ms(&rl, 0, 0), 0);
	CHECK_INT(ratelimit_wait_ms(&rl, 1, 0), 1);
	CHECK_INT(ratelimit_wait_ms(&rl, BLOCK, 0), BLOCK);
	CHECK_INT(ratelimit_wait_ms(&rl, BLOCK, 10000), 6384);
	CHECK_INT(ratelimit_wait_ms(&rl, BLOCK, 16384), 0);
	CHECK_INT(ratelimit_wait_ms(&rl, BLOCK, 20000), 0);
	ratelimit_init(&rl, 3, 0);
	CHECK_INT(ratelimit_wait_ms(&rl, 1, 0), 334);
	CHECK_INT(ratelimit_wait_ms(&rl, 2, 0), 667);
	CHECK_INT(ratelimit_wait_ms(&rl, 3, 0), 1000);

	/* More than a burst waits for a full bucket, not forever. */
	ratelimit_init(&rl, 100 * KIB, 0);
	w = ratelimit_wait_ms(&rl, 10 * MIB, 0);
	CHECK_INT(w, 640);
	CHECK_INT(ratelimit_available(&rl, w), 64 * KIB);

	/* A clock earlier than the last spend: wait from the spend. */
	ratelimit_init(&rl, 1000, 0);
	ratelimit_consume(&rl, 5000, 5000);
	CHECK_INT(ratelimit_available(&rl, 4000), 0);
	CHECK_INT(ratelimit_wait_ms(&rl, 1000, 4000), 2000);
	ratelimit_consume(&rl, 1000, 4000);
	CHECK_INT(rl.last_ms, 5000);
	CHECK_INT(ratelimit_wait_ms(&rl, 1000, 5000), 2000);
}

static void
test_chain(void)
{
	struct ratelimit	 global, share, peer, peer2;
	struct ratelimit	*chain[4], *chain2[3];
	struct ratelimit	*nulls[2] = { NULL, NULL };
	uint64_t		 sent, sent2, now, i;

	ratelimit_init(&global, 4 * MIB, 0);
	ratelimit_init(&share, MIB, 0);
	ratelimit_init(&peer, 256 * KIB, 0);
	chain[0] = &global;
	chain[1] = NULL;
	chain[2] = &share;
	chain[3] = &peer;

	/* The smallest wins; NULL entries are skipped. */
	CHECK_INT(ratelimit_available(&peer, 100), 26214);
	CHECK_INT(ratelimit_min_available(chain, 4, 100), 26214);
	CHECK_INT(ratelimit_min_available(chain, 3, 100), 104857);
	CHECK_INT(ratelimit_min_available(chain, 2, 100), 419430);
	CHECK_INT(ratelimit_min_available(nulls, 2, 100), UINT64_MAX);
	CHECK_INT(ratelimit_min_available(chain, 0, 100), UINT64_MAX);
	CHECK_INT(ratelimit_max_wait_ms(nulls, 2, BLOCK, 100), 0);
	CHECK_INT(ratelimit_max_wait_ms(chain, 4, 50000, 100),
	    ratelimit_wait_ms(&peer, 50000, 100));

	/* A debt in the global bucket holds back the whole chain. */
	ratelimit_consume(&global, 4 * MIB, 100);
	CHECK_INT(ratelimit_min_available(chain, 4, 100), 0);
	CHECK_INT(ratelimit_max_wait_ms(chain, 4, 1, 100), 901);

	/* A sender through the chain gets the peer's rate. */
	ratelimit_init(&global, 4 * MIB, 0);
	ratelimit_init(&share, MIB, 0);
	ratelimit_init(&peer, 256 * KIB, 0);
	sent = send_blocks(chain, 4, 0, 20000, 1, 0, NULL);
	check_rate(sent, (double)256 * KIB * 20, "chain, peer slowest");

	/* Two peers sharing one share bucket split its rate. */
	ratelimit_init(&global, 4 * MIB, 0);
	ratelimit_init(&share, MIB, 0);
	ratelimit_init(&peer, MIB, 0);
	ratelimit_init(&peer2, MIB, 0);
	chain[3] = &peer;
	chain2[0] = &global;
	chain2[1] = &share;
	chain2[2] = &peer2;
	sent = sent2 = 0;
	for (now = 0; now < 20000; now += 10) {
		/* On each 10 ms tick the peers try a block each, in turns. */
		for (i = 0; i < 2; i++) {
			if ((i + now / 10) % 2 == 0)
				sent += try_block(chain, 4, now);
			else
				sent2 += try_block(chain2, 3, now);
		}
	}
	check_rate(sent + sent2, (double)MIB * 20, "two peers, one share");
	CHECK(sent > MIB * 5 && sent2 > MIB * 5);
	CHECK_INT(bad_waits, 0);
}

static void
test_debt(void)
{
	struct ratelimit	 rl;

	/* A full bucket, then one send far bigger than it. */
	ratelimit_init(&rl, 10000, 0);
	CHECK_INT(ratelimit_available(&rl, 10000), 65536);
	ratelimit_consume(&rl, 200000, 10000);
	CHECK_INT(ratelimit_available(&rl, 10000), 0);
	/* 134464 bytes of debt at 10 bytes a millisecond. */
	CHECK_INT(ratelimit_wait_ms(&rl, 1, 10000), 13447);
	CHECK_INT(ratelimit_available(&rl, 10000 + 13446), 0);
	CHECK_INT(ratelimit_available(&rl, 10000 + 13447), 6);
	CHECK_INT(ratelimit_available(&rl, 10000 + 13447 + 1000), 10006);
	CHECK_INT(ratelimit_wait_ms(&rl, BLOCK, 10000), 13447 + 1638);

	/* Debts add up, and are paid back in full. */
	ratelimit_init(&rl, 1000, 0);
	ratelimit_consume(&rl, BLOCK, 0);
	ratelimit_consume(&rl, BLOCK, 0);
	ratelimit_consume(&rl, BLOCK, 100);
	CHECK_INT(ratelimit_available(&rl, 3 * BLOCK), 0);
	CHECK_INT(ratelimit_available(&rl, 3 * BLOCK + 1), 1);
	CHECK_INT(ratelimit_wait_ms(&rl, 1, 100), 3 * BLOCK - 100 + 1);
}

static void
test_huge(void)
{
	struct ratelimit	 rl, *chain[1] = { &rl };
	uint64_t		 sent, t, ten_gb = 10000000000ULL;

	/* 10 GB/s: a 2.5 GB burst; days idle save up exactly that. */
	ratelimit_init(&rl, ten_gb, 0);
	CHECK_INT(rl.burst, 2500000000ULL);
	CHECK_INT(ratelimit_available(&rl, 1), 10000000);
	CHECK_INT(ratelimit_available(&rl, 30 * DAY_MS), 2500000000ULL);
	ratelimit_consume(&rl, 2500000000ULL, 30 * DAY_MS);
	CHECK_INT(ratelimit_available(&rl, 30 * DAY_MS), 0);
	CHECK_INT(ratelimit_wait_ms(&rl, 2500000000ULL, 30 * DAY_MS), 250);
	CHECK_INT(ratelimit_wait_ms(&rl, UINT64_MAX, 30 * DAY_MS), 250);
	ratelimit_init(&rl, ten_gb, 0);
	sent = send_blocks(chain, 1, 0, 1000, BLOCK, 0, &t);
	check_rate(sent, (double)ten_gb, "10 GB/s for 1 s");

	/* The largest rate and the largest clock. */
	ratelimit_init(&rl, UINT64_MAX, 0);
	CHECK_INT(rl.burst, UINT64_MAX / 4);
	CHECK_INT(ratelimit_available(&rl, UINT64_MAX), UINT64_MAX / 4);
	CHECK_INT(ratelimit_available(&rl, 365 * DAY_MS), UINT64_MAX / 4);
	CHECK_INT(ratelimit_wait_ms(&rl, UINT64_MAX, 0), 250);
	ratelimit_consume(&rl, UINT64_MAX, UINT64_MAX);
	CHECK_INT(ratelimit_available(&rl, UINT64_MAX), 0);
	CHECK_INT(ratelimit_wait_ms(&rl, 1, UINT64_MAX), 751);

	/* A slow bucket left idle for years, on a clock near its end. */
	ratelimit_init(&rl, 1, 0);
	CHECK_INT(ratelimit_available(&rl, 3650 * DAY_MS), 64 * KIB);
	CHECK_INT(ratelimit_available(&rl, UINT64_MAX), 64 * KIB);
	ratelimit_init(&rl, 1, UINT64_MAX - 10);
	CHECK_INT(ratelimit_wait_ms(&rl, 1, UINT64_MAX - 10), 1000);
	ratelimit_consume(&rl, UINT64_MAX, UINT64_MAX - 10);
	CHECK_INT(ratelimit_available(&rl, UINT64_MAX), 0);
	/* 2^64 bytes at 1 byte a second: the wait saturates, not wraps. */
	CHECK_INT(ratelimit_wait_ms(&rl, 1, UINT64_MAX - 10), UINT64_MAX);
	CHECK(ratelimit_wait_ms(&rl, 1, UINT64_MAX - 10) != 0);
}

int
main(void)
{
	test_rate_held();
	test_burst();
	test_schedule();
	test_set_rate();
	test_unlimited();
	test_wait();
	test_chain();
	test_debt();
	test_huge();
	return (test_done());
}
