/*
 * One connection to a peer: TCP, TLS, the BitTorrent handshake and message
 * framing, and the write queue. What the messages mean is torrent.c's
 * business; this module only moves bytes and frames.
 */
#ifndef SHOAL_PEER_H
#define SHOAL_PEER_H

#ifndef SHOAL_ENGINE_INTERNAL
#error "only the engine includes peer.h"
#endif

#include <netinet/in.h>
#include <sys/socket.h>

#include <uv.h>

#include "bitfield.h"
#include "buf.h"
#include "ratelimit.h"
#include "tls.h"
#include "wire.h"

struct engine;
struct torrent;

/* Pieces a source remembers refusing to one peer (torrent_decline()). */
#define PEER_DECLINES	64

/* A block we asked for, or one the peer asked us for. */
struct peer_block {
	uint32_t	piece;
	uint32_t	begin;
	uint32_t	length;
	uint64_t	when_ms;
	int		cancelled;	/* We sent a cancel; a reply still comes. */
};

/* Bytes per second over a sliding few seconds. */
struct peer_rate {
	uint64_t	bytes[8];	/* Per half-second slot. */
	uint64_t	slot;		/* Current slot number. */
};

struct peer {
	struct engine		*e;
	struct torrent		*t;		/* NULL until the handshake. */
	struct peer		*prev, *next;	/* In t's list or the engine's. */
	uint32_t		 serial;
	int			 refs;		/* Async work that points here. */
	int			 attached;	/* In t's list (else e->pending). */
	int			 attached_once;
	double			 choke_score;	/* For torrent_rechoke(). */
	int			 closing;
	char			*close_reason;
	int			 local;		/* Same site (site.c). */
	size_t			 site_slot;	/* Its site's buckets + 1, or 0. */

	/* Transport. */
	uv_tcp_t		 tcp;
	uv_connect_t		 connect_req;
	int			 outgoing;
	int			 connected;	/* TCP is up. */
	char			 addr[64];	/* "1.2.3.4:5678" */
	struct sockaddr_storage	 ss;		/* The same, as a socket address. */
	struct tls		*tls;
	struct buf		 in;		/* Plaintext not yet parsed. */
	struct buf		 out;		/* Plaintext not yet encrypted. */
	struct buf		 net;		/* Ciphertext not yet written. */
	size_t			 write_queued;	/* Bytes inside uv_write. */
	int			 flush_pending;
	uint64_t		 created_ms;
	uint64_t		 last_recv_ms;
	uint64_t		 last_send_ms;

	/* Identity. */
	int			 pin;		/* Outgoing: require pinned_id. */
	uint8_t			 pinned_id[32];
	uint8_t			 node_id[32];
	char			 node_text[64];
	char			 node_short[8];

	/* BitTorrent state, kept by torrent.c. */
	int			 got_handshake;
	uint8_t			 peer_id[20];
	uint8_t			 reserved[8];
	int			 fast;
	int			 ltep;
	struct wire_ltep	 ext;
	int			 got_ext;
	int			 am_choking;
	int			 am_interested;
	int			 peer_choking;
	int			 peer_interested;
	struct bitfield		 have;
	/*
	 * Pieces declined: as a seed, those we refused it once because
	 * other peers hold them; as a receiver, those it refused us.
	 */
	struct bitfield		 declined;
	/* As the source: the pieces refused to it lately, and when. */
	struct peer_decline {
		uint32_t	 piece;
		uint64_t	 ms;		/* 0: an empty slot. */
	}			 declines[PEER_DECLINES];
	unsigned		 next_decline;
	int			 have_set;	/* Bitfield or have-all/none seen. */
	uint8_t			*early_bits;	/* A bitfield before the metadata. */
	size_t			 nearly_bits;
	struct peer_block	*asked;		/* Our requests in flight. */
	size_t			 nasked;
	size_t			 capasked;
	struct peer_block	*wants;		/* Its requests, oldest first. */
	size_t			 nwants;
	size_t			 capwants;
	unsigned		 reading;	/* Storage reads in flight. */
	unsigned		 meta_asked;	/* Metadata pieces in flight. */
	unsigned		 hash_asked;	/* Hash requests in flight. */
	int			 hash_refused;	/* It rejected a hash request. */
	struct wire_pex_peer	*pex_sent;	/* Addresses we told it of. */
	size_t			 npex_sent;
	unsigned		 hash_fails;	/* Pieces that failed their hash. */
	double			 latency_ms;	/* Request to block, averaged. */
	uint64_t		 down_bytes;
	uint64_t		 up_bytes;
	struct peer_rate	 down_rate;
	struct peer_rate	 up_rate;
	struct ratelimit	 up_limit;	/* This peer's own limits. */
	struct ratelimit	 down_limit;

	/* Public torrents (shoal get, shoal seed): plain BitTorrent. */
	int			 plain;		/* No TLS on this connection. */
	int			 v1;		/* On the v1 info-hash. */
};

/* Accept a connection from the listener (server side of TLS). */
struct peer	*peer_accept(struct engine *, uv_stream_t *);
/*
 * Connect to addr for torrent t (client side of TLS, SNI from t). If pin
 * is not NULL, the server must have that node ID.
 */
struct peer	*peer_connect(struct engine *, struct torrent *,
		    const struct sockaddr *, const uint8_t *);
/* Plaintext to send: append to peer->out, then peer_flush() (or wait). */
void		 peer_flush(struct peer *);
/* Queue a piece message carrying a block. */
void		 peer_send_block(struct peer *, uint32_t, uint32_t,
		    const uint8_t *, uint32_t);
/* Close with a reason (logged); the memory goes when refs drop to 0. */
void		 peer_close(struct peer *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
void		 peer_ref(struct peer *);
void		 peer_unref(struct peer *);
/* Once a second: timeouts and keep-alives. */
void		 peer_tick(struct peer *, uint64_t);
void		 peer_rate_add(struct peer_rate *, uint64_t, uint64_t);
double		 peer_rate_get(const struct peer_rate *, uint64_t);

#endif
