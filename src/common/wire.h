/*
 * The BitTorrent peer wire protocol as a pure codec: the handshake, the
 * length-prefixed messages of BEP 3, 5, 6, 10 and 52, the BEP 6
 * allowed-fast set, and the payloads of the LTEP extended handshake
 * (BEP 10), ut_metadata (BEP 9) and ut_pex (BEP 11). Nothing here reads or
 * writes a socket: the engine feeds received bytes to the parsers and sends
 * what the encoders append to a struct buf. All integers on the wire are
 * big-endian.
 */
#ifndef SHOAL_WIRE_H
#define SHOAL_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "buf.h"

/* The handshake: pstrlen, pstr, reserved[8], info_hash[20], peer_id[20]. */
#define WIRE_HANDSHAKE_LEN	68
#define WIRE_PSTR		"BitTorrent protocol"
#define WIRE_PSTRLEN		19

/* The largest block a piece message may carry, and we ever request. */
#define WIRE_BLOCK_MAX		16384

/*
 * The default bound on a message's length prefix (id and payload): 1 MiB
 * of payload, the limit libtorrent enforces, plus the id byte and the
 * largest fixed header (the 48 bytes of a BEP 52 hash message).
 */
#define WIRE_MAX_LEN		(1048576 + 1 + 48)

/* The fixed header of hash request, hashes and hash reject, after the id. */
#define WIRE_HASH_HEADER	48

/* BEP 52: the most hashes a hash request may ask for (libtorrent's bound). */
#define WIRE_HASH_MAX_COUNT	8192

enum wire_msg_type {
	WIRE_MSG_CHOKE = 0,
	WIRE_MSG_UNCHOKE = 1,
	WIRE_MSG_INTERESTED = 2,
	WIRE_MSG_NOT_INTERESTED = 3,
	WIRE_MSG_HAVE = 4,
	WIRE_MSG_BITFIELD = 5,
	WIRE_MSG_REQUEST = 6,
	WIRE_MSG_PIECE = 7,
	WIRE_MSG_CANCEL = 8,
	WIRE_MSG_PORT = 9,		/* BEP 5 */
	WIRE_MSG_SUGGEST = 13,		/* BEP 6 */
	WIRE_MSG_HAVE_ALL = 14,		/* BEP 6 */
	WIRE_MSG_HAVE_NONE = 15,	/* BEP 6 */
	WIRE_MSG_REJECT = 16,		/* BEP 6 */
	WIRE_MSG_ALLOWED_FAST = 17,	/* BEP 6 */
	WIRE_MSG_EXTENDED = 20,		/* BEP 10 */
	WIRE_MSG_HASH_REQUEST = 21,	/* BEP 52 */
	WIRE_MSG_HASHES = 22,		/* BEP 52 */
	WIRE_MSG_HASH_REJECT = 23,	/* BEP 52 */
	WIRE_MSG_KEEPALIVE = 256,	/* A zero length prefix: no id. */
	WIRE_MSG_UNKNOWN = 257		/* An id we do not know: skip it. */
};

/* Capabilities announced in the handshake's reserved bytes. */
enum wire_feature {
	WIRE_FEATURE_LTEP,	/* BEP 10: reserved[5] & 0x10 */
	WIRE_FEATURE_DHT,	/* BEP 5: reserved[7] & 0x01 */
	WIRE_FEATURE_FAST,	/* BEP 6: reserved[7] & 0x04 */
	WIRE_FEATURE_V2		/* BEP 52 upgrade: reserved[7] & 0x10 */
};

struct wire_handshake {
	uint8_t	reserved[8];
	uint8_t	info_hash[20];
	uint8_t	peer_id[20];
};

/* The 48 bytes that open every BEP 52 hash message. */
struct wire_hash_req {
	uint8_t		pieces_root[32];
	uint32_t	base_layer;
	uint32_t	index;
	uint32_t	length;
	uint32_t	proof_layers;
};

/*
 * One parsed message. The pointers point into the buffer given to
 * wire_parse() and are valid only as long as it is.
 */
struct wire_msg {
	enum wire_msg_type	 type;
	uint8_t			 id;	/* The id byte (not for keep-alive). */

	/* have, suggest, allowed fast: index; request, cancel, reject and
	 * piece: index and begin; request, cancel, reject: length. */
	uint32_t		 index;
	uint32_t		 begin;
	uint32_t		 length;
	uint16_t		 port;	/* port */
	uint8_t			 ext_id; /* extended */

	/* The piece block, bitfield bytes, extended payload (after the
	 * ext id), or an unknown message's payload (after the id). */
	const uint8_t		*data;
	size_t			 data_len;

	/* hash request, hashes, hash reject. */
	struct wire_hash_req	 hash;
	const uint8_t		*hashes;	/* hashes: 32 bytes each. */
	size_t			 nhashes;
};

void	wire_reserved_set(uint8_t [8], enum wire_feature);
int	wire_reserved_has(const uint8_t [8], enum wire_feature);

void	wire_put_handshake(struct buf *, const struct wire_handshake *);
ssize_t	wire_parse_handshake(const uint8_t *, size_t,
	    struct wire_handshake *, char **);

ssize_t	wire_parse(const uint8_t *, size_t, size_t, struct wire_msg *,
	    char **);
const char *wire_msg_name(enum wire_msg_type);

void	wire_put_keepalive(struct buf *);
void	wire_put_choke(struct buf *);
void	wire_put_unchoke(struct buf *);
void	wire_put_interested(struct buf *);
void	wire_put_not_interested(struct buf *);
void	wire_put_have(struct buf *, uint32_t);
void	wire_put_bitfield(struct buf *, const uint8_t *, size_t);
void	wire_put_request(struct buf *, uint32_t, uint32_t, uint32_t);
void	wire_put_piece_header(struct buf *, uint32_t, uint32_t, uint32_t);
void	wire_put_piece(struct buf *, uint32_t, uint32_t, const uint8_t *,
	    size_t);
void	wire_put_cancel(struct buf *, uint32_t, uint32_t, uint32_t);
void	wire_put_port(struct buf *, uint16_t);
void	wire_put_suggest(struct buf *, uint32_t);
void	wire_put_have_all(struct buf *);
void	wire_put_have_none(struct buf *);
void	wire_put_reject(struct buf *, uint32_t, uint32_t, uint32_t);
void	wire_put_allowed_fast(struct buf *, uint32_t);
void	wire_put_extended(struct buf *, uint8_t, const uint8_t *, size_t);
void	wire_put_hash_request(struct buf *, const struct wire_hash_req *);
void	wire_put_hashes(struct buf *, const struct wire_hash_req *,
	    const uint8_t *, size_t);
void	wire_put_hash_reject(struct buf *, const struct wire_hash_req *);

unsigned wire_allowed_fast(uint32_t, const uint8_t [20], uint32_t, unsigned,
	    uint32_t *);

/*
 * BEP 10 extended handshake. Our extension names, and the ids we assign
 * them in our own m (ids are per direction: a peer's ids are in its m).
 */
#define WIRE_EXT_UT_METADATA	"ut_metadata"
#define WIRE_EXT_UT_PEX		"ut_pex"
#define WIRE_EXT_SH_VERSION	"sh_version"

enum wire_ext_id {
	WIRE_EXT_ID_HANDSHAKE = 0,
	WIRE_EXT_ID_UT_METADATA = 1,
	WIRE_EXT_ID_UT_PEX = 2,
	WIRE_EXT_ID_SH_VERSION = 3
};

/* Extensions kept from one m: libtorrent sends 6, so 64 is plenty. */
#define WIRE_LTEP_MAX_EXT	64
/* Bytes in an extension name; longer names are ignored. */
#define WIRE_LTEP_NAME_MAX	64
/* Bytes of the client string v kept; longer strings are cut. */
#define WIRE_LTEP_CLIENT_MAX	64
/* Node IDs in sh_swarm; a longer list is cut. */
#define WIRE_LTEP_SWARM_MAX	1024
/* Bytes in a site name (sh_site); longer names are ignored. */
#define WIRE_LTEP_SITE_MAX	64

struct wire_ltep_ext {
	char	 name[WIRE_LTEP_NAME_MAX + 1];
	uint8_t	 id;		/* 0: the extension is disabled. */
};

struct wire_ltep {
	struct wire_ltep_ext	 m[WIRE_LTEP_MAX_EXT];
	size_t			 nm;
	uint16_t		 port;		/* p; 0 if absent. */
	char			 client[WIRE_LTEP_CLIENT_MAX + 1]; /* v */
	uint32_t		 reqq;		/* 0 if absent. */
	uint64_t		 metadata_size;	/* 0 if absent. */
	uint8_t			 yourip[16];
	size_t			 yourip_len;	/* 0 (absent), 4 or 16. */
	int			 upload_only;
	char			 site[WIRE_LTEP_SITE_MAX + 1]; /* sh_site */
	/*
	 * sh_open and sh_swarm: who belongs to the swarm, as the source of a
	 * share tells its receivers, so they can admit each other: anyone
	 * with the link (open), or these node IDs.
	 */
	int			 swarm_open;
	uint8_t			 swarm[WIRE_LTEP_SWARM_MAX][32];
	size_t			 nswarm;
};

void	wire_ltep_init(struct wire_ltep *);
int	wire_ltep_set(struct wire_ltep *, const char *, uint8_t);
uint8_t	wire_ltep_id(const struct wire_ltep *, const char *);
void	wire_ltep_merge(struct wire_ltep *, const struct wire_ltep *);
int	wire_ltep_encode(struct buf *, const struct wire_ltep *);
int	wire_ltep_decode(const uint8_t *, size_t, struct wire_ltep *,
	    char **);

/* BEP 9 ut_metadata. The info dict travels in pieces of 16 KiB. */
#define WIRE_METADATA_PIECE	16384
/* The largest info dict we fetch (PROTOCOL.md A5, libtorrent's bound). */
#define WIRE_METADATA_MAX	(30 * 1024 * 1024)

enum wire_metadata_type {
	WIRE_METADATA_REQUEST = 0,
	WIRE_METADATA_DATA = 1,
	WIRE_METADATA_REJECT = 2
};

struct wire_metadata {
	int64_t		 msg_type;	/* Unknown values are returned. */
	uint32_t	 piece;
	uint64_t	 total_size;	/* data only */
	size_t		 data_off;	/* data: where the raw bytes start. */
	const uint8_t	*data;		/* data: into the decoded payload. */
	size_t		 data_len;
};

void	wire_metadata_encode_request(struct buf *, uint32_t);
void	wire_metadata_encode_data(struct buf *, uint32_t, uint64_t,
	    const uint8_t *, size_t);
void	wire_metadata_encode_reject(struct buf *, uint32_t);
int	wire_metadata_decode(const uint8_t *, size_t, struct wire_metadata *,
	    char **);

/* BEP 11 ut_pex. Peers kept from one message, per list (added, dropped). */
#define WIRE_PEX_MAX		200

/* Flags in added.f and added6.f. */
#define WIRE_PEX_ENCRYPTION	0x01
#define WIRE_PEX_SEED		0x02
#define WIRE_PEX_UTP		0x04
#define WIRE_PEX_HOLEPUNCH	0x08
#define WIRE_PEX_REACHABLE	0x10

struct wire_pex_peer {
	uint8_t		 ip[16];
	uint8_t		 ip_len;	/* 4 or 16 */
	uint16_t	 port;
	uint8_t		 flags;		/* added only */
};

struct wire_pex {
	struct wire_pex_peer	 added[WIRE_PEX_MAX];
	size_t			 nadded;
	struct wire_pex_peer	 dropped[WIRE_PEX_MAX];
	size_t			 ndropped;
};

int	wire_pex_encode(struct buf *, const struct wire_pex *);
int	wire_pex_decode(const uint8_t *, size_t, struct wire_pex *, char **);

#endif
