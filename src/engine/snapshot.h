/*
 * Snapshots: what the engine shows the front end, as plain values only (no
 * pointers into the engine). A snapshot is immutable once published and
 * reference-counted; the UI holds one while it draws.
 */
#ifndef SHOAL_SNAPSHOT_H
#define SHOAL_SNAPSHOT_H

#include <stdint.h>

enum snap_state {
	SNAP_STARTING,		/* Hashing the folder or waiting for metadata. */
	SNAP_CHECKING,		/* Re-checking data on disk. */
	SNAP_SENDING,
	SNAP_RECEIVING,
	SNAP_COMPLETE,
	SNAP_ERROR,
	SNAP_PAUSED		/* Paused by the operator: no peers. */
};

/* Why a peer's transfer is slow, when the engine can tell. */
enum snap_slow {
	SNAP_SLOW_NONE,
	SNAP_SLOW_CHOKED,	/* We want its data; it chokes us. */
	SNAP_SLOW_LIMITED,	/* Our upload or download limit holds it back. */
	SNAP_SLOW_DISK,		/* Its requests wait on our disk reads. */
	SNAP_SLOW_HASHING,	/* We are re-hashing: nothing to ask yet. */
	SNAP_SLOW_WAN		/* It is at another site. */
};

/* A piece in snap_share.piece_map. */
#define SNAP_PIECE_MISSING	0
#define SNAP_PIECE_INFLIGHT	1
#define SNAP_PIECE_HAVE		2

struct snap_peer {
	char		 addr[64];
	char		 node[64];	/* Node ID (full text form). */
	char		 tls[128];	/* "TLSv1.3 TLS_AES_256_GCM_SHA384" */
	uint64_t	 have;		/* Bytes of the torrent the peer holds. */
	double		 rate_down;
	double		 rate_up;
	int		 choked;	/* It chokes us. */
	int		 choking;	/* We choke it. */
	int		 interested;	/* It wants our data. */
	int		 interesting;	/* We want its data. */
	int		 local;		/* Same site (PROTOCOL.md A3b). */
	char		 site[65];	/* The site it names, if any. */
	int		 outgoing;	/* We dialled it. */
	enum snap_slow	 slow;
};

struct snap_file {
	char		*path;		/* Relative to the share's folder. */
	uint64_t	 size;
	uint64_t	 have;		/* Bytes in verified pieces. */
};

struct snap_share {
	uint32_t	 id;		/* For engine_submit(); stable. */
	char		 name[256];
	char		*magnet;
	char		*error;
	enum snap_state	 state;
	int		 sending;
	uint64_t	 size;
	uint64_t	 have;		/* Verified bytes. */
	uint64_t	 downloaded;	/* Payload bytes received, in total. */
	uint64_t	 uploaded;
	uint64_t	 down_local;	/* Received from peers of our site. */
	uint64_t	 down_remote;	/* Received across the WAN. */
	uint64_t	 up_local;	/* Sent to peers of our site. */
	uint64_t	 wasted;	/* Received twice, or failed a hash. */
	double		 rate_down;
	double		 rate_up;
	uint32_t	 pieces;
	uint32_t	 pieces_have;
	unsigned	 npeers;
	struct snap_peer *peers;
	int		 paused;
	uint8_t		*piece_map;	/* SNAP_PIECE_*, one per piece. */
	uint8_t		*piece_avail;	/* Peers that hold each (255: more). */
	unsigned	 nfiles;
	struct snap_file *files;
};

struct snapshot {
	int		 refs;		/* Guarded by the engine's lock. */
	uint64_t	 generation;
	char		 node_id[64];
	char		 node_name[64];	/* Its certificate's common name. */
	char		 listen[64];	/* Where we listen ("" if not). */
	uint64_t	 upload_limit;	/* Bytes/s now, 0: none. */
	uint64_t	 download_limit;
	double		 rate_down;	/* Every share's, added up. */
	double		 rate_up;
	int		 stopped;	/* The engine has stopped. */
	char		*fatal;		/* Why it stopped, if it failed. */
	unsigned	 nshares;
	struct snap_share *shares;
};

void	snapshot_put(struct snapshot *);

#endif
