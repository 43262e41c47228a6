/*
 * Token buckets for upload and download limits. Pure arithmetic: the caller
 * passes the time in milliseconds (the event loop's, in the engine), so
 * nothing here reads a clock and tests run on a simulated one. A transfer
 * passes through several buckets (the node's, the share's, the peer's) and
 * must fit in every one of them.
 */
#ifndef SHOAL_RATELIMIT_H
#define SHOAL_RATELIMIT_H

#include <stddef.h>
#include <stdint.h>

/*
 * The balance is kept as of last_ms and brought forward on demand: read it
 * with ratelimit_available(), not from tokens.
 */
struct ratelimit {
	uint64_t	 rate;		/* Bytes per second, 0: unlimited. */
	uint64_t	 burst;		/* Most bytes saved up while idle. */
	double		 tokens;	/* At last_ms; below 0 is debt. */
	uint64_t	 last_ms;	/* When tokens was brought forward. */
};

/* Start an empty bucket filling at rate bytes a second (0: unlimited). */
void		 ratelimit_init(struct ratelimit *, uint64_t, uint64_t);
/* Change the rate from now on; tokens saved up are cut to the new burst. */
void		 ratelimit_set_rate(struct ratelimit *, uint64_t, uint64_t);
/* Whole bytes that may be sent now; UINT64_MAX if unlimited. */
uint64_t	 ratelimit_available(const struct ratelimit *, uint64_t);
/* Take bytes sent now; the balance may go below zero. */
void		 ratelimit_consume(struct ratelimit *, uint64_t, uint64_t);
/* Milliseconds until bytes (or the burst, if less) are available. */
uint64_t	 ratelimit_wait_ms(const struct ratelimit *, uint64_t,
		     uint64_t);
/* The least available across a chain of n buckets; NULL entries ignored. */
uint64_t	 ratelimit_min_available(struct ratelimit *const *, size_t,
		     uint64_t);
/* The longest wait for bytes across a chain of n buckets; NULLs ignored. */
uint64_t	 ratelimit_max_wait_ms(struct ratelimit *const *, size_t,
		     uint64_t, uint64_t);

#endif
