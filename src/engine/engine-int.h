/*
 * The engine's own structure, shared by the engine modules (engine.c,
 * torrent.c, peer.c) and nothing else.
 */
#ifndef SHOAL_ENGINE_INT_H
#define SHOAL_ENGINE_INT_H

#ifndef SHOAL_ENGINE_INTERNAL
#error "only the engine includes engine-int.h"
#endif

#include <pthread.h>

#include <uv.h>

#include "announcer.h"
#include "engine.h"
#include "identity.h"
#include "lsd.h"
#include "ratelimit.h"
#include "schedule.h"
#include "subnet.h"
#include "peer.h"
#include "tls.h"
#include "torrent.h"

/* Remote sites we limit: at most this many get buckets of their own. */
#define ENGINE_MAX_SITES	256

struct engine_site {
	char			 name[WIRE_LTEP_SITE_MAX + 1];
	struct ratelimit	 up;
	struct ratelimit	 down;
};

struct engine {
	uv_loop_t		 loop;
	uv_thread_t		 thread;
	int			 thread_started;
	uv_async_t		 wakeup;
	uv_timer_t		 tick;
	uv_timer_t		 snap_timer;
	uv_check_t		 flusher;
	uv_tcp_t		 listener;
	int			 listening;
	char			 listen_text[64];
	uint16_t		 listen_port;

	struct identity		 id;
	char			 node_text[64];
	char			 node_name[64];	/* The certificate's CN. */
	uint32_t		 next_share_id;
	struct tls_ctx		*tls;
	uint8_t			 peer_id[20];
	uint32_t		 next_serial;

	struct torrent		*torrents;
	struct torrent		*dead;		/* Removed: freed at the end. */
	struct peer		*pending;	/* Peers before their handshake. */
	struct peer		**dirty;	/* Peers with output to flush. */
	size_t			 ndirty;
	size_t			 capdirty;

	/* Front-end side: guarded by lock. */
	pthread_mutex_t		 lock;
	struct snapshot		*snap;
	uint64_t		 generation;
	int			 stop_requested;
	int			 wakeup_ready;	/* e->wakeup may be signalled. */
	int			 stopping;
	unsigned		 stopping_torrents;
	char			*fatal;
	int			 stopped;
	int			 notify_fd;	/* eventfd for the front end. */
	struct engine_cmd	*cmds;		/* Commands not yet taken. */
	size_t			 ncmds;
	size_t			 capcmds;

	/* Upload limit: blocks wait for tokens; a timer brings them back. */
	int			 want_lsd;
	struct lsd		*lsd;
	struct announcer_set	*announcers;
	char			**trackers;	/* --tracker: every share's. */
	size_t			 ntrackers;
	struct ratelimit	 up;
	struct ratelimit	 down;	/* Requests wait for these tokens. */
	uv_timer_t		 limit_timer;
	int			 limit_armed;
	uv_timer_t		 soon_timer;	/* PEX and dials after a change. */
	int			 soon_armed;
	int			 soon_ready;	/* soon_timer is initialised. */

	/* Locality (site.c): who counts as a local peer. */
	char			 site[WIRE_LTEP_SITE_MAX + 1];
	struct subnet		*subnets;
	size_t			 nsubnets;
	int			 lan_limits;	/* Limits apply to local peers. */
	/* One pair of buckets per remote site, made as sites appear. */
	struct engine_site	*sites;
	size_t			 nsites;
	uint64_t		 site_up;	/* Each remote site's limits. */
	uint64_t		 site_down;
	uint64_t		 peer_up;	/* Each peer's limits, bytes/s. */
	uint64_t		 peer_down;

	/* The weekly schedule switches the node's limits by itself. */
	struct schedule_window	*schedule;
	char			**schedule_text;
	int			 nschedule;
	int			 window;	/* In force: index, or -1. */
	uint64_t		 base_up;	/* Limits outside every window. */
	uint64_t		 base_down;
};

uint64_t	 engine_now(struct engine *);
struct torrent	*engine_find_torrent(struct engine *, const uint8_t *);
struct torrent	*engine_find_sni(struct engine *, const char *);
void		 engine_mark_dirty(struct engine *, struct peer *);
/* The swarm changed: run torrent_soon() on every torrent shortly. */
void		 engine_soon(struct engine *);
/* Serving waits for upload tokens: call every torrent back in ms. */
void		 engine_limit_wait(struct engine *, uint64_t);
/* Publish a snapshot now and wake the front end. */
void		 engine_notify(struct engine *);

#endif
