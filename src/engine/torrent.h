/*
 * One torrent on this node: its metainfo (or, for a receiver that knows
 * only a link, the hashes until the metadata arrives), its storage, its
 * peers, the pieces being fetched, and what it asks and answers on the
 * wire (BEP 3, 6, 9, 10, 52).
 */
#ifndef SHOAL_TORRENT_H
#define SHOAL_TORRENT_H

#ifndef SHOAL_ENGINE_INTERNAL
#error "only the engine includes torrent.h"
#endif

#include <stdint.h>

#include <openssl/x509.h>

#include "bitfield.h"
#include "metainfo.h"
#include "peer.h"
#include "storage.h"

struct engine;
struct creator;
struct checker;

enum torrent_state {
	TORRENT_MAKING,		/* send: hashing the folder. */
	TORRENT_METADATA,	/* receive: fetching the info dict. */
	TORRENT_LAYERS,		/* receive: fetching piece layers. */
	TORRENT_CHECKING,	/* Re-checking what is on disk. */
	TORRENT_RUNNING,
	TORRENT_COMPLETE,
	TORRENT_FAILED
};

/* A piece being received: blocks fill a buffer that is hashed when whole. */
struct dl_piece {
	uint32_t		 index;
	uint32_t		 size;
	uint8_t			*data;
	uint32_t		 nblocks;
	uint8_t			*state;		/* 0 want, 1 asked, 2 have. */
	uint32_t		*from;		/* Serial of the sender per block. */
	uint32_t		*asker;		/* Serial of the first asked. */
	uint64_t		*asked_ms;	/* When the first was asked. */
	uint32_t		 received;
	int			 writing;
	uint32_t		 only;		/* Serial of its one source, or 0. */
	struct dl_piece		*next;
};

struct torrent_addr {
	struct sockaddr_storage	 ss;
	char			 text[64];
	uint64_t		 next_try_ms;
	unsigned		 failures;
	int			 connected;
	int			 pinned;	/* Must be the link's node. */
	int			 local;		/* Found by LAN discovery. */
	int			 banned;
};

struct torrent {
	struct engine		*e;
	struct torrent		*next;
	char			*name;
	int			 named;		/* name is the share's, kept. */
	char			*path;		/* The folder. */
	int			 sending;
	int			 stay;
	int			 stopping;
	enum torrent_state	 state;
	char			*error;
	uint32_t		 id;		/* For front-end commands. */
	int			 paused;	/* No peers until resumed. */

	/* Identity of the torrent before and after metadata. */
	uint8_t			 ih2[32];
	uint8_t			 hash20[20];	/* Handshake and SNI hash. */
	char			 sni[41];
	int			 have_meta;
	struct metainfo		 m;
	char			*magnet;

	/* Who may connect (send) or whom we expect (receive). */
	int			 open;
	uint8_t			(*allow)[32];
	size_t			 nallow;
	X509			*ca;		/* Admit nodes it signed. */
	int			 pin;
	uint8_t			 pinned[32];
	int			 policy_known;	/* Receiver: the source said. */
	int			 pex_dirty;	/* Peers changed: tell the others. */
	uint64_t		 last_pex_ms;

	/* Metadata exchange (BEP 9). */
	uint8_t			*meta;
	uint32_t		 meta_size;
	uint8_t			*meta_state;	/* Per 16 KiB piece. */
	uint32_t		 meta_pieces;
	uint32_t		 meta_have;

	/* Piece layers wanted (BEP 52). */
	uint8_t			*layer_state;	/* Per file: 0 want, 1 asked. */
	uint8_t			**layer_fill;	/* Per file: layer being filled. */
	size_t			 layers_missing;

	struct creator		*creator;
	struct storage		*storage;
	struct dl_piece		*downloading;
	unsigned		 ndownloading;
	uint32_t		 next_pick;	/* Where the picker looks first. */

	struct peer		*peers;
	unsigned		 npeers;
	struct torrent_addr	*addrs;
	size_t			 naddrs;

	/* Peers banned for bad data: node IDs. */
	uint8_t			(*banned)[32];
	size_t			 nbanned;
	/* Pieces that failed with blocks from several peers. */
	struct bitfield		 single_source;
	uint32_t		*avail;		/* Peers that have each piece. */
	uint32_t		*served_to;	/* Source: first taker of each. */

	/* Locality (site.c). */
	uint32_t		*avail_local;	/* Local peers with each piece. */
	struct bitfield		 wan_mine;	/* Ours to fetch across the WAN. */
	int			 wan_dirty;	/* The local set changed. */
	size_t			 nwan_set;	/* Nodes sharing the WAN pieces. */
	unsigned		 nlocal;	/* Local peers attached. */
	uint64_t		 local_progress_ms; /* A local peer moved. */

	uint64_t		 downloaded;
	uint64_t		 uploaded;
	uint64_t		 wasted;
	unsigned		 ndups;		/* Endgame duplicates asked. */
	unsigned		 nwithdrawn;	/* WAN requests taken back. */
	uint64_t		 down_local;	/* Payload from local peers. */
	uint64_t		 down_remote;	/* From other sites. */
	uint64_t		 up_local;	/* Payload sent to local peers. */
	struct peer_rate	 down_rate;
	struct peer_rate	 up_rate;
	struct ratelimit	 up_limit;	/* The share's limits. */
	struct ratelimit	 down_limit;
	uint64_t		 last_save_ms;
	uint64_t		 last_choke_ms;
	uint64_t		 last_optimistic_ms;
	uint32_t		 optimistic;	/* Serial of the optimistic unchoke. */
	int			 rechoke_soon;	/* An unchoked peer left. */
	unsigned		 serve_turn;	/* Round-robin start for serving. */

	/*
	 * A public torrent (shoal get, shoal seed): plain BitTorrent with
	 * anyone, no admission. A hybrid also answers on its v1 hash.
	 */
	int			 public;
	int			 has_ih1;
	uint8_t			 ih1[20];
	char			*torrent_file;	/* get/seed: the .torrent. */
	struct checker		*checker;	/* seed: checking the folder. */
	void			(*stop_cb)(void *);	/* Once it is done. */
	uint64_t		 layers_ms;	/* When layers were asked. */
	void			*stop_arg;
};

struct torrent	*torrent_new_send(struct engine *, const char *, int,
		    const uint8_t (*)[32], size_t);
struct torrent	*torrent_new_receive(struct engine *, const char *,
		    const char *, int, char **);
/*
 * A public torrent from a .torrent file or a magnet link: seed (the folder
 * is checked first, then served) or get.
 */
struct torrent	*torrent_new_public(struct engine *, const char *,
		    const char *, const char *, int, int, char **);
void		 torrent_free(struct torrent *);
/* Start: hash (send), or look for resume data and dial peers (receive). */
void		 torrent_start(struct torrent *);
/* Close peers and storage; the callback runs when everything is closed. */
void		 torrent_stop(struct torrent *, void (*)(void *), void *);
/* 1 if the 20-byte hash names this torrent (v2 truncated, or v1). */
int		 torrent_matches(const struct torrent *, const uint8_t *);
/*
 * A public torrent's plain connection: 1 if it runs on the v1 hash. With
 * NULL, whether we dial on it; else whether the peer's handshake (hash and
 * reserved bits, if known) leaves it there, not upgraded to v2.
 */
int		 torrent_is_v1_hash(const struct torrent *, const uint8_t *,
		    const uint8_t *);
/* Server side: may this certificate's node join? */
int		 torrent_admit(struct torrent *, X509 *, char **);
int		 torrent_is_banned(const struct torrent *, const uint8_t *);

void		 torrent_peer_attach(struct torrent *, struct peer *);
void		 torrent_peer_ready(struct torrent *, struct peer *);
int		 torrent_peer_msg(struct torrent *, struct peer *,
		    const struct wire_msg *);
void		 torrent_peer_detach(struct torrent *, struct peer *);
void		 torrent_peer_drained(struct torrent *, struct peer *);
/* Ask every peer for more (the download limit allows again). */
void		 torrent_request_all(struct torrent *);
/* Serve queued requests of every peer (the upload limit allows again). */
void		 torrent_serve_all(struct torrent *);
void		 torrent_tick(struct torrent *, uint64_t);
/* Shortly after a change: PEX and dialling, ahead of the tick. */
void		 torrent_soon(struct torrent *, uint64_t);
void		 torrent_add_peer_addr(struct torrent *, const char *);
/* A peer found by local discovery (BEP 14). */
void		 torrent_add_local_addr(struct torrent *, const char *);
/* A peer a tracker named; 1 if it is new to us (and will be dialled). */
int		 torrent_add_tracker_addr(struct torrent *, const char *);
/* The set of peers changed: send PEX on the next tick. */
void		 torrent_pex_changed(struct torrent *);
/* Pause (close every peer, dial and admit none) or resume. */
void		 torrent_pause(struct torrent *, int);
/* Receiver: re-hash every file on disk; 0, or -1 with *cause. */
int		 torrent_recheck(struct torrent *, char **);

#endif
