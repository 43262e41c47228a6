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
	SNAP_ERROR
};

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
};

struct snap_share {
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
	double		 rate_down;
	double		 rate_up;
	uint32_t	 pieces;
	uint32_t	 pieces_have;
	unsigned	 npeers;
	struct snap_peer *peers;
};

struct snapshot {
	int		 refs;		/* Guarded by the engine's lock. */
	uint64_t	 generation;
	char		 node_id[64];
	char		 listen[64];	/* Where we listen ("" if not). */
	int		 stopped;	/* The engine has stopped. */
	char		*fatal;		/* Why it stopped, if it failed. */
	unsigned	 nshares;
	struct snap_share *shares;
};

void	snapshot_put(struct snapshot *);

#endif
