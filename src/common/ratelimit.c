/*
 * Token buckets: a limit earns rate bytes a second into a bucket that holds
 * at most burst bytes, and each send takes its size out. A bucket knows
 * nothing of clocks or timers; the engine passes the loop's time and arms
 * its own timer from ratelimit_wait_ms().
 *
 * The contract: the balance is stored as of last_ms and brought forward
 * whenever it is needed, so asking (ratelimit_available, ratelimit_wait_ms)
 * never changes a bucket; only spending and a new rate do. The answer of
 * ratelimit_wait_ms therefore stays true however often other code asks in
 * between. A send is taken whole even when it is more than the balance: the
 * balance goes below zero and later sends wait until the debt is paid, so
 * the long-run rate holds without splitting 16 KiB blocks.
 *
 * Time that goes backwards (now_ms before last_ms) earns nothing and never
 * moves last_ms back.
 */
#include "config.h"

#include <stdint.h>

#include "ratelimit.h"

/*
 * The least a bucket saves up: four 16 KiB blocks. At slow limits a few
 * requests can still go out back to back instead of one per refill, and a
 * whole block always fits, so a wait for one block always ends.
 */
#define RATELIMIT_MIN_BURST	(64 * 1024)

/*
 * The most a bucket saves up while idle: a quarter second at the full rate.
 * That is enough that a timer firing late or a long loop iteration loses no
 * throughput (tokens earned meanwhile are kept, not spilled over the top),
 * and little enough that what leaves at once after a pause stays short next
 * to a second's worth, so the rate looks steady to the peer and the UI.
 */
static uint64_t
ratelimit_burst(uint64_t rate)
{
	if (rate == 0)
		return (0);
	if (rate / 4 < RATELIMIT_MIN_BURST)
		return (RATELIMIT_MIN_BURST);
	return (rate / 4);
}

/* Milliseconds since the balance was last brought forward. */
static double
ratelimit_elapsed(const struct ratelimit *rl, uint64_t now_ms)
{
	if (now_ms <= rl->last_ms)
		return (0);
	return ((double)(now_ms - rl->last_ms));
}

/* The balance elapsed_ms after last_ms, capped at the burst. */
static double
ratelimit_balance(const struct ratelimit *rl, double elapsed_ms)
{
	double	t;

	/*
	 * In double: elapsed_ms * rate passes 2^64 after days idle at a few
	 * GB/s, and the cap below brings it back at once.
	 */
	t = rl->tokens + elapsed_ms * (double)rl->rate / 1000;
	if (t > (double)rl->burst)
		t = (double)rl->burst;
	return (t);
}

/* Whole bytes in a balance; the cast stays below 2^64. */
static uint64_t
ratelimit_whole(const struct ratelimit *rl, double t)
{
	if (t < 1)
		return (0);
	if (t >= (double)rl->burst)
		return (rl->burst);
	return ((uint64_t)t);
}

/* Start an empty bucket, so that a restart or a reconnect earns no burst. */
void
ratelimit_init(struct ratelimit *rl, uint64_t rate, uint64_t now_ms)
{
	rl->rate = rate;
	rl->burst = ratelimit_burst(rate);
	rl->tokens = 0;
	rl->last_ms = now_ms;
}

/*
 * Change the rate at run time. Time up to now was earned at the old rate;
 * what was saved up is cut to the new burst (by the cap every read applies),
 * so lowering a limit does not let a quarter second of the old rate out at
 * once, and raising it adds nothing. Debt is kept: those bytes were sent. A
 * bucket that was unlimited starts empty.
 */
void
ratelimit_set_rate(struct ratelimit *rl, uint64_t rate, uint64_t now_ms)
{
	double	t = 0;

	if (rate == rl->rate)
		return;
	if (rl->rate != 0)
		t = ratelimit_balance(rl, ratelimit_elapsed(rl, now_ms));
	rl->rate = rate;
	rl->burst = ratelimit_burst(rate);
	rl->tokens = rate == 0 ? 0 : t;
	if (now_ms > rl->last_ms)
		rl->last_ms = now_ms;
}

/* Whole bytes that may be sent now (UINT64_MAX if unlimited). */
uint64_t
ratelimit_available(const struct ratelimit *rl, uint64_t now_ms)
{
	if (rl->rate == 0)
		return (UINT64_MAX);
	return (ratelimit_whole(rl,
	    ratelimit_balance(rl, ratelimit_elapsed(rl, now_ms))));
}

/* Take bytes sent now out of the bucket, going into debt if need be. */
void
ratelimit_consume(struct ratelimit *rl, uint64_t bytes, uint64_t now_ms)
{
	if (rl->rate == 0)
		return;
	rl->tokens = ratelimit_balance(rl, ratelimit_elapsed(rl, now_ms)) -
	    (double)bytes;
	if (now_ms > rl->last_ms)
		rl->last_ms = now_ms;
}

/*
 * Milliseconds from now until bytes are available, 0 if they are now; at
 * least 1 otherwise, so a timer armed with it does not spin. A bucket never
 * holds more than its burst, so more bytes than that wait for a full bucket
 * (the send then goes into debt). UINT64_MAX if the wait does not fit.
 */
uint64_t
ratelimit_wait_ms(const struct ratelimit *rl, uint64_t bytes, uint64_t now_ms)
{
	uint64_t	want, base, ms;
	double		elapsed, t, d;
	int		i;

	if (rl->rate == 0 || bytes == 0)
		return (0);
	want = bytes < rl->burst ? bytes : rl->burst;

	/* Nothing is earned before last_ms if now is earlier. */
	base = now_ms > rl->last_ms ? now_ms : rl->last_ms;
	elapsed = ratelimit_elapsed(rl, base);
	t = ratelimit_balance(rl, elapsed);
	if (ratelimit_whole(rl, t) >= want)
		return (0);

	/* Rounded up by hand: libcommon does not need libm. */
	d = ((double)want - t) * 1000 / (double)rl->rate;
	if (d >= 18446744073709551615.0)	/* 2^64 as a double. */
		return (UINT64_MAX);
	ms = (uint64_t)d;
	if ((double)ms < d)
		ms++;

	/*
	 * The estimate can fall short by rounding; step on until the balance
	 * as ratelimit_available() will compute it is enough.
	 */
	for (i = 0; i < 4 && ms < UINT64_MAX; i++) {
		t = ratelimit_balance(rl, elapsed + (double)ms);
		if (ratelimit_whole(rl, t) >= want)
			break;
		ms++;
	}
	if (ms > UINT64_MAX - (base - now_ms))
		return (UINT64_MAX);
	return (ms + (base - now_ms));
}

/* The least whole bytes available now across a chain of buckets. */
uint64_t
ratelimit_min_available(struct ratelimit *const *rls, size_t n,
    uint64_t now_ms)
{
	uint64_t	min = UINT64_MAX, a;
	size_t		i;

	for (i = 0; i < n; i++) {
		if (rls[i] == NULL)
			continue;
		a = ratelimit_available(rls[i], now_ms);
		if (a < min)
			min = a;
	}
	return (min);
}

/*
 * The longest wait for bytes across a chain of buckets. Balances only grow
 * while nothing is spent, so after the longest wait every bucket has them.
 */
uint64_t
ratelimit_max_wait_ms(struct ratelimit *const *rls, size_t n, uint64_t bytes,
    uint64_t now_ms)
{
	uint64_t	max = 0, w;
	size_t		i;

	for (i = 0; i < n; i++) {
		if (rls[i] == NULL)
			continue;
		w = ratelimit_wait_ms(rls[i], bytes, now_ms);
		if (w > max)
			max = w;
	}
	return (max);
}
