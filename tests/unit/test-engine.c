/*
 * The engine's door under load from both sides: a real engine thread
 * serving a share, this thread sending thousands of commands while a
 * second thread takes and puts snapshots as fast as it can. Every command
 * must take effect in order (the last limit sent is the one in force, the
 * last pause or resume decides the state), generations only grow, and
 * the engine stops cleanly afterwards.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../test.h"

#include "engine.h"
#include "identity.h"
#include "log.h"

/* Commands sent while the reader runs. */
#define NCMDS		20000
/* How long any one wait may take, in milliseconds. */
#define WAIT_MS		30000

static char	tmp[64];

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return (remove(path));
}

static uint64_t
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000);
}

/*
 * Wait (on the notify descriptor, with a bound) until the newest snapshot
 * satisfies ok(); returns that snapshot, referenced, or NULL on timeout.
 */
static struct snapshot *
wait_snap(struct engine *e, int (*ok)(const struct snapshot *, uint64_t),
    uint64_t arg)
{
	struct pollfd	 pfd;
	struct snapshot	*s;
	uint64_t	 end = now_ms() + WAIT_MS, counter;

	pfd.fd = engine_notify_fd(e);
	pfd.events = POLLIN;
	for (;;) {
		s = engine_snapshot(e);
		if (ok(s, arg))
			return (s);
		snapshot_put(s);
		if (now_ms() > end)
			return (NULL);
		/* Snapshots come at least four times a second. */
		if (poll(&pfd, 1, 300) > 0)
			(void)!read(pfd.fd, &counter, sizeof counter);
	}
}

static int
is_sending(const struct snapshot *s, uint64_t arg)
{
	return (s->nshares == 1 && s->shares[0].state == SNAP_SENDING);
}

static int
has_limits(const struct snapshot *s, uint64_t arg)
{
	return (s->upload_limit == arg && s->download_limit == arg * 2);
}

static int
is_paused(const struct snapshot *s, uint64_t arg)
{
	return (s->nshares == 1 && s->shares[0].paused &&
	    s->shares[0].state == SNAP_PAUSED);
}

static int
is_stopped(const struct snapshot *s, uint64_t arg)
{
	return (s->stopped);
}

struct reader {
	struct engine	*e;
	volatile int	 done;
	uint64_t	 taken;
	int		 backwards;	/* A generation went down. */
	int		 bad;		/* A snapshot that made no sense. */
};

/* The second thread: snapshots as fast as it can, each checked. */
static void *
reader_main(void *arg)
{
	struct reader	*r = arg;
	struct snapshot	*s;
	uint64_t	 last = 0;

	while (!__atomic_load_n(&r->done, __ATOMIC_ACQUIRE)) {
		s = engine_snapshot(r->e);
		if (s->generation < last)
			r->backwards = 1;
		last = s->generation;
		if (s->nshares != 1 || s->shares[0].id == 0 ||
		    s->shares[0].size != 100000 ||
		    s->shares[0].pieces_have != s->shares[0].pieces)
			r->bad = 1;
		r->taken++;
		snapshot_put(s);
	}
	return (NULL);
}

int
main(void)
{
	struct identity		 id;
	struct engine_config	 cfg;
	struct engine_share	 share;
	struct engine_cmd	 c;
	struct engine		*e;
	struct snapshot		*s;
	struct reader		 r;
	pthread_t		 th;
	char			 key[128], crt[128], dir[128], file[160];
	char			*cause = NULL;
	uint8_t			 data[100000];
	uint32_t		 sid;
	int			 fd, i;

	snprintf(tmp, sizeof tmp, "/tmp/shoal-test-engine.XXXXXX");
	if (mkdtemp(tmp) == NULL) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return (99);
	}
	log_open(NULL, LOG_ERROR);
	snprintf(key, sizeof key, "%s/node.key", tmp);
	snprintf(crt, sizeof crt, "%s/node.crt", tmp);
	identity_init(&id);
	CHECK(identity_generate(&id, "load-test", &cause) == 0);
	CHECK(identity_save(&id, key, crt, &cause) == 0);
	identity_destroy(&id);
	snprintf(dir, sizeof dir, "%s/share", tmp);
	mkdir(dir, 0755);
	snprintf(file, sizeof file, "%s/data.bin", dir);
	for (i = 0; i < (int)sizeof data; i++)
		data[i] = (uint8_t)(i * 7 + 3);
	fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(fd != -1 && write(fd, data, sizeof data) == sizeof data);
	close(fd);

	memset(&share, 0, sizeof share);
	share.path = dir;
	share.sending = 1;
	share.open = 1;
	memset(&cfg, 0, sizeof cfg);
	cfg.state_dir = tmp;
	cfg.listen = "127.0.0.1:0";
	cfg.shares = &share;
	cfg.nshares = 1;
	e = engine_new(&cfg, &cause);
	CHECK_MSG(e != NULL, "the engine is made");
	if (e == NULL) {
		printf("# %s\n", cause);
		return (test_done());
	}
	/* A command before the thread runs waits in the queue. */
	memset(&c, 0, sizeof c);
	c.type = ENGINE_CMD_LIMITS;
	c.upload_limit = 1000;
	c.download_limit = 2000;
	engine_submit(e, &c);
	CHECK(engine_start(e, &cause) == 0);
	s = wait_snap(e, has_limits, 1000);
	CHECK_MSG(s != NULL, "a command sent before the start takes effect");
	snapshot_put(s);
	s = wait_snap(e, is_sending, 0);
	CHECK_MSG(s != NULL, "the share is hashed and sending");
	if (s == NULL)
		goto stop;
	sid = s->shares[0].id;
	CHECK_STR(s->node_name, "load-test");
	CHECK_INT(s->shares[0].nfiles, 1);
	CHECK_STR(s->shares[0].files[0].path, "data.bin");
	CHECK_INT(s->shares[0].files[0].have, 100000);
	CHECK(s->shares[0].piece_map != NULL &&
	    s->shares[0].piece_map[0] == SNAP_PIECE_HAVE);
	snapshot_put(s);

	memset(&r, 0, sizeof r);
	r.e = e;
	CHECK(pthread_create(&th, NULL, reader_main, &r) == 0);
	for (i = 1; i <= NCMDS; i++) {
		memset(&c, 0, sizeof c);
		if (i % 3 == 0) {
			c.type = (i / 3) % 2 ? ENGINE_CMD_PAUSE :
			    ENGINE_CMD_RESUME;
			c.share = sid;
		} else {
			c.type = ENGINE_CMD_LIMITS;
			c.upload_limit = (uint64_t)i * 1000;
			c.download_limit = (uint64_t)i * 2000;
		}
		engine_submit(e, &c);
	}
	/* The last ones: a limit, then a pause. */
	memset(&c, 0, sizeof c);
	c.type = ENGINE_CMD_LIMITS;
	c.upload_limit = 777000;
	c.download_limit = 1554000;
	engine_submit(e, &c);
	c.type = ENGINE_CMD_PAUSE;
	c.share = sid;
	engine_submit(e, &c);
	s = wait_snap(e, has_limits, 777000);
	CHECK_MSG(s != NULL, "the last limit sent is the one in force");
	if (s != NULL)
		CHECK_MSG(is_paused(s, 0), "the last pause decides the state");
	snapshot_put(s);
	__atomic_store_n(&r.done, 1, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	CHECK_MSG(r.taken > 0, "the reader took snapshots");
	CHECK_MSG(!r.backwards, "generations never went backwards");
	CHECK_MSG(!r.bad, "every snapshot was whole");
	printf("# the reader took %llu snapshots\n",
	    (unsigned long long)r.taken);

	/* Resume; a command for a share that does not exist is harmless. */
	memset(&c, 0, sizeof c);
	c.type = ENGINE_CMD_RESUME;
	c.share = sid;
	engine_submit(e, &c);
	c.share = sid + 100;
	engine_submit(e, &c);
	s = wait_snap(e, is_sending, 0);
	CHECK_MSG(s != NULL, "resumed, the share is sending again");
	snapshot_put(s);
	c.type = ENGINE_CMD_RECHECK;
	c.share = sid;
	engine_submit(e, &c);
	s = wait_snap(e, is_sending, 0);
	CHECK_MSG(s != NULL, "a re-check of a sent share changes nothing");
	snapshot_put(s);

stop:
	engine_stop(e);
	/* Commands after the stop are dropped, never run on a closed loop. */
	memset(&c, 0, sizeof c);
	c.type = ENGINE_CMD_LIMITS;
	engine_submit(e, &c);
	s = wait_snap(e, is_stopped, 0);
	CHECK_MSG(s != NULL, "the engine stops");
	if (s != NULL)
		CHECK_MSG(s->fatal == NULL, "and not because of a failure");
	snapshot_put(s);
	engine_wait(e);
	engine_free(e);
	log_close();
	nftw(tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return (test_done());
}
