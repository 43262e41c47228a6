/*
 * The engine's door: everything a front end (the TUI, the headless
 * progress printer) may use. The engine runs a libuv loop on its own
 * thread; the front end reads immutable snapshots and sends commands, and
 * never touches engine structures.
 */
#ifndef SHOAL_ENGINE_H
#define SHOAL_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "snapshot.h"

struct engine;

struct engine_share {
	const char	 *name;		/* Display name (NULL: from the torrent). */
	const char	 *path;		/* The folder. */
	int		  sending;	/* 1: we are the source; 0: receive. */
	const char	 *link;		/* receive: the magnet link. */
	int		  open;		/* send: admit any node that knows the link. */
	const char	 *ca;		/* send: also admit nodes this CA signed. */
	const uint8_t	(*allow)[32];	/* Node IDs admitted. */
	size_t		  nallow;
	int		  stay;		/* receive: keep serving once complete. */
	uint64_t	  upload_limit;	/* Bytes/s for this share, 0: none. */
	uint64_t	  download_limit;
	/*
	 * shoal get and seed: a public torrent, plain BitTorrent with anyone.
	 * sending seeds the .torrent file named here; else it is fetched
	 * from it, or from link when this is NULL.
	 */
	int		  public;
	const char	 *torrent;
};

struct engine_config {
	const char		*state_dir;	/* Holds node.key, node.crt. */
	const char		*listen;	/* "ADDR:PORT"; NULL: don't listen. */
	const char	       **peers;		/* Extra peers "ADDR:PORT". */
	size_t			 npeers;
	struct engine_share	*shares;
	size_t			 nshares;
	uint64_t		 upload_limit;	/* Bytes/s, 0: none. */
	int			 lsd;		/* BEP 14 local discovery. */
	uint64_t		 download_limit;
	const char		*site;		/* This node's site, or NULL. */
	const char	       **local_subnets;	/* "10.1.0.0/16": local peers. */
	size_t			 nlocal_subnets;
	int			 lan_limits;	/* Limits apply to local peers. */
	uint64_t		 site_upload_limit;	/* Each other site. */
	uint64_t		 site_download_limit;
	uint64_t		 peer_upload_limit;	/* Each peer, 0: none. */
	uint64_t		 peer_download_limit;
	const char	       **schedule;	/* Limit windows (schedule.h). */
	size_t			 nschedule;
	const char	       **trackers;	/* Tracker URLs for every share. */
	size_t			 ntrackers;
};

/*
 * Commands from the front end. A share is named by the id its snapshot
 * carries (struct snap_share), which stays the same for the engine's life.
 */
enum engine_cmd_type {
	ENGINE_CMD_PAUSE,	/* Close the share's peers; dial and admit none. */
	ENGINE_CMD_RESUME,
	ENGINE_CMD_RECHECK,	/* Re-hash every file a receiver has on disk. */
	ENGINE_CMD_LIMITS,	/* Set the node's upload and download limits. */
	ENGINE_CMD_ADD,		/* Start a share (add, with id share). */
	ENGINE_CMD_REMOVE	/* Stop a share and take it out. */
};

struct engine_cmd {
	enum engine_cmd_type	 type;
	uint32_t		 share;		/* Its id (ADD: the new one's). */
	uint64_t		 upload_limit;	/* LIMITS: bytes/s, 0: none. */
	uint64_t		 download_limit;
	struct engine_share	*add;		/* ADD: engine_share_dup()'s. */
};

/* A deep copy of a share for ENGINE_CMD_ADD; the engine frees it. */
struct engine_share *engine_share_dup(const struct engine_share *);
void		 engine_share_free(struct engine_share *);

/* Load the identity and check the config; NULL and *cause on failure. */
struct engine	*engine_new(const struct engine_config *, char **);
/* Start the engine thread. */
int		 engine_start(struct engine *, char **);
/*
 * A descriptor that becomes readable when something happened that a front
 * end should see at once (a share completed or failed, the engine
 * stopped); read 8 bytes to clear it, then take a snapshot.
 */
int		 engine_notify_fd(struct engine *);
/* The newest snapshot, referenced; give it back with snapshot_put(). */
struct snapshot	*engine_snapshot(struct engine *);
/*
 * Queue a command (copied) for the engine thread; safe from any thread,
 * before or after engine_start(). Its effect shows in a later snapshot.
 */
void		 engine_submit(struct engine *, const struct engine_cmd *);
/* Ask the engine to stop; engine_wait() joins its thread. */
void		 engine_stop(struct engine *);
void		 engine_wait(struct engine *);
void		 engine_free(struct engine *);

#endif
