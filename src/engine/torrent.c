/*
 * A torrent's protocol logic. Everything here runs on the loop thread.
 *
 * A receiver that starts from a link knows only the v2 info-hash: it asks
 * a peer for the info dict (BEP 9) and checks it against the hash, then
 * asks for the piece layer of every file larger than a piece (BEP 52 hash
 * requests, checked against the file's pieces root), then re-checks what
 * is on disk, and only then asks for pieces. Every piece is hashed before
 * it is written; a peer whose pieces fail three times is banned.
 */
#define SHOAL_ENGINE_INTERNAL
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>

#include "checker.h"
#include "creator.h"
#include "engine-int.h"
#include "hex.h"
#include "log.h"
#include "magnet.h"
#include "merkle.h"
#include "nodeid.h"
#include "sha.h"
#include "site.h"
#include "torrent.h"
#include "xmalloc.h"

/* Requests we keep in flight to one peer: enough for a fast LAN. */
#define TORRENT_QUEUE_MIN	32
#define TORRENT_QUEUE_MAX	500
/* What we advertise as reqq, and the most requests we queue from a peer. */
#define TORRENT_REQQ		500
/* Storage reads in flight per peer, and bytes queued for writing. */
#define TORRENT_READS		8
#define TORRENT_WRITE_HIGH	(4U * 1024 * 1024)
/* Pieces that failed their hash before the sender is banned (A5). */
#define TORRENT_BAN_FAILS	3
/* Metadata pieces in flight per peer. */
#define TORRENT_META_INFLIGHT	16
/* Piece-layer hashes per request (BEP 52 says at most 512 should be asked). */
#define TORRENT_HASH_CHUNK	512
/* Save the resume state at most this often while receiving. */
#define TORRENT_SAVE_MS		2000
/* Memory for pieces being received, at most. */
#define TORRENT_INFLIGHT_BYTES	(256U * 1024 * 1024)
/* Peers unchoked for what they give, plus one optimistic slot. */
#define TORRENT_UNCHOKE_SLOTS	8
/* Re-choose them every 10 s; rotate the optimistic one every 30 s. */
#define TORRENT_CHOKE_MS	10000
#define TORRENT_OPTIMISTIC_MS	30000
/* Interested local peers unchoked beside the regular slots. */
#define TORRENT_LOCAL_SLOTS	32
/* A public hybrid with v1 peers alone waits this long for piece layers. */
#define TORRENT_LAYERS_V1_MS	5000
/* Duplicate requests one peer may get in the endgame. */
#define TORRENT_ENDGAME_DUPS	8
/* How long a source refuses a piece to a peer it refused it to. */
#define TORRENT_DECLINE_MS	2000
/* Pieces missing at the end when a declined piece is asked for again. */
#define TORRENT_LAST_PIECES	8
/* A block is asked twice only after this long (and twice its latency). */
#define TORRENT_ENDGAME_MIN_MS	250
/* Weight of a new sample in a peer's average block latency. */
#define TORRENT_LATENCY_WEIGHT	0.125
/* Addresses we keep (from links, options and peer exchange). */
#define TORRENT_MAX_ADDRS	200
/* Reconnect to a static peer after 1, 2, 4 ... up to 60 seconds. */
#define TORRENT_RETRY_MAX_MS	60000
/* A tracker's new peer may replace an address that failed this often. */
#define TORRENT_EVICT_FAILS	3
/* Peers of one torrent, both ways; more are closed after the handshake. */
#define TORRENT_MAX_PEERS	200
/* Outgoing connections (in progress or up) we keep at most. */
#define TORRENT_MAX_DIALS	50

static void	torrent_request_more(struct torrent *, struct peer *);
static void	torrent_serve(struct torrent *, struct peer *);
static void	torrent_fail(struct torrent *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static void	torrent_got_metadata(struct torrent *);
static void	torrent_ask_layers(struct torrent *);
static void	torrent_ask_layers_from(struct torrent *, struct peer *);
static int	torrent_dedup(struct torrent *, struct peer *);
static int	torrent_asked(const struct peer *, uint32_t, uint32_t);
static void	torrent_avail_add(struct torrent *, const struct peer *, int);
static void	torrent_pex_send(struct torrent *);
static int	torrent_declined(const struct torrent *, const struct peer *,
		    uint32_t);
static void	torrent_open_storage(struct torrent *);

static void
torrent_set_hashes(struct torrent *t)
{
	memcpy(t->hash20, t->ih2, 20);
	hex_encode(t->hash20, 20, t->sni);
}

struct torrent *
torrent_new_send(struct engine *e, const char *path, int open,
    const uint8_t (*allow)[32], size_t nallow)
{
	struct torrent	*t = xcalloc(1, sizeof *t);
	const char	*base;

	t->e = e;
	t->path = xstrdup(path);
	base = strrchr(path, '/');
	t->name = xstrdup(base != NULL && base[1] != '\0' ? base + 1 : path);
	t->sending = 1;
	t->state = TORRENT_MAKING;
	t->open = open;
	if (nallow > 0) {
		t->allow = xreallocarray(NULL, nallow, 32);
		memcpy(t->allow, allow, nallow * 32);
		t->nallow = nallow;
	}
	metainfo_init(&t->m);
	return (t);
}

struct torrent *
torrent_new_receive(struct engine *e, const char *link, const char *path,
    int stay, char **cause)
{
	struct torrent	*t;
	struct magnet	 mg;
	size_t		 i;
	char		*why = NULL, addr[300];

	magnet_init(&mg);
	if (magnet_parse(&mg, link, &why) != 0) {
		xasprintf(cause, "bad link: %s", why);
		free(why);
		magnet_destroy(&mg);
		return (NULL);
	}
	if (!mg.has_v2) {
		xasprintf(cause, "the link has no v2 info-hash (urn:btmh); "
		    "shoal shares are BitTorrent v2");
		magnet_destroy(&mg);
		return (NULL);
	}
	t = xcalloc(1, sizeof *t);
	t->e = e;
	t->path = xstrdup(path);
	t->name = xstrdup(mg.name != NULL ? mg.name : "?");
	t->stay = stay;
	t->state = TORRENT_METADATA;
	memcpy(t->ih2, mg.v2, 32);
	torrent_set_hashes(t);
	metainfo_init(&t->m);
	if (mg.node != NULL) {
		if (nodeid_parse(mg.node, t->pinned, &why) != 0) {
			xasprintf(cause, "bad node ID in the link: %s", why);
			free(why);
			magnet_destroy(&mg);
			torrent_free(t);
			return (NULL);
		}
		t->pin = 1;
	}
	for (i = 0; i < mg.npeers; i++) {
		if (strchr(mg.peers[i].host, ':') != NULL)
			snprintf(addr, sizeof addr, "[%s]:%u", mg.peers[i].host,
			    mg.peers[i].port);
		else
			snprintf(addr, sizeof addr, "%s:%u", mg.peers[i].host,
			    mg.peers[i].port);
		torrent_add_peer_addr(t, addr);
		/* The link's own peers must be the node it names. */
		if (t->naddrs > 0)
			t->addrs[t->naddrs - 1].pinned = t->pin;
	}
	magnet_destroy(&mg);
	return (t);
}

/* Do we know the v2 info-hash (a public torrent's link may have v1 only)? */
static int
torrent_knows_v2(const struct torrent *t)
{
	static const uint8_t	zero[32];

	return (memcmp(t->ih2, zero, 32) != 0);
}

/* A public torrent's handshake hash: truncated v2, or v1 without v2. */
static void
torrent_set_public_hashes(struct torrent *t)
{
	if (torrent_knows_v2(t))
		memcpy(t->hash20, t->ih2, 20);
	else
		memcpy(t->hash20, t->ih1, 20);
	hex_encode(t->hash20, 20, t->sni);
}

struct torrent *
torrent_new_public(struct engine *e, const char *file, const char *link,
    const char *path, int seeding, int stay, char **cause)
{
	struct torrent	*t;
	struct magnet	 mg;
	size_t		 i;
	char		*why = NULL, addr[300];

	t = xcalloc(1, sizeof *t);
	t->e = e;
	t->path = xstrdup(path);
	t->public = 1;
	t->sending = seeding;
	t->stay = stay;
	t->state = TORRENT_METADATA;
	metainfo_init(&t->m);
	if (file != NULL) {
		if (metainfo_load(&t->m, file, cause) != 0) {
			torrent_free(t);
			return (NULL);
		}
		if (t->m.ssl_cert != NULL) {
			xasprintf(cause, "%s is an SSL torrent, which shoal "
			    "does not serve over plain BitTorrent", file);
			torrent_free(t);
			return (NULL);
		}
		t->torrent_file = xstrdup(file);
		t->name = xstrdup(t->m.name);
		if (t->m.versions & MI_V2)
			memcpy(t->ih2, t->m.ih2, 32);
		if (t->m.versions & MI_V1) {
			t->has_ih1 = 1;
			memcpy(t->ih1, t->m.ih1, 20);
		}
		torrent_set_public_hashes(t);
		return (t);
	}
	magnet_init(&mg);
	if (magnet_parse(&mg, link, &why) != 0) {
		xasprintf(cause, "bad link: %s", why);
		free(why);
		magnet_destroy(&mg);
		torrent_free(t);
		return (NULL);
	}
	t->name = xstrdup(mg.name != NULL ? mg.name : "?");
	if (mg.has_v2)
		memcpy(t->ih2, mg.v2, 32);
	if (mg.has_v1) {
		t->has_ih1 = 1;
		memcpy(t->ih1, mg.v1, 20);
	}
	torrent_set_public_hashes(t);
	for (i = 0; i < mg.npeers; i++) {
		if (strchr(mg.peers[i].host, ':') != NULL)
			snprintf(addr, sizeof addr, "[%s]:%u", mg.peers[i].host,
			    mg.peers[i].port);
		else
			snprintf(addr, sizeof addr, "%s:%u", mg.peers[i].host,
			    mg.peers[i].port);
		torrent_add_peer_addr(t, addr);
	}
	magnet_destroy(&mg);
	return (t);
}

static void
torrent_free_pieces(struct torrent *t)
{
	struct dl_piece	*dp;

	while ((dp = t->downloading) != NULL) {
		t->downloading = dp->next;
		free(dp->data);
		free(dp->state);
		free(dp->from);
		free(dp->asker);
		free(dp->asked_ms);
		free(dp);
	}
	t->ndownloading = 0;
}

void
torrent_free(struct torrent *t)
{
	size_t	i;

	if (t == NULL)
		return;
	torrent_free_pieces(t);
	creator_free(t->creator);
	checker_free(t->checker);
	free(t->torrent_file);
	metainfo_free(&t->m);
	free(t->meta);
	free(t->meta_state);
	free(t->layer_state);
	for (i = 0; t->layer_fill != NULL && i < t->m.nfiles; i++)
		free(t->layer_fill[i]);
	free(t->layer_fill);
	free(t->allow);
	bitfield_destroy(&t->single_source);
	free(t->avail);
	free(t->served_to);
	site_torrent_free(t);
	X509_free(t->ca);
	free(t->banned);
	free(t->addrs);
	free(t->magnet);
	free(t->error);
	free(t->name);
	free(t->path);
	free(t);
}

static void
torrent_fail(struct torrent *t, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	if (t->error == NULL) {
		/* The front end shows it; the log keeps it at info level. */
		log_info("%s: failed: %s", t->name, msg);
		t->error = msg;
	} else
		free(msg);
	t->state = TORRENT_FAILED;
	engine_notify(t->e);
}

int
torrent_matches(const struct torrent *t, const uint8_t *hash20)
{
	if (memcmp(t->hash20, hash20, 20) == 0)
		return (1);
	if (t->has_ih1 && memcmp(t->ih1, hash20, 20) == 0)
		return (1);
	return (t->have_meta && (t->m.versions & MI_V1) &&
	    memcmp(t->m.ih1, hash20, 20) == 0);
}

int
torrent_is_v1_hash(const struct torrent *t, const uint8_t *hash20,
    const uint8_t *reserved)
{
	if (!t->has_ih1)
		return (0);
	if (hash20 == NULL)
		return (1);
	if (memcmp(t->ih1, hash20, 20) != 0)
		return (0);
	/* A v2 client says so on the v1 hash: answer on v2 (BEP 52). */
	if (reserved != NULL && torrent_knows_v2(t) &&
	    wire_reserved_has(reserved, WIRE_FEATURE_V2))
		return (0);
	return (1);
}

int
torrent_admit(struct torrent *t, X509 *cert, char **reason)
{
	uint8_t	id[32];
	char	text[NODEID_TEXT_SIZE];
	size_t	i;

	if (identity_nodeid(cert, id) != 0) {
		xasprintf(reason, "the peer's certificate has no usable key");
		return (-1);
	}
	nodeid_to_text(id, text);
	for (i = 0; i < t->nbanned; i++) {
		if (memcmp(t->banned[i], id, 32) == 0) {
			xasprintf(reason, "node %s is banned from share %s "
			    "for sending bad data", text, t->name);
			log_warn("%s", *reason);
			return (-1);
		}
	}
	if (t->open)
		return (0);
	/* A receiver's own source, before it has named the swarm. */
	if (!t->sending && t->pin && memcmp(id, t->pinned, 32) == 0)
		return (0);
	for (i = 0; i < t->nallow; i++) {
		if (memcmp(t->allow[i], id, 32) == 0)
			return (0);
	}
	if (t->ca != NULL) {
		char	*why = NULL;

		if (identity_verify_chain(cert, t->ca, &why) == 0) {
			free(why);
			return (0);
		}
		xasprintf(reason, "node %s is not allowed for share %s (%s)",
		    text, t->name, why);
		free(why);
		log_warn("%s", *reason);
		return (-1);
	}
	xasprintf(reason, "node %s is not allowed for share %s", text,
	    t->name);
	log_warn("%s", *reason);
	return (-1);
}

/* Peers. */

void
torrent_peer_attach(struct torrent *t, struct peer *p)
{
	struct wire_handshake	hs;

	if (t->stopping) {
		peer_close(p, "the share was removed");
		return;
	}
	if (!p->attached) {
		/* Leave the engine's pending list for ours. */
		if (p->prev != NULL)
			p->prev->next = p->next;
		else if (t->e->pending == p)
			t->e->pending = p->next;
		if (p->next != NULL)
			p->next->prev = p->prev;
		p->prev = NULL;
		p->next = t->peers;
		if (t->peers != NULL)
			t->peers->prev = p;
		t->peers = p;
		t->npeers++;
		p->attached = 1;
		p->attached_once = 1;
		p->t = t;
		ratelimit_init(&p->up_limit, t->e->peer_up, engine_now(t->e));
		ratelimit_init(&p->down_limit, t->e->peer_down,
		    engine_now(t->e));
	}
	memset(&hs, 0, sizeof hs);
	wire_reserved_set(hs.reserved, WIRE_FEATURE_LTEP);
	wire_reserved_set(hs.reserved, WIRE_FEATURE_FAST);
	memcpy(hs.info_hash, t->hash20, 20);
	if (p->plain && p->v1) {
		memcpy(hs.info_hash, t->ih1, 20);
		/* We could run on v2 instead, if the peer can (BEP 52). */
		if (torrent_knows_v2(t))
			wire_reserved_set(hs.reserved, WIRE_FEATURE_V2);
	}
	memcpy(hs.peer_id, t->e->peer_id, 20);
	wire_put_handshake(&p->out, &hs);
	engine_mark_dirty(t->e, p);
}

static void
torrent_send_have_state(struct torrent *t, struct peer *p)
{
	const struct bitfield	*have;

	if (!t->have_meta || t->storage == NULL ||
	    t->state == TORRENT_CHECKING) {
		if (p->fast)
			wire_put_have_none(&p->out);
		return;
	}
	have = storage_have(t->storage);
	if (p->fast && have->count == have->n)
		wire_put_have_all(&p->out);
	else if (p->fast && have->count == 0)
		wire_put_have_none(&p->out);
	else
		wire_put_bitfield(&p->out, have->bits, bitfield_bytes(have));
}

void
torrent_peer_ready(struct torrent *t, struct peer *p)
{
	struct wire_ltep	ext;
	struct buf		payload;
	char			client[64];

	if (torrent_dedup(t, p) != 0)
		return;
	if (t->npeers > TORRENT_MAX_PEERS) {
		peer_close(p, "the share has %u peers already", t->npeers - 1);
		return;
	}
	p->fast = wire_reserved_has(p->reserved, WIRE_FEATURE_FAST);
	p->ltep = wire_reserved_has(p->reserved, WIRE_FEATURE_LTEP);
	if (!p->ltep) {
		peer_close(p, "the peer does not speak the extension "
		    "protocol (BEP 10)");
		return;
	}
	/* The metadata may have come since it attached: sized then. */
	if (t->have_meta && p->have.n != t->m.npieces) {
		bitfield_destroy(&p->have);
		bitfield_init(&p->have, t->m.npieces);
	}
	wire_ltep_init(&ext);
	wire_ltep_set(&ext, WIRE_EXT_UT_METADATA, WIRE_EXT_ID_UT_METADATA);
	snprintf(client, sizeof client, "shoal %s", PACKAGE_VERSION);
	snprintf(ext.client, sizeof ext.client, "%s", client);
	ext.reqq = TORRENT_REQQ;
	wire_ltep_set(&ext, WIRE_EXT_UT_PEX, WIRE_EXT_ID_UT_PEX);
	ext.port = t->e->listen_port;
	snprintf(ext.site, sizeof ext.site, "%s", t->e->site);
	if (t->have_meta)
		ext.metadata_size = t->m.info_len;
	/*
	 * The source says who belongs to the swarm (A4: its allow list); a
	 * public torrent's swarm is anyone's.
	 */
	if (t->sending && !t->public) {
		ext.swarm_open = t->open;
		ext.nswarm = t->nallow > WIRE_LTEP_SWARM_MAX ?
		    WIRE_LTEP_SWARM_MAX : t->nallow;
		memcpy(ext.swarm, t->allow, ext.nswarm * 32);
	}
	if (t->sending || (t->storage != NULL &&
	    storage_complete(t->storage)))
		ext.upload_only = 1;
	buf_init(&payload);
	wire_ltep_encode(&payload, &ext);
	wire_put_extended(&p->out, WIRE_EXT_ID_HANDSHAKE, payload.data,
	    payload.len);
	buf_destroy(&payload);
	torrent_send_have_state(t, p);
	site_peer_update(t, p);
	if (t->state == TORRENT_LAYERS)
		torrent_ask_layers_from(t, p);
	if (p->plain)
		log_info("%s: peer %s connected (plain BitTorrent, %s "
		    "info-hash)", t->name, p->addr, p->v1 ? "v1" : "v2");
	else
		log_info("%s: peer %s node %s connected (%s %s)", t->name,
		    p->addr, p->node_short, tls_version(p->tls),
		    tls_cipher(p->tls));
	engine_mark_dirty(t->e, p);
}

/* Is a peer other than p still asked for this block? */
static int
torrent_asked_elsewhere(const struct torrent *t, const struct peer *p,
    uint32_t piece, uint32_t begin)
{
	const struct peer	*q;

	for (q = t->peers; q != NULL; q = q->next) {
		if (q != p && !q->closing && torrent_asked(q, piece, begin))
			return (1);
	}
	return (0);
}

/* Release the blocks a peer was asked for, so others can fetch them. */
static void
torrent_release_asked(struct torrent *t, struct peer *p)
{
	struct dl_piece	*dp;
	size_t		 i;

	for (dp = t->downloading; dp != NULL; dp = dp->next) {
		if (dp->only == p->serial)
			dp->only = 0;
	}

	for (i = 0; i < p->nasked; i++) {
		for (dp = t->downloading; dp != NULL; dp = dp->next) {
			uint32_t b;

			if (dp->index != p->asked[i].piece)
				continue;
			b = p->asked[i].begin / MERKLE_BLOCK;
			if (b < dp->nblocks && dp->state[b] == 1 &&
			    !torrent_asked_elsewhere(t, p, dp->index,
			    p->asked[i].begin))
				dp->state[b] = 0;
		}
	}
	p->nasked = 0;
}

void
torrent_peer_detach(struct torrent *t, struct peer *p)
{
	size_t	i;

	if (p->attached) {
		if (p->prev != NULL)
			p->prev->next = p->next;
		else if (t->peers == p)
			t->peers = p->next;
		if (p->next != NULL)
			p->next->prev = p->prev;
		p->prev = p->next = NULL;
		t->npeers--;
		p->attached = 0;
	}
	torrent_release_asked(t, p);
	torrent_pex_changed(t);
	if (!t->stopping && p->attached_once && !p->am_choking)
		t->rechoke_soon = 1;
	if (p->got_handshake)
		torrent_avail_add(t, p, -1);
	site_peer_gone(t, p);
	/* Pieces on their way to it are on their way to nobody now. */
	if (t->served_to != NULL) {
		for (i = 0; i < t->m.npieces; i++) {
			if (t->served_to[i] == p->serial)
				t->served_to[i] = 0;
		}
	}
	if (t->meta_state != NULL && p->meta_asked > 0) {
		for (i = 0; i < t->meta_pieces; i++) {
			if (t->meta_state[i] == 1)
				t->meta_state[i] = 0;
		}
	}
	if (t->layer_state != NULL && p->hash_asked > 0) {
		for (i = 0; i < t->m.nfiles; i++) {
			if (t->layer_state[i] == 1)
				t->layer_state[i] = 0;
		}
	}
	for (i = 0; i < t->naddrs; i++) {
		if (strcmp(t->addrs[i].text, p->addr) == 0 && p->outgoing) {
			t->addrs[i].connected = 0;
			if (!p->got_handshake)
				t->addrs[i].failures++;
			else
				t->addrs[i].failures = 0;
			t->addrs[i].next_try_ms = engine_now(t->e) +
			    (t->addrs[i].failures == 0 ? 1000 :
			    ((uint64_t)1000 << (t->addrs[i].failures > 6 ? 6 :
			    t->addrs[i].failures)));
			if (t->addrs[i].next_try_ms - engine_now(t->e) >
			    TORRENT_RETRY_MAX_MS)
				t->addrs[i].next_try_ms = engine_now(t->e) +
				    TORRENT_RETRY_MAX_MS;
		}
	}
	/* A receiver refused by its only source has nothing to wait for. */
	if (!t->sending && p->outgoing && p->pin && !p->got_handshake &&
	    p->close_reason != NULL && strstr(p->close_reason,
	    "not allowed") != NULL && t->error == NULL)
		torrent_fail(t, "%s", p->close_reason);
	if (!t->sending && p->outgoing && p->pin && p->close_reason != NULL &&
	    strstr(p->close_reason, "not the node") != NULL &&
	    t->error == NULL)
		torrent_fail(t, "%s", p->close_reason);
}

/* Availability: how many peers have each piece (rarest first). */
static void
torrent_avail_add(struct torrent *t, const struct peer *p, int delta)
{
	uint32_t	i;

	if (t->avail == NULL || p->have.n != t->m.npieces)
		return;
	site_avail_add(t, p, delta);
	for (i = 0; i < t->m.npieces; i++) {
		if (bitfield_get(&p->have, i)) {
			if (delta > 0)
				t->avail[i]++;
			else if (t->avail[i] > 0)
				t->avail[i]--;
		}
	}
}

/* Interest: do they have a piece we lack? */
static void
torrent_update_interest(struct torrent *t, struct peer *p)
{
	const struct bitfield	*have;
	int			 want = 0;
	uint32_t		 i;

	if (t->storage == NULL || t->state != TORRENT_RUNNING ||
	    !p->have_set || t->sending)
		want = 0;
	else {
		have = storage_have(t->storage);
		for (i = 0; i < t->m.npieces && !want; i++) {
			if (bitfield_get(&p->have, i) && !bitfield_get(have, i))
				want = 1;
		}
	}
	if (want != p->am_interested) {
		p->am_interested = want;
		if (want)
			wire_put_interested(&p->out);
		else
			wire_put_not_interested(&p->out);
		engine_mark_dirty(t->e, p);
	}
}

/* Downloading. */

static struct dl_piece *
torrent_find_dl(struct torrent *t, uint32_t index)
{
	struct dl_piece	*dp;

	for (dp = t->downloading; dp != NULL; dp = dp->next) {
		if (dp->index == index)
			return (dp);
	}
	return (NULL);
}

static void
torrent_drop_dl(struct torrent *t, struct dl_piece *dp)
{
	struct dl_piece	**pp;

	for (pp = &t->downloading; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == dp) {
			*pp = dp->next;
			break;
		}
	}
	t->ndownloading--;
	free(dp->data);
	free(dp->state);
	free(dp->from);
	free(dp->asker);
	free(dp->asked_ms);
	free(dp);
}

static struct dl_piece *
torrent_new_dl(struct torrent *t, uint32_t index)
{
	struct dl_piece	*dp = xcalloc(1, sizeof *dp);

	dp->index = index;
	dp->size = storage_piece_data_size(&t->m, index);
	dp->nblocks = (dp->size + MERKLE_BLOCK - 1) / MERKLE_BLOCK;
	dp->data = storage_piece_buffer(dp->size);
	dp->state = xcalloc(dp->nblocks + 1, 1);
	dp->from = xcalloc(dp->nblocks + 1, sizeof *dp->from);
	dp->asker = xcalloc(dp->nblocks + 1, sizeof *dp->asker);
	dp->asked_ms = xcalloc(dp->nblocks + 1, sizeof *dp->asked_ms);
	dp->next = t->downloading;
	t->downloading = dp;
	t->ndownloading++;
	return (dp);
}

/* Requests to keep in flight: about two seconds of this peer's rate. */
static size_t
torrent_queue_depth(struct torrent *t, struct peer *p)
{
	double	rate = peer_rate_get(&p->down_rate, engine_now(t->e));
	size_t	depth = (size_t)(rate * 2.0 / MERKLE_BLOCK);
	size_t	reqq = p->ext.reqq != 0 ? p->ext.reqq : 250;

	if (depth < TORRENT_QUEUE_MIN)
		depth = TORRENT_QUEUE_MIN;
	if (depth > TORRENT_QUEUE_MAX)
		depth = TORRENT_QUEUE_MAX;
	if (depth > reqq)
		depth = reqq;
	return (depth);
}

/*
 * The buckets a transfer with p passes through, up (1) or down (0): the
 * node's (unless p is local and the node leaves its LAN unlimited), its
 * site's (another site, when sites are limited), the share's and the
 * peer's. Unlimited buckets pass everything. Returns how
 * many it put in v.
 */
static size_t
torrent_buckets(struct torrent *t, struct peer *p, int up,
    struct ratelimit **v)
{
	struct engine_site	*s;
	size_t			 n = 0;

	if (!p->local || t->e->lan_limits)
		v[n++] = up ? &t->e->up : &t->e->down;
	if (p->site_slot != 0) {
		s = &t->e->sites[p->site_slot - 1];
		v[n++] = up ? &s->up : &s->down;
	}
	v[n++] = up ? &t->up_limit : &t->down_limit;
	v[n++] = up ? &p->up_limit : &p->down_limit;
	return (n);
}

/*
 * The download limits: requests go out only while their buckets have
 * tokens (each takes its block's size), so what peers send us follows
 * the rate. Returns 0 if p may ask for len bytes now; else the limit
 * timer will call every torrent back.
 */
static int
torrent_may_ask(struct torrent *t, struct peer *p, uint32_t len)
{
	struct ratelimit	*v[4];
	uint64_t		 now = engine_now(t->e);
	size_t			 n = torrent_buckets(t, p, 0, v), i;

	if (ratelimit_min_available(v, n, now) == 0) {
		engine_limit_wait(t->e, ratelimit_max_wait_ms(v, n, len, now));
		return (-1);
	}
	for (i = 0; i < n; i++)
		ratelimit_consume(v[i], len, now);
	return (0);
}

/* No download tokens now for p: arm the limit timer and say so. */
static int
torrent_limited(struct torrent *t, struct peer *p)
{
	struct ratelimit	*v[4];
	uint64_t		 now = engine_now(t->e);
	size_t			 n = torrent_buckets(t, p, 0, v);

	if (ratelimit_min_available(v, n, now) > 0)
		return (0);
	engine_limit_wait(t->e, ratelimit_max_wait_ms(v, n, MERKLE_BLOCK,
	    now));
	return (1);
}

static void
torrent_ask(struct torrent *t, struct peer *p, struct dl_piece *dp,
    uint32_t b)
{
	uint32_t	begin = b * MERKLE_BLOCK;
	uint32_t	len = dp->size - begin < MERKLE_BLOCK ?
			    dp->size - begin : MERKLE_BLOCK;

	if (p->nasked == p->capasked) {
		p->capasked = p->capasked == 0 ? 64 : p->capasked * 2;
		p->asked = xreallocarray(p->asked, p->capasked,
		    sizeof *p->asked);
	}
	p->asked[p->nasked].piece = dp->index;
	p->asked[p->nasked].begin = begin;
	p->asked[p->nasked].length = len;
	p->asked[p->nasked].when_ms = engine_now(t->e);
	p->asked[p->nasked].cancelled = 0;
	p->nasked++;
	dp->state[b] = 1;
	dp->asker[b] = p->serial;
	dp->asked_ms[b] = engine_now(t->e);
	wire_put_request(&p->out, dp->index, begin, len);
}

/*
 * The next piece to start fetching from p: one it has and we lack, not
 * being fetched, held by the fewest peers (rarest first spreads pieces
 * through a swarm fastest); among equals, one at random, so receivers
 * that start together do not all chase the same pieces.
 */
static uint32_t
torrent_pick(struct torrent *t, struct peer *p, const struct bitfield *have)
{
	uint32_t	i, best = UINT32_MAX, min = UINT32_MAX, ties = 0;
	uint32_t	start = t->m.npieces == 0 ? 0 :
			    (uint32_t)random() % t->m.npieces;

	for (i = 0; i < t->m.npieces; i++) {
		uint32_t idx = (start + i) % t->m.npieces;
		uint32_t a = t->avail != NULL ? t->avail[idx] : 0;

		if (bitfield_get(have, idx) || !bitfield_get(&p->have, idx) ||
		    a > min || torrent_find_dl(t, idx) != NULL ||
		    (!p->local && !site_wan_ok(t, idx)) ||
		    torrent_declined(t, p, idx))
			continue;
		if (a < min) {
			min = a;
			best = idx;
			ties = 1;
		} else if ((uint32_t)random() % ++ties == 0)
			best = idx;
	}
	return (best);
}

/* Has p been asked for this block (and not cancelled it)? */
static int
torrent_asked(const struct peer *p, uint32_t piece, uint32_t begin)
{
	size_t	i;

	for (i = 0; i < p->nasked; i++) {
		if (p->asked[i].piece == piece && p->asked[i].begin == begin &&
		    !p->asked[i].cancelled)
			return (1);
	}
	return (0);
}

/*
 * Endgame: nothing new to start from p, so ask it too for blocks still in
 * flight from others; the first copy to arrive wins and the others are
 * cancelled. At most a few duplicates per peer, so a slow peer cannot
 * stall the last pieces and no peer is flooded.
 */
/*
 * Is a block asked of the peer with this serial overdue: older than twice
 * the time that peer's blocks take to come? Only those are asked of a
 * second peer: duplicating blocks that are merely in flight wastes the
 * bytes of whichever copy loses (about a tenth of a fast swarm's traffic).
 */
static int
torrent_overdue(struct torrent *t, uint32_t serial, uint64_t asked_ms)
{
	struct peer	*q;
	uint64_t	 now = engine_now(t->e);
	double		 wait;

	for (q = t->peers; q != NULL; q = q->next) {
		if (q->serial == serial)
			break;
	}
	if (q == NULL || q->closing)
		return (1);
	wait = 2.0 * q->latency_ms;
	if (wait < TORRENT_ENDGAME_MIN_MS)
		wait = TORRENT_ENDGAME_MIN_MS;
	return ((double)(now - asked_ms) > wait);
}

static void
torrent_endgame(struct torrent *t, struct peer *p, size_t depth)
{
	struct dl_piece	*dp;
	uint32_t	 b, begin, len;
	size_t		 limit = p->nasked + TORRENT_ENDGAME_DUPS;

	if (limit > depth)
		limit = depth;
	for (dp = t->downloading; dp != NULL && p->nasked < limit;
	    dp = dp->next) {
		if (dp->writing || !bitfield_get(&p->have, dp->index) ||
		    (dp->only != 0 && dp->only != p->serial) ||
		    (!p->local && !site_wan_ok(t, dp->index)))
			continue;
		for (b = 0; b < dp->nblocks && p->nasked < limit; b++) {
			begin = b * MERKLE_BLOCK;
			/* The asker check first: it spares the list scan. */
			if (dp->state[b] != 1 || dp->asker[b] == p->serial ||
			    !torrent_overdue(t, dp->asker[b],
			    dp->asked_ms[b]) ||
			    torrent_asked(p, dp->index, begin))
				continue;
			if (torrent_may_ask(t, p, MERKLE_BLOCK) != 0)
				return;
			len = dp->size - begin < MERKLE_BLOCK ?
			    dp->size - begin : MERKLE_BLOCK;
			if (p->nasked == p->capasked) {
				p->capasked = p->capasked == 0 ? 64 :
				    p->capasked * 2;
				p->asked = xreallocarray(p->asked,
				    p->capasked, sizeof *p->asked);
			}
			p->asked[p->nasked].piece = dp->index;
			p->asked[p->nasked].begin = begin;
			p->asked[p->nasked].length = len;
			p->asked[p->nasked].when_ms = engine_now(t->e);
			p->asked[p->nasked].cancelled = 0;
			p->nasked++;
			t->ndups++;
			wire_put_request(&p->out, dp->index, begin, len);
		}
	}
}

/*
 * Take back what remote peers were asked for that is no longer ours to
 * fetch across the WAN: a local peer got the piece first, or the local
 * nodes (now known, or changed) split the WAN pieces so that another owns
 * it. Requests still queued at the sender cost its uplink nothing once
 * cancelled; the blocks go back to the picker, for a local peer to serve.
 */
static void
torrent_withdraw_wan(struct torrent *t)
{
	struct peer	*p;
	struct dl_piece	*dp;
	size_t		 i;
	uint32_t	 b, n = 0;

	for (p = t->peers; p != NULL; p = p->next) {
		if (p->local || p->closing)
			continue;
		for (i = 0; i < p->nasked; i++) {
			struct peer_block *a = &p->asked[i];

			if (a->cancelled || site_wan_ok(t, a->piece))
				continue;
			wire_put_cancel(&p->out, a->piece, a->begin,
			    a->length);
			engine_mark_dirty(t->e, p);
			n++;
			if ((dp = torrent_find_dl(t, a->piece)) != NULL) {
				b = a->begin / MERKLE_BLOCK;
				if (dp->state[b] == 1 &&
				    !torrent_asked_elsewhere(t, p, a->piece,
				    a->begin))
					dp->state[b] = 0;
			}
			if (p->fast)
				a->cancelled = 1;	/* A reply comes. */
			else
				p->asked[i--] = p->asked[--p->nasked];
		}
	}
	t->nwithdrawn += n;
	if (n > 0)
		log_debug("%s: took back %u requests across the WAN that "
		    "local peers serve", t->name, n);
}

/* A block arrived: cancel the copies others were asked for. */
static void
torrent_cancel_dups(struct torrent *t, struct peer *from, uint32_t piece,
    uint32_t begin)
{
	struct peer	*q;
	size_t		 i;

	for (q = t->peers; q != NULL; q = q->next) {
		if (q == from || q->closing)
			continue;
		for (i = 0; i < q->nasked; i++) {
			if (q->asked[i].piece != piece ||
			    q->asked[i].begin != begin || q->asked[i].cancelled)
				continue;
			wire_put_cancel(&q->out, piece, begin,
			    q->asked[i].length);
			engine_mark_dirty(t->e, q);
			if (q->fast)
				q->asked[i].cancelled = 1; /* Reply comes. */
			else
				q->asked[i] = q->asked[--q->nasked];
			break;
		}
	}
}

static void
torrent_request_more(struct torrent *t, struct peer *p)
{
	const struct bitfield	*have;
	struct dl_piece		*dp;
	size_t			 depth;
	uint32_t		 b, idx, limit;

	if (t->state != TORRENT_RUNNING || t->storage == NULL ||
	    p->peer_choking || !p->have_set || p->closing || t->sending)
		return;
	have = storage_have(t->storage);
	depth = torrent_queue_depth(t, p);
	/* Started pieces first, so they finish and free their memory. */
	for (dp = t->downloading; dp != NULL && p->nasked < depth;
	    dp = dp->next) {
		if (dp->writing || !bitfield_get(&p->have, dp->index) ||
		    (dp->only != 0 && dp->only != p->serial) ||
		    (!p->local && !site_wan_ok(t, dp->index)) ||
		    torrent_declined(t, p, dp->index))
			continue;
		for (b = 0; b < dp->nblocks && p->nasked < depth; b++) {
			if (dp->state[b] != 0)
				continue;
			if (torrent_may_ask(t, p, MERKLE_BLOCK) != 0)
				goto out;
			torrent_ask(t, p, dp, b);
		}
	}
	/*
	 * Then new pieces: the rarest this peer has, ties at random. Pieces
	 * in progress are bounded by memory, and leave room for every peer:
	 * one fast peer holding many small pieces must not keep a second
	 * source from starting any.
	 */
	limit = (uint32_t)(depth * MERKLE_BLOCK / t->m.piece_length) + 8 +
	    4 * t->npeers;
	if (limit > TORRENT_INFLIGHT_BYTES / t->m.piece_length)
		limit = TORRENT_INFLIGHT_BYTES / t->m.piece_length;
	if (limit < 8)
		limit = 8;
	while (p->nasked < depth && t->ndownloading < limit) {
		if ((idx = torrent_pick(t, p, have)) == UINT32_MAX) {
			/*
			 * The endgame only once every missing piece is in
			 * flight: that p has nothing new (a peer across the
			 * WAN, whose pieces others fetch) is no reason.
			 */
			if (have->count + t->ndownloading >= t->m.npieces)
				torrent_endgame(t, p, depth);
			break;
		}
		if (torrent_limited(t, p))
			break;
		dp = torrent_new_dl(t, idx);
		if (bitfield_get(&t->single_source, idx))
			dp->only = p->serial;
		for (b = 0; b < dp->nblocks && p->nasked < depth; b++) {
			if (torrent_may_ask(t, p, MERKLE_BLOCK) != 0)
				goto out;
			torrent_ask(t, p, dp, b);
		}
	}
out:
	engine_mark_dirty(t->e, p);
}

int
torrent_is_banned(const struct torrent *t, const uint8_t *id)
{
	size_t	i;

	for (i = 0; i < t->nbanned; i++) {
		if (memcmp(t->banned[i], id, 32) == 0)
			return (1);
	}
	return (0);
}

static void
torrent_ban(struct torrent *t, struct peer *p)
{
	size_t	i;

	t->banned = xreallocarray(t->banned, t->nbanned + 1, 32);
	memcpy(t->banned[t->nbanned++], p->node_id, 32);
	/* Never dial it again either (PROTOCOL.md A5: until restart). */
	for (i = 0; i < t->naddrs; i++) {
		if (strcmp(t->addrs[i].text, p->addr) == 0)
			t->addrs[i].banned = 1;
	}
	log_warn("%s: node %s sent %u pieces that failed their hash: "
	    "banned", t->name, p->node_text, p->hash_fails);
	peer_close(p, "sent %u pieces that failed their hash: banned",
	    p->hash_fails);
}

static void
torrent_complete(void *arg)
{
	struct torrent	*t = arg;
	struct peer	*p;

	if (storage_error(t->storage) != NULL) {
		torrent_fail(t, "%s", storage_error(t->storage));
		return;
	}
	t->state = TORRENT_COMPLETE;
	log_info("%s: complete: every file has passed its hashes",
	    t->name);
	log_debug("%s: %llu bytes came twice; %u endgame duplicates asked, "
	    "%u requests across the WAN taken back", t->name,
	    (unsigned long long)t->wasted, t->ndups, t->nwithdrawn);
	engine_notify(t->e);
	for (p = t->peers; p != NULL; p = p->next)
		torrent_update_interest(t, p);
}

static void
torrent_piece_written(void *arg, uint32_t index, int result)
{
	struct torrent	*t = arg;
	struct dl_piece	*dp = torrent_find_dl(t, index);
	struct peer	*p, *next;
	uint32_t	 b, serial;

	if (dp == NULL)
		return;
	if (result == STORAGE_OK) {
		torrent_drop_dl(t, dp);
		for (p = t->peers; p != NULL; p = p->next) {
			if (!p->got_handshake)
				continue;
			wire_put_have(&p->out, index);
			engine_mark_dirty(t->e, p);
		}
		if (engine_now(t->e) - t->last_save_ms > TORRENT_SAVE_MS) {
			t->last_save_ms = engine_now(t->e);
			storage_save(t->storage);
		}
	} else if (result == STORAGE_HASH_FAILED) {
		t->wasted += dp->size;
		log_warn("%s: piece %u failed its hash", t->name, index);
		/*
		 * One sender: a strike against it. Several: nobody can tell
		 * who lied, so the piece is fetched again from a single peer
		 * (libtorrent's smart ban does the same in spirit), and an
		 * honest peer mixed with a liar is never banned for it.
		 */
		serial = dp->from[0];
		for (b = 1; b < dp->nblocks; b++) {
			if (dp->from[b] != serial)
				serial = 0;
		}
		if (serial == 0)
			bitfield_set(&t->single_source, index);
		for (p = t->peers; p != NULL && serial != 0; p = next) {
			next = p->next;
			if (p->serial == serial &&
			    ++p->hash_fails >= TORRENT_BAN_FAILS)
				torrent_ban(t, p);
		}
		torrent_drop_dl(t, dp);
	} else {
		torrent_drop_dl(t, dp);
		torrent_fail(t, "%s", storage_error(t->storage) != NULL ?
		    storage_error(t->storage) : "cannot write");
		return;
	}
	for (p = t->peers; p != NULL; p = next) {
		next = p->next;
		torrent_update_interest(t, p);
		torrent_request_more(t, p);
	}
}

static int
torrent_got_block(struct torrent *t, struct peer *p,
    const struct wire_msg *msg)
{
	struct dl_piece	*dp;
	uint32_t	 b;
	size_t		 i;
	uint8_t		 expect[32];
	double		 lat;

	for (i = 0; i < p->nasked; i++) {
		if (p->asked[i].piece == msg->index &&
		    p->asked[i].begin == msg->begin)
			break;
	}
	if (i == p->nasked) {
		peer_close(p, "sent a block it was not asked for (piece %u "
		    "offset %u)", msg->index, msg->begin);
		return (-1);
	}
	if (p->asked[i].length != msg->data_len) {
		peer_close(p, "sent a block of the wrong size");
		return (-1);
	}
	/* What crossed the site's link, wasted copies included. */
	if (p->local)
		t->down_local += msg->data_len;
	else
		t->down_remote += msg->data_len;
	if (p->asked[i].cancelled) {
		/* Lost the endgame race: it was cancelled, it came anyway. */
		p->asked[i] = p->asked[--p->nasked];
		t->wasted += msg->data_len;
		return (0);
	}
	/* Its latency: request to block, as TCP smooths its RTT. */
	lat = (double)(engine_now(t->e) - p->asked[i].when_ms);
	p->latency_ms = p->latency_ms == 0 ? lat : p->latency_ms +
	    TORRENT_LATENCY_WEIGHT * (lat - p->latency_ms);
	p->asked[i] = p->asked[--p->nasked];
	p->down_bytes += msg->data_len;
	t->downloaded += msg->data_len;
	peer_rate_add(&p->down_rate, engine_now(t->e), msg->data_len);
	peer_rate_add(&t->down_rate, engine_now(t->e), msg->data_len);
	dp = torrent_find_dl(t, msg->index);
	b = msg->begin / MERKLE_BLOCK;
	if (dp == NULL || dp->writing || b >= dp->nblocks ||
	    dp->state[b] == 2) {
		t->wasted += msg->data_len;
		return (0);
	}
	memcpy(dp->data + msg->begin, msg->data, msg->data_len);
	dp->state[b] = 2;
	dp->from[b] = p->serial;
	torrent_cancel_dups(t, p, msg->index, msg->begin);
	if (++dp->received < dp->nblocks)
		return (0);
	dp->writing = 1;
	memset(expect, 0, sizeof expect);
	if (t->m.versions & MI_V2) {
		const struct mi_file *f = metainfo_file_at(&t->m,
		    (uint64_t)dp->index * t->m.piece_length);

		if (f != NULL && f->length <= t->m.piece_length)
			memcpy(expect, f->root, 32);
		else if (f != NULL && f->layer != NULL)
			memcpy(expect, f->layer + (size_t)(dp->index -
			    f->first_piece) * 32, 32);
	}
	/* The storage owns the buffer from here on. */
	storage_put_piece(t->storage, dp->index, dp->data, expect,
	    torrent_piece_written, t);
	dp->data = NULL;
	return (0);
}

/* Serving. */

struct torrent_read {
	struct torrent		*t;
	struct peer		*p;
	struct peer_block	 blk;
};

static void
torrent_read_done(void *arg, int error, const uint8_t *data)
{
	struct torrent_read	*r = arg;
	struct peer		*p = r->p;
	struct torrent		*t = r->t;

	p->reading--;
	if (!p->closing && p->t == t) {
		if (error != 0) {
			if (p->fast)
				wire_put_reject(&p->out, r->blk.piece,
				    r->blk.begin, r->blk.length);
			log_warn("%s: cannot read piece %u: %s", t->name,
			    r->blk.piece, strerror(error));
		} else {
			peer_send_block(p, r->blk.piece, r->blk.begin,
			    data, r->blk.length);
			p->up_bytes += r->blk.length;
			t->uploaded += r->blk.length;
			if (p->local)
				t->up_local += r->blk.length;
			peer_rate_add(&p->up_rate, engine_now(t->e),
			    r->blk.length);
			peer_rate_add(&t->up_rate, engine_now(t->e),
			    r->blk.length);
		}
		engine_mark_dirty(t->e, p);
		torrent_serve(t, p);
	}
	free(r);
	peer_unref(p);
}

/*
 * The source's uplink is the swarm's scarcest resource: spend it on
 * pieces no receiver has. A request for a piece that another peer already
 * holds is refused once (BEP 6 reject), so the receiver fetches it from
 * that peer; asked again (it cannot reach a holder), the source serves it.
 * Only the source does this: receivers that hold a piece serve it, or two
 * holders could each send the asker to the other.
 */
static int
torrent_decline(struct torrent *t, struct peer *p,
    const struct peer_block *w)
{
	uint64_t	now = engine_now(t->e);
	uint32_t	first;
	unsigned	i;

	if (!t->sending || t->public || !p->fast || t->avail == NULL ||
	    w->piece >= t->m.npieces)
		return (0);
	/*
	 * Held by a receiver, or on its way to one already: that one will
	 * pass it on (the source's uplink carries each piece about once).
	 */
	first = t->served_to != NULL ? t->served_to[w->piece] : 0;
	if (t->avail[w->piece] == 0 && (first == 0 || first == p->serial)) {
		if (t->served_to != NULL && first == 0)
			t->served_to[w->piece] = p->serial;
		return (0);
	}
	/*
	 * Every block of the piece asked for in the next moment is refused
	 * too (requests come one by one); asked for again later, the
	 * receiver could not get it elsewhere: serve it.
	 */
	for (i = 0; i < PEER_DECLINES; i++) {
		struct peer_decline *d = &p->declines[i];

		if (d->ms != 0 && d->piece == w->piece) {
			if (now - d->ms >= TORRENT_DECLINE_MS)
				return (0);
			break;
		}
	}
	if (i == PEER_DECLINES) {
		p->declines[p->next_decline].piece = w->piece;
		p->declines[p->next_decline].ms = now;
		p->next_decline = (p->next_decline + 1) % PEER_DECLINES;
	}
	wire_put_reject(&p->out, w->piece, w->begin, w->length);
	engine_mark_dirty(t->e, p);
	return (1);
}

/*
 * Did p refuse us piece idx (torrent_decline)? Then fetch it from another
 * peer that holds it; if none does yet (it is on its way to one), wait
 * for that one, unless only the last few pieces are missing: then ask p
 * again, and p serves it, so a slow first taker cannot hold up the end.
 */
static int
torrent_declined(const struct torrent *t, const struct peer *p,
    uint32_t idx)
{
	if (p->declined.n != t->m.npieces || !bitfield_get(&p->declined, idx))
		return (0);
	if (t->avail[idx] > 1)
		return (1);
	return (t->m.npieces - storage_have(t->storage)->count >
	    TORRENT_LAST_PIECES);
}

static void
torrent_serve(struct torrent *t, struct peer *p)
{
	struct torrent_read	*r;
	struct ratelimit	*v[4];
	uint64_t		 now;
	size_t			 n = torrent_buckets(t, p, 1, v), i;

	while (!p->closing && p->nwants > 0 && p->reading < TORRENT_READS &&
	    p->write_queued + p->out.len + p->net.len < TORRENT_WRITE_HIGH) {
		if (torrent_decline(t, p, &p->wants[0])) {
			memmove(p->wants, p->wants + 1, (p->nwants - 1) *
			    sizeof *p->wants);
			p->nwants--;
			continue;
		}
		/*
		 * The upload limit holds back blocks only; every other
		 * message goes at once, so a limited node stays responsive.
		 */
		now = engine_now(t->e);
		if (ratelimit_min_available(v, n, now) == 0) {
			engine_limit_wait(t->e, ratelimit_max_wait_ms(v, n,
			    p->wants[0].length, now));
			break;
		}
		for (i = 0; i < n; i++)
			ratelimit_consume(v[i], p->wants[0].length, now);
		r = xcalloc(1, sizeof *r);
		r->t = t;
		r->p = p;
		r->blk = p->wants[0];
		memmove(p->wants, p->wants + 1, (p->nwants - 1) *
		    sizeof *p->wants);
		p->nwants--;
		p->reading++;
		peer_ref(p);
		storage_read(t->storage, r->blk.piece, r->blk.begin,
		    r->blk.length, torrent_read_done, r);
	}
}

void
torrent_request_all(struct torrent *t)
{
	struct peer	*p, *next;

	for (p = t->peers; p != NULL; p = next) {
		next = p->next;
		if (!p->closing)
			torrent_request_more(t, p);
	}
}

/*
 * Serve every peer with requests waiting, starting each time one further
 * along the list: under an upload limit the tokens go round instead of
 * to whichever peer comes first.
 */
void
torrent_serve_all(struct torrent *t)
{
	struct peer	*p, **v;
	unsigned	 n = 0, i;

	v = xreallocarray(NULL, t->npeers + 1, sizeof *v);
	for (p = t->peers; p != NULL && n < t->npeers; p = p->next) {
		if (p->nwants > 0 && !p->closing) {
			peer_ref(p);
			v[n++] = p;
		}
	}
	t->serve_turn++;
	for (i = 0; i < n; i++) {
		p = v[(i + t->serve_turn) % n];
		if (!p->closing && p->t == t)
			torrent_serve(t, p);
	}
	for (i = 0; i < n; i++)
		peer_unref(v[i]);
	free(v);
}

void
torrent_peer_drained(struct torrent *t, struct peer *p)
{
	torrent_serve(t, p);
}

static int
torrent_got_request(struct torrent *t, struct peer *p,
    const struct wire_msg *msg)
{
	if (!t->have_meta || t->storage == NULL || msg->index >= t->m.npieces ||
	    msg->length == 0 || msg->length > WIRE_BLOCK_MAX ||
	    msg->begin > t->m.piece_length ||
	    msg->length > t->m.piece_length - msg->begin ||
	    !bitfield_get(storage_have(t->storage), msg->index)) {
		if (!p->fast) {
			peer_close(p, "asked for a block we do not have "
			    "(piece %u offset %u length %u)", msg->index,
			    msg->begin, msg->length);
			return (-1);
		}
		wire_put_reject(&p->out, msg->index, msg->begin, msg->length);
		engine_mark_dirty(t->e, p);
		return (0);
	}
	if (p->am_choking) {
		if (p->fast) {
			wire_put_reject(&p->out, msg->index, msg->begin,
			    msg->length);
			engine_mark_dirty(t->e, p);
		}
		return (0);
	}
	if (p->nwants >= TORRENT_REQQ) {
		peer_close(p, "sent more than %d requests at once",
		    TORRENT_REQQ);
		return (-1);
	}
	if (p->nwants == p->capwants) {
		p->capwants = p->capwants == 0 ? 64 : p->capwants * 2;
		p->wants = xreallocarray(p->wants, p->capwants,
		    sizeof *p->wants);
	}
	p->wants[p->nwants].piece = msg->index;
	p->wants[p->nwants].begin = msg->begin;
	p->wants[p->nwants].length = msg->length;
	p->nwants++;
	torrent_serve(t, p);
	return (0);
}

static void
torrent_got_cancel(struct torrent *t, struct peer *p,
    const struct wire_msg *msg)
{
	size_t	i;

	for (i = 0; i < p->nwants; i++) {
		if (p->wants[i].piece == msg->index &&
		    p->wants[i].begin == msg->begin) {
			memmove(p->wants + i, p->wants + i + 1,
			    (p->nwants - i - 1) * sizeof *p->wants);
			p->nwants--;
			if (p->fast) {
				wire_put_reject(&p->out, msg->index,
				    msg->begin, msg->length);
				engine_mark_dirty(t->e, p);
			}
			return;
		}
	}
}

/*
 * Choking (BEP 3, PROTOCOL.md B 2.3). Up to TORRENT_UNCHOKE_SLOTS
 * interested peers are unchoked for what they give: a downloader keeps
 * those it downloads from fastest; a node that has everything serves in
 * turn those it has sent the least to lately, so distinct pieces spread.
 * One more slot goes round the others every 30 s (the optimistic unchoke),
 * so newcomers get a start. With no more interested peers than slots,
 * every one is unchoked and nothing waits for a timer.
 */
static void
torrent_set_choke(struct torrent *t, struct peer *p, int choke)
{
	size_t	i;

	if (p->am_choking == choke)
		return;
	p->am_choking = choke;
	if (choke) {
		wire_put_choke(&p->out);
		/* Fast extension: every pending request gets its reject. */
		for (i = 0; p->fast && i < p->nwants; i++)
			wire_put_reject(&p->out, p->wants[i].piece,
			    p->wants[i].begin, p->wants[i].length);
		p->nwants = 0;
	} else
		wire_put_unchoke(&p->out);
	engine_mark_dirty(t->e, p);
}

static int
torrent_choke_cmp(const void *a, const void *b)
{
	const struct peer	*x = *(const struct peer *const *)a;
	const struct peer	*y = *(const struct peer *const *)b;

	return (x->choke_score < y->choke_score ? 1 :
	    x->choke_score > y->choke_score ? -1 : 0);
}

static void
torrent_rechoke(struct torrent *t, int rotate_optimistic)
{
	struct peer	*p, **v;
	uint64_t	 now = engine_now(t->e);
	unsigned	 n = 0, i, slots = TORRENT_UNCHOKE_SLOTS, local = 0;
	int		 seeding = t->storage != NULL &&
			    storage_complete(t->storage);

	if (t->storage == NULL)
		return;
	v = xreallocarray(NULL, t->npeers + 1, sizeof *v);
	for (p = t->peers; p != NULL; p = p->next) {
		/*
		 * Local peers are served beside the slots: the LAN is cheap,
		 * and a site's nodes pass each other the pieces that
		 * crossed its WAN link once.
		 */
		if (!p->closing && p->got_handshake && p->peer_interested &&
		    p->local && local < TORRENT_LOCAL_SLOTS) {
			local++;
			torrent_set_choke(t, p, 0);
		} else if (!p->closing && p->got_handshake &&
		    p->peer_interested)
			v[n++] = p;
		else if (!p->closing && p->got_handshake)
			torrent_set_choke(t, p, 1);
	}
	if (n <= slots + 1) {
		for (i = 0; i < n; i++)
			torrent_set_choke(t, v[i], 0);
		free(v);
		return;
	}
	for (i = 0; i < n; i++) {
		p = v[i];
		if (seeding)	/* The least served lately first. */
			p->choke_score = -peer_rate_get(&p->up_rate, now) -
			    (double)(p->up_bytes % 1000003) / 1e12;
		else
			p->choke_score = peer_rate_get(&p->down_rate, now);
	}
	qsort(v, n, sizeof *v, torrent_choke_cmp);
	if (rotate_optimistic || t->optimistic == 0) {
		/* A random one of those left out, for the next 30 s. */
		t->optimistic = v[slots + (uint32_t)random() %
		    (n - slots)]->serial;
	}
	for (i = 0; i < n; i++)
		torrent_set_choke(t, v[i], !(i < slots ||
		    v[i]->serial == t->optimistic));
	free(v);
}

static void
torrent_got_interest(struct torrent *t, struct peer *p, int interested)
{
	p->peer_interested = interested;
	/* Slots free: unchoke now; else it waits for the next round. */
	torrent_rechoke(t, 0);
}

/* Metadata (BEP 9). */

static void
torrent_ask_metadata(struct torrent *t, struct peer *p)
{
	uint8_t		 id = wire_ltep_id(&p->ext, WIRE_EXT_UT_METADATA);
	struct buf	 payload;
	uint32_t	 i;

	if (t->have_meta || id == 0 || t->meta == NULL)
		return;
	buf_init(&payload);
	for (i = 0; i < t->meta_pieces && p->meta_asked <
	    TORRENT_META_INFLIGHT; i++) {
		if (t->meta_state[i] != 0)
			continue;
		buf_reset(&payload);
		wire_metadata_encode_request(&payload, i);
		wire_put_extended(&p->out, id, payload.data, payload.len);
		t->meta_state[i] = 1;
		p->meta_asked++;
	}
	buf_destroy(&payload);
	engine_mark_dirty(t->e, p);
}

static int
torrent_got_metadata_msg(struct torrent *t, struct peer *p,
    const struct wire_msg *msg)
{
	struct wire_metadata	 md;
	struct buf		 payload;
	uint8_t			 id = wire_ltep_id(&p->ext,
				    WIRE_EXT_UT_METADATA);
	char			*cause = NULL;
	uint32_t		 len;
	uint8_t			 h[32];
	int			 ok;

	if (wire_metadata_decode(msg->data, msg->data_len, &md, &cause) != 0) {
		peer_close(p, "bad metadata message: %s", cause);
		free(cause);
		return (-1);
	}
	switch (md.msg_type) {
	case WIRE_METADATA_REQUEST:
		buf_init(&payload);
		if (t->have_meta && id != 0 && (uint64_t)md.piece *
		    WIRE_METADATA_PIECE < t->m.info_len) {
			len = t->m.info_len - md.piece * WIRE_METADATA_PIECE;
			if (len > WIRE_METADATA_PIECE)
				len = WIRE_METADATA_PIECE;
			wire_metadata_encode_data(&payload, md.piece,
			    t->m.info_len, t->m.info + (size_t)md.piece *
			    WIRE_METADATA_PIECE, len);
		} else
			wire_metadata_encode_reject(&payload, md.piece);
		if (id != 0)
			wire_put_extended(&p->out, id, payload.data,
			    payload.len);
		buf_destroy(&payload);
		engine_mark_dirty(t->e, p);
		return (0);
	case WIRE_METADATA_DATA:
		if (t->have_meta || t->meta == NULL ||
		    md.piece >= t->meta_pieces || t->meta_state[md.piece] != 1)
			return (0);
		len = t->meta_size - md.piece * WIRE_METADATA_PIECE;
		if (len > WIRE_METADATA_PIECE)
			len = WIRE_METADATA_PIECE;
		if (md.data_len != len || md.total_size != t->meta_size) {
			peer_close(p, "sent a metadata piece of the wrong size");
			return (-1);
		}
		memcpy(t->meta + (size_t)md.piece * WIRE_METADATA_PIECE,
		    md.data, len);
		t->meta_state[md.piece] = 2;
		if (p->meta_asked > 0)
			p->meta_asked--;
		if (++t->meta_have < t->meta_pieces) {
			torrent_ask_metadata(t, p);
			return (0);
		}
		/* A v1-only link has only the SHA-1 to check it by. */
		if (torrent_knows_v2(t)) {
			sha256(t->meta, t->meta_size, h);
			ok = memcmp(h, t->ih2, 32) == 0;
		} else {
			sha1(t->meta, t->meta_size, h);
			ok = memcmp(h, t->ih1, 20) == 0;
		}
		if (!ok) {
			memset(t->meta_state, 0, t->meta_pieces);
			t->meta_have = 0;
			peer_close(p, "sent metadata that does not match the "
			    "info-hash");
			return (-1);
		}
		torrent_got_metadata(t);
		return (p->closing ? -1 : 0);
	case WIRE_METADATA_REJECT:
		if (md.piece < t->meta_pieces && t->meta_state != NULL &&
		    t->meta_state[md.piece] == 1)
			t->meta_state[md.piece] = 0;
		if (p->meta_asked > 0)
			p->meta_asked--;
		return (0);
	default:
		return (0);
	}
}

static int
torrent_got_ltep(struct torrent *t, struct peer *p, const struct wire_msg *msg)
{
	struct wire_ltep	 ext;
	char			*cause = NULL;
	size_t			 i;

	if (wire_ltep_decode(msg->data, msg->data_len, &ext, &cause) != 0) {
		peer_close(p, "bad extension handshake: %s", cause);
		free(cause);
		return (-1);
	}
	if (!p->got_ext)
		p->ext = ext;
	else
		wire_ltep_merge(&p->ext, &ext);
	p->got_ext = 1;
	site_peer_update(t, p);
	/*
	 * A receiver takes the swarm's membership from the source the link
	 * names, and from nobody else: then it admits the other receivers.
	 */
	if (!t->sending && t->pin && memcmp(p->node_id, t->pinned, 32) == 0 &&
	    (ext.swarm_open || ext.nswarm > 0)) {
		t->open = ext.swarm_open;
		free(t->allow);
		t->allow = xreallocarray(NULL, ext.nswarm + 1, 32);
		memcpy(t->allow, ext.swarm, ext.nswarm * 32);
		memcpy(t->allow[ext.nswarm], t->pinned, 32);
		t->nallow = ext.nswarm + 1;
		if (!t->policy_known) {
			/* Addresses refused until now may be members. */
			for (i = 0; i < t->naddrs; i++)
				t->addrs[i].next_try_ms = 0;
		}
		t->policy_known = 1;
	}
	torrent_pex_changed(t);
	if (!t->have_meta && ext.metadata_size > 0 && t->meta == NULL) {
		if (ext.metadata_size > MI_MAX_INFO_SIZE) {
			peer_close(p, "announced metadata larger than 30 MiB");
			return (-1);
		}
		t->meta_size = (uint32_t)ext.metadata_size;
		t->meta_pieces = (t->meta_size + WIRE_METADATA_PIECE - 1) /
		    WIRE_METADATA_PIECE;
		t->meta = xmalloc(t->meta_size);
		t->meta_state = xcalloc(t->meta_pieces, 1);
	}
	torrent_ask_metadata(t, p);
	return (0);
}

/* Piece layers (BEP 52). */

static unsigned
torrent_piece_layer(const struct torrent *t)
{
	return (merkle_log2(t->m.piece_length / MERKLE_BLOCK));
}

static unsigned
torrent_file_height(const struct mi_file *f)
{
	return (merkle_height((f->length + MERKLE_BLOCK - 1) / MERKLE_BLOCK));
}

static void
torrent_ask_layers_from(struct torrent *t, struct peer *p)
{
	struct wire_hash_req	req;
	size_t			i;
	uint32_t		width, idx;
	unsigned		base = torrent_piece_layer(t), height;

	/* Hash messages only where the handshake named v2 (BEP 52). */
	if (t->layer_state == NULL || !p->got_handshake || p->v1)
		return;
	for (i = 0; i < t->m.nfiles; i++) {
		struct mi_file	*f = &t->m.files[i];

		if (t->layer_state[i] != 0 || f->layer != NULL ||
		    !f->has_root || f->length <= t->m.piece_length)
			continue;
		height = torrent_file_height(f);
		width = (uint32_t)1 << (height - base);
		memset(&req, 0, sizeof req);
		memcpy(req.pieces_root, f->root, 32);
		req.base_layer = base;
		for (idx = 0; idx < f->npieces; idx += TORRENT_HASH_CHUNK) {
			req.index = idx;
			req.length = width < TORRENT_HASH_CHUNK ? width :
			    TORRENT_HASH_CHUNK;
			/* Enough proof to reach the root from this chunk. */
			req.proof_layers = height - base - 1;
			wire_put_hash_request(&p->out, &req);
			p->hash_asked++;
		}
		t->layer_state[i] = 1;
	}
	engine_mark_dirty(t->e, p);
}

static void
torrent_ask_layers(struct torrent *t)
{
	struct peer	*p;
	size_t		 i;

	t->layers_missing = 0;
	if (!(t->m.versions & MI_V2)) {
		/* v1 pieces carry their own hashes. */
		torrent_open_storage(t);
		return;
	}
	t->layer_state = xcalloc(t->m.nfiles + 1, 1);
	t->layer_fill = xcalloc(t->m.nfiles + 1, sizeof *t->layer_fill);
	for (i = 0; i < t->m.nfiles; i++) {
		const struct mi_file *f = &t->m.files[i];

		if (f->has_root && f->length > t->m.piece_length &&
		    f->layer == NULL)
			t->layers_missing++;
	}
	if (t->layers_missing == 0) {
		torrent_open_storage(t);
		return;
	}
	t->state = TORRENT_LAYERS;
	t->layers_ms = engine_now(t->e);
	for (p = t->peers; p != NULL; p = p->next)
		torrent_ask_layers_from(t, p);
}

/*
 * Piece layers come only over v2 connections. A public hybrid whose peers
 * all run on the v1 hash (v1 clients) is fetched as v1 instead, every
 * piece checked against its SHA-1, once no v2 peer has come for a while.
 */
static void
torrent_layers_or_v1(struct torrent *t, uint64_t now)
{
	struct peer	*p;
	unsigned	 nv1 = 0;
	size_t		 i;

	if (t->state != TORRENT_LAYERS || !t->public ||
	    !(t->m.versions & MI_V1) ||
	    now - t->layers_ms < TORRENT_LAYERS_V1_MS)
		return;
	for (p = t->peers; p != NULL; p = p->next) {
		if (!p->got_handshake || p->closing)
			continue;
		if (!p->v1 && !p->hash_refused)
			return;
		nv1++;
	}
	if (nv1 == 0)
		return;
	log_info("%s: no peer gives the piece layers (peers on the v1 hash "
	    "only: %u): fetching it as v1, checking SHA-1 pieces", t->name,
	    nv1);
	for (i = 0; i < t->m.nfiles; i++)
		free(t->layer_fill[i]);
	free(t->layer_fill);
	t->layer_fill = NULL;
	free(t->layer_state);
	t->layer_state = NULL;
	t->layers_missing = 0;
	t->m.versions &= ~MI_V2;
	torrent_open_storage(t);
}

static int
torrent_got_hashes(struct torrent *t, struct peer *p,
    const struct wire_msg *msg)
{
	const struct wire_hash_req	*rq = &msg->hash;
	struct mi_file			*f = NULL;
	char				*cause = NULL;
	size_t				 i;
	uint32_t			 n;
	uint8_t				 root[32];

	if (p->hash_asked > 0)
		p->hash_asked--;
	for (i = 0; i < t->m.nfiles; i++) {
		if (t->m.files[i].has_root &&
		    memcmp(t->m.files[i].root, rq->pieces_root, 32) == 0 &&
		    t->m.files[i].length > t->m.piece_length) {
			f = &t->m.files[i];
			break;
		}
	}
	if (f == NULL || t->layer_state == NULL || t->layer_state[i] == 2 ||
	    rq->base_layer != torrent_piece_layer(t))
		return (0);	/* Not one we want (any more). */
	if (merkle_proof_verify(f->root, torrent_file_height(f),
	    rq->base_layer, rq->index, rq->length, rq->proof_layers,
	    msg->hashes, msg->nhashes, &cause) != 0) {
		peer_close(p, "sent hashes that do not verify: %s", cause);
		free(cause);
		return (-1);
	}
	/*
	 * Collect into a buffer of the whole layer; it becomes the file's
	 * layer (and is served to others) only once it hashes to the root.
	 */
	if (t->layer_fill[i] == NULL)
		t->layer_fill[i] = xcalloc(f->npieces, 32);
	n = rq->index >= f->npieces ? 0 : f->npieces - rq->index;
	if (n > rq->length)
		n = rq->length;
	memcpy(t->layer_fill[i] + (size_t)rq->index * 32, msg->hashes,
	    (size_t)n * 32);
	merkle_root_from_layer(t->layer_fill[i], f->npieces, t->m.piece_length,
	    root);
	if (memcmp(root, f->root, 32) != 0)
		return (0);
	f->layer = t->layer_fill[i];
	t->layer_fill[i] = NULL;
	t->layer_state[i] = 2;
	if (--t->layers_missing == 0 && t->state == TORRENT_LAYERS)
		torrent_open_storage(t);
	return (0);
}

/* A peer cannot give a layer: ask the others (not it) again. */
static void
torrent_got_hash_reject(struct torrent *t, struct peer *p,
    const struct wire_msg *msg)
{
	struct peer	*q;
	size_t		 i;

	if (p->hash_asked > 0)
		p->hash_asked--;
	if (t->layer_state == NULL)
		return;
	for (i = 0; i < t->m.nfiles; i++) {
		if (t->m.files[i].has_root && t->layer_state[i] == 1 &&
		    memcmp(t->m.files[i].root, msg->hash.pieces_root, 32) == 0)
			t->layer_state[i] = 0;
	}
	p->hash_refused = 1;
	for (q = t->peers; q != NULL; q = q->next) {
		if (q != p && !q->hash_refused)
			torrent_ask_layers_from(t, q);
	}
}

static void
torrent_got_hash_request(struct torrent *t, struct peer *p,
    const struct wire_msg *msg)
{
	const struct wire_hash_req	*rq = &msg->hash;
	const struct mi_file		*f = NULL;
	struct merkle_tree		 tree;
	struct buf			 hashes;
	size_t				 i;

	buf_init(&hashes);
	for (i = 0; t->have_meta && i < t->m.nfiles; i++) {
		if (t->m.files[i].has_root && t->m.files[i].layer != NULL &&
		    memcmp(t->m.files[i].root, rq->pieces_root, 32) == 0) {
			f = &t->m.files[i];
			break;
		}
	}
	if (f != NULL && merkle_tree_init(&tree, torrent_piece_layer(t),
	    f->layer, f->npieces) == 0) {
		if (merkle_tree_proof(&tree, rq->base_layer, rq->index,
		    rq->length, rq->proof_layers, &hashes) == 0)
			wire_put_hashes(&p->out, rq, hashes.data,
			    hashes.len / 32);
		else
			f = NULL;
		merkle_tree_destroy(&tree);
	} else
		f = NULL;
	if (f == NULL)
		wire_put_hash_reject(&p->out, rq);
	buf_destroy(&hashes);
	engine_mark_dirty(t->e, p);
}

/* Peer exchange (BEP 11). */

/* Where other nodes can reach p: its address and its listen port. */
static int
torrent_pex_addr(const struct peer *p, struct wire_pex_peer *out)
{
	memset(out, 0, sizeof *out);
	if (!p->got_ext || p->ext.port == 0 || p->closing)
		return (-1);
	if (p->ss.ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)&p->ss;

		memcpy(out->ip, &s4->sin_addr, 4);
		out->ip_len = 4;
	} else if (p->ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)&p->ss;

		memcpy(out->ip, &s6->sin6_addr, 16);
		out->ip_len = 16;
	} else
		return (-1);
	out->port = p->ext.port;
	if (p->ext.upload_only)
		out->flags |= WIRE_PEX_SEED;
	return (0);
}

static int
torrent_pex_same(const struct wire_pex_peer *a, const struct wire_pex_peer *b)
{
	return (a->ip_len == b->ip_len && a->port == b->port &&
	    memcmp(a->ip, b->ip, a->ip_len) == 0);
}

void
torrent_pex_changed(struct torrent *t)
{
	t->pex_dirty = 1;
	engine_soon(t->e);
}

/*
 * Tell each peer about the others it has not heard of from us, and which
 * of those left. Only on change, so never more than once a tick; at most
 * 50 of each after the first message (BEP 11).
 */
static void
torrent_pex_send(struct torrent *t)
{
	struct peer		*p, *q;
	struct wire_pex		*msg;
	struct wire_pex_peer	 a, *cur;
	struct buf		 payload;
	size_t			 ncur, i, j, cap;
	uint8_t			 id;

	t->pex_dirty = 0;
	t->last_pex_ms = engine_now(t->e);
	if (t->m.is_private)
		return;
	msg = xmalloc(sizeof *msg);
	cur = xreallocarray(NULL, t->npeers + 1, sizeof *cur);
	buf_init(&payload);
	for (p = t->peers; p != NULL; p = p->next) {
		if ((id = wire_ltep_id(&p->ext, WIRE_EXT_UT_PEX)) == 0 ||
		    !p->got_ext || p->closing)
			continue;
		ncur = 0;
		for (q = t->peers; q != NULL; q = q->next) {
			if (q != p && torrent_pex_addr(q, &a) == 0)
				cur[ncur++] = a;
		}
		memset(msg, 0, sizeof *msg);
		cap = p->npex_sent == 0 ? WIRE_PEX_MAX : 50;
		for (i = 0; i < ncur && msg->nadded < cap; i++) {
			for (j = 0; j < p->npex_sent; j++) {
				if (torrent_pex_same(&cur[i], &p->pex_sent[j]))
					break;
			}
			if (j == p->npex_sent)
				msg->added[msg->nadded++] = cur[i];
		}
		for (j = 0; j < p->npex_sent && msg->ndropped < 50; j++) {
			for (i = 0; i < ncur; i++) {
				if (torrent_pex_same(&cur[i], &p->pex_sent[j]))
					break;
			}
			if (i == ncur)
				msg->dropped[msg->ndropped++] = p->pex_sent[j];
		}
		if (msg->nadded == 0 && msg->ndropped == 0)
			continue;
		buf_reset(&payload);
		if (wire_pex_encode(&payload, msg) != 0)
			continue;
		wire_put_extended(&p->out, id, payload.data, payload.len);
		engine_mark_dirty(t->e, p);
		/* Remember the set we have now told it of. */
		free(p->pex_sent);
		p->pex_sent = xreallocarray(NULL, ncur + 1, sizeof *cur);
		memcpy(p->pex_sent, cur, ncur * sizeof *cur);
		p->npex_sent = ncur;
	}
	buf_destroy(&payload);
	free(cur);
	free(msg);
}

/* Peers we learn of: dial those we do not know yet, within bounds. */
static int
torrent_got_pex(struct torrent *t, struct peer *p, const struct wire_msg *msg)
{
	struct wire_pex	*pex = xmalloc(sizeof *pex);
	char		*cause = NULL, host[INET6_ADDRSTRLEN], text[80];
	size_t		 i, k;
	int		 r = 0;

	if (wire_pex_decode(msg->data, msg->data_len, pex, &cause) != 0) {
		peer_close(p, "bad peer exchange message: %s", cause);
		free(cause);
		r = -1;
		goto out;
	}
	for (i = 0; i < pex->nadded && t->naddrs < TORRENT_MAX_ADDRS; i++) {
		const struct wire_pex_peer *a = &pex->added[i];

		if (a->port == 0 || inet_ntop(a->ip_len == 4 ? AF_INET :
		    AF_INET6, a->ip, host, sizeof host) == NULL)
			continue;
		if (a->ip_len == 4)
			snprintf(text, sizeof text, "%s:%u", host, a->port);
		else
			snprintf(text, sizeof text, "[%s]:%u", host, a->port);
		for (k = 0; k < t->naddrs; k++) {
			if (strcmp(t->addrs[k].text, text) == 0)
				break;
		}
		if (k == t->naddrs && strcmp(text, t->e->listen_text) != 0) {
			log_debug("%s: %s told us of %s", t->name, p->addr,
			    text);
			torrent_add_peer_addr(t, text);
			engine_soon(t->e);	/* Dial it now. */
		}
	}
out:
	free(pex);
	return (r);
}

/*
 * Two connections to one node (both sides dialled): keep the one the node
 * with the smaller ID started, so both ends close the same one.
 */
static int
torrent_dedup(struct torrent *t, struct peer *p)
{
	struct peer	*q;
	int		 keep_outgoing;

	/* Plain peers have no node ID to tell them apart. */
	if (p->plain)
		return (0);
	for (q = t->peers; q != NULL; q = q->next) {
		if (q == p || q->closing || !q->got_handshake ||
		    memcmp(q->node_id, p->node_id, 32) != 0)
			continue;
		if (p->outgoing == q->outgoing) {
			peer_close(p, "already connected to node %s",
			    p->node_short);
			return (-1);
		}
		keep_outgoing = memcmp(t->e->id.id, p->node_id, 32) < 0;
		if (p->outgoing != keep_outgoing) {
			peer_close(p, "already connected to node %s",
			    p->node_short);
			return (-1);
		}
		peer_close(q, "already connected to node %s", q->node_short);
		return (0);
	}
	return (0);
}

/* Messages. */

int
torrent_peer_msg(struct torrent *t, struct peer *p, const struct wire_msg *msg)
{
	uint32_t	i;

	switch (msg->type) {
	case WIRE_MSG_CHOKE:
		p->peer_choking = 1;
		if (!p->fast)
			torrent_release_asked(t, p);
		return (0);
	case WIRE_MSG_UNCHOKE:
		p->peer_choking = 0;
		torrent_request_more(t, p);
		return (0);
	case WIRE_MSG_INTERESTED:
		torrent_got_interest(t, p, 1);
		return (0);
	case WIRE_MSG_NOT_INTERESTED:
		torrent_got_interest(t, p, 0);
		return (0);
	case WIRE_MSG_HAVE:
		if (!t->have_meta)
			return (0);
		if (msg->index >= t->m.npieces) {
			peer_close(p, "announced piece %u of %u", msg->index,
			    t->m.npieces);
			return (-1);
		}
		if (bitfield_set(&p->have, msg->index) && t->avail != NULL) {
			t->avail[msg->index]++;
			site_have(t, p, msg->index);
		}
		p->have_set = 1;
		torrent_update_interest(t, p);
		torrent_request_more(t, p);
		return (0);
	case WIRE_MSG_BITFIELD:
		if (!t->have_meta) {
			/* Kept until the metadata says how many pieces. */
			if (msg->data_len > MI_MAX_PIECES / 8 + 1) {
				peer_close(p, "sent an oversized bitfield");
				return (-1);
			}
			free(p->early_bits);
			p->early_bits = xmemdup(msg->data, msg->data_len);
			p->nearly_bits = msg->data_len;
			return (0);
		}
		torrent_avail_add(t, p, -1);
		if (bitfield_load(&p->have, msg->data, msg->data_len) != 0) {
			peer_close(p, "sent a bitfield of the wrong size");
			return (-1);
		}
		torrent_avail_add(t, p, 1);
		p->have_set = 1;
		torrent_update_interest(t, p);
		torrent_request_more(t, p);
		return (0);
	case WIRE_MSG_HAVE_ALL:
	case WIRE_MSG_HAVE_NONE:
		if (!p->fast) {
			peer_close(p, "sent a fast-extension message without "
			    "the fast extension");
			return (-1);
		}
		p->have_set = 1;
		if (msg->type == WIRE_MSG_HAVE_ALL) {
			p->ext.upload_only = 1;
			if (t->have_meta) {
				torrent_avail_add(t, p, -1);
				bitfield_set_all(&p->have);
				torrent_avail_add(t, p, 1);
			}
		}
		torrent_update_interest(t, p);
		torrent_request_more(t, p);
		return (0);
	case WIRE_MSG_REQUEST:
		return (torrent_got_request(t, p, msg));
	case WIRE_MSG_PIECE:
		if (torrent_got_block(t, p, msg) != 0)
			return (-1);
		torrent_request_more(t, p);
		return (0);
	case WIRE_MSG_CANCEL:
		torrent_got_cancel(t, p, msg);
		return (0);
	case WIRE_MSG_REJECT:
		for (i = 0; i < p->nasked; i++) {
			if (p->asked[i].piece == msg->index &&
			    p->asked[i].begin == msg->begin) {
				struct dl_piece *dp = torrent_find_dl(t,
				    msg->index);

				if (dp != NULL && !p->asked[i].cancelled &&
				    dp->state[msg->begin / MERKLE_BLOCK] == 1 &&
				    !torrent_asked_elsewhere(t, p, msg->index,
				    msg->begin))
					dp->state[msg->begin / MERKLE_BLOCK] = 0;
				/*
				 * Refused while it unchokes us: declined
				 * (torrent_decline()), ask the others.
				 */
				if (!p->asked[i].cancelled && t->avail != NULL &&
				    !p->peer_choking) {
					if (p->declined.n != t->m.npieces) {
						bitfield_destroy(&p->declined);
						bitfield_init(&p->declined,
						    t->m.npieces);
					}
					bitfield_set(&p->declined, msg->index);
					p->asked[i] = p->asked[--p->nasked];
					torrent_request_all(t);
					break;
				}
				p->asked[i] = p->asked[--p->nasked];
				break;
			}
		}
		return (0);
	case WIRE_MSG_EXTENDED:
		if (msg->ext_id == WIRE_EXT_ID_HANDSHAKE)
			return (torrent_got_ltep(t, p, msg));
		if (msg->ext_id == WIRE_EXT_ID_UT_METADATA)
			return (torrent_got_metadata_msg(t, p, msg));
		if (msg->ext_id == WIRE_EXT_ID_UT_PEX)
			return (torrent_got_pex(t, p, msg));
		return (0);
	case WIRE_MSG_HASH_REQUEST:
		torrent_got_hash_request(t, p, msg);
		return (0);
	case WIRE_MSG_HASHES:
		return (torrent_got_hashes(t, p, msg));
	case WIRE_MSG_HASH_REJECT:
		torrent_got_hash_reject(t, p, msg);
		return (0);
	default:
		return (0);
	}
}

/* Stages of a receiver. */

static void
torrent_storage_ready(void *arg, struct storage *s)
{
	struct torrent	*t = arg;
	struct peer	*p;
	const struct bitfield *have;

	if (storage_error(s) != NULL) {
		torrent_fail(t, "%s", storage_error(s));
		return;
	}
	have = storage_have(s);
	log_info("%s: %u of %u pieces already here", t->name, have->count,
	    have->n);
	t->state = storage_complete(s) ? TORRENT_COMPLETE : TORRENT_RUNNING;
	if (t->state == TORRENT_COMPLETE)
		engine_notify(t->e);
	for (p = t->peers; p != NULL; p = p->next) {
		torrent_send_have_state(t, p);
		torrent_update_interest(t, p);
		engine_mark_dirty(t->e, p);
	}
	torrent_rechoke(t, 0);
}

static void
torrent_open_storage(struct torrent *t)
{
	t->state = TORRENT_CHECKING;
	t->storage = storage_new(&t->e->loop, &t->m, t->path, t->sending);
	storage_set_complete_cb(t->storage, torrent_complete, t);
	storage_start(t->storage, torrent_storage_ready, t);
}

/*
 * t->m holds the info dict now (from a peer or from the resume file):
 * size what depends on the piece count, including the bitfields of peers
 * that connected before, and go on to the piece layers.
 */
static void
torrent_know_metadata(struct torrent *t)
{
	struct peer	*p;

	t->have_meta = 1;
	if (!t->named) {
		free(t->name);
		t->name = xstrdup(t->m.name);
	}
	bitfield_init(&t->single_source, t->m.npieces);
	t->avail = xcalloc(t->m.npieces + 1, sizeof *t->avail);
	site_torrent_init(t);
	for (p = t->peers; p != NULL; p = p->next) {
		bitfield_destroy(&p->have);
		bitfield_init(&p->have, t->m.npieces);
		if (p->ext.upload_only && p->have_set)
			bitfield_set_all(&p->have);
		else if (p->early_bits != NULL) {
			if (bitfield_load(&p->have, p->early_bits,
			    p->nearly_bits) == 0)
				p->have_set = 1;
		}
		torrent_avail_add(t, p, 1);
	}
	torrent_ask_layers(t);
}

static void
torrent_got_metadata(struct torrent *t)
{
	char		*cause = NULL;

	if (metainfo_parse_info(&t->m, t->meta, t->meta_size, &cause) != 0) {
		torrent_fail(t, "the share's metadata is invalid: %s", cause);
		free(cause);
		return;
	}
	if (!(t->m.versions & MI_V2) && !t->public) {
		torrent_fail(t, "the share is not a BitTorrent v2 torrent");
		return;
	}
	if (t->public && t->m.ssl_cert != NULL) {
		torrent_fail(t, "the torrent is an SSL torrent, which shoal "
		    "does not fetch over plain BitTorrent");
		return;
	}
	/*
	 * Known by its v1 hash alone, a hybrid is fetched as v1: its peers
	 * may be v1 clients, which have no piece layers to give.
	 */
	if (t->public && !torrent_knows_v2(t))
		t->m.versions &= ~MI_V2;
	log_info("%s: metadata received: %u pieces, %llu bytes", t->m.name,
	    t->m.npieces, (unsigned long long)t->m.total_size);
	torrent_know_metadata(t);
}

/* Sending: the folder has been hashed. */
static void
torrent_made(void *arg, struct creator *c)
{
	struct torrent	*t = arg;
	const uint8_t	*data;
	size_t		 len;
	char		*cause = NULL;

	if (t->stopping)
		return;
	if (creator_error(c) != NULL) {
		torrent_fail(t, "%s", creator_error(c));
		return;
	}
	data = creator_torrent(c, &len);
	if (metainfo_parse(&t->m, data, len, &cause) != 0) {
		torrent_fail(t, "%s", cause);
		free(cause);
		return;
	}
	t->have_meta = 1;
	memcpy(t->ih2, t->m.ih2, 32);
	torrent_set_hashes(t);
	if (!t->named) {
		free(t->name);
		t->name = xstrdup(t->m.name);
	}
	t->storage = storage_new(&t->e->loop, &t->m, t->path, 1);
	/* Who holds what: a seed spends its uplink on the rarest. */
	t->avail = xcalloc(t->m.npieces + 1, sizeof *t->avail);
	t->served_to = xcalloc(t->m.npieces + 1, sizeof *t->served_to);
	site_torrent_init(t);
	t->state = TORRENT_RUNNING;
	log_info("%s: ready to send: %u pieces, %llu bytes", t->name,
	    t->m.npieces, (unsigned long long)t->m.total_size);
	if (t->e->lsd != NULL)
		lsd_announce(t->e->lsd);
	engine_notify(t->e);	/* The link can be printed now. */
}

static void
torrent_warn(void *arg, const char *msg)
{
	struct torrent	*t = arg;

	log_warn("%s: %s", t->name, msg);
}

struct torrent_peek {
	uv_work_t	 req;
	struct torrent	*t;		/* Only t->path and t->ih2 are read. */
	struct metainfo	 m;
	int		 found;
};

static void
torrent_peek_work(uv_work_t *req)
{
	struct torrent_peek	*j = req->data;

	metainfo_init(&j->m);
	j->found = storage_peek_resume(j->t->path, j->t->ih2, &j->m) == 0;
}

/*
 * A resume file for this torrent: its metadata and layers, so no peer is
 * needed for them. Unless a peer was quicker (BEP 9), or we are stopping.
 */
static void
torrent_peek_after(uv_work_t *req, int status)
{
	struct torrent_peek	*j = req->data;
	struct torrent		*t = j->t;

	if (status != 0 || !j->found || t->have_meta || t->stopping ||
	    t->state != TORRENT_METADATA) {
		metainfo_free(&j->m);
		free(j);
		return;
	}
	t->m = j->m;
	free(j);
	log_info("%s: resuming from %s/.shoal", t->m.name, t->path);
	torrent_know_metadata(t);
}

/* Seeding a public torrent: the folder has been checked against it. */
static void
torrent_checked(void *arg, struct checker *c)
{
	struct torrent			*t = arg;
	const struct checker_file	*res = checker_results(c);
	const struct mi_file		*bad = NULL;
	uint32_t			 good = checker_good_pieces(c);
	size_t				 i;

	for (i = 0; i < t->m.nfiles && bad == NULL; i++) {
		if (metainfo_is_content(&t->m.files[i]) &&
		    res[i].status != CHECKER_OK)
			bad = &t->m.files[i];
	}
	checker_free(c);
	t->checker = NULL;
	if (t->stopping) {
		t->stop_cb(t->stop_arg);
		return;
	}
	if (bad != NULL || good != t->m.npieces) {
		torrent_fail(t, "%s does not match %s: %u of %u pieces are "
		    "missing or fail their hashes%s%s%s", t->path,
		    t->torrent_file, t->m.npieces - good, t->m.npieces,
		    bad != NULL ? " (the first file in doubt is " : "",
		    bad != NULL ? bad->path : "", bad != NULL ? ")" : "");
		return;
	}
	t->have_meta = 1;
	bitfield_init(&t->single_source, t->m.npieces);
	t->storage = storage_new(&t->e->loop, &t->m, t->path, 1);
	t->avail = xcalloc(t->m.npieces + 1, sizeof *t->avail);
	site_torrent_init(t);
	t->state = TORRENT_RUNNING;
	log_info("%s: checked, seeding: %u pieces, %llu bytes", t->name,
	    t->m.npieces, (unsigned long long)t->m.total_size);
	if (t->e->lsd != NULL)
		lsd_announce(t->e->lsd);
	engine_notify(t->e);
}

/* A public torrent: check and seed, or get from a .torrent or a link. */
static int
torrent_start_public(struct torrent *t)
{
	char	*root;

	if (t->torrent_file == NULL)
		return (0);	/* A link: like a receiver's. */
	if (!t->sending) {
		torrent_know_metadata(t);
		return (1);
	}
	/* The checker takes a single file's own path. */
	if (t->m.single_file)
		xasprintf(&root, "%s/%s", t->path, t->m.name);
	else
		root = xstrdup(t->path);
	t->state = TORRENT_CHECKING;
	t->checker = checker_new(&t->e->loop, &t->m, root, torrent_checked, t);
	free(root);
	checker_start(t->checker);
	return (1);
}

void
torrent_start(struct torrent *t)
{
	struct creator_opts	 opts;
	struct torrent_peek	*j;

	if (t->public && torrent_start_public(t))
		return;
	if (t->sending) {
		memset(&opts, 0, sizeof opts);
		opts.path = t->path;
		opts.versions = MI_HYBRID;
		opts.mtime = 1;
		opts.created_by = "shoal " PACKAGE_VERSION;
		t->creator = creator_new(&t->e->loop, &opts, torrent_warn,
		    torrent_made, t);
		creator_start(t->creator);
		return;
	}
	/* The resume file can hold a 30 MiB info dict: read it off the loop. */
	j = xcalloc(1, sizeof *j);
	j->req.data = j;
	j->t = t;
	if (uv_queue_work(&t->e->loop, &j->req, torrent_peek_work,
	    torrent_peek_after) != 0)
		fatalx("uv_queue_work failed");
}

void
torrent_add_peer_addr(struct torrent *t, const char *text)
{
	struct torrent_addr	*a;
	struct addrinfo		 hints, *res = NULL;
	char			 host[256], *port;
	size_t			 len = strlen(text);

	if (len >= sizeof host)
		return;
	memcpy(host, text, len + 1);
	if ((port = strrchr(host, ':')) == NULL)
		return;
	*port++ = '\0';
	if (host[0] == '[' && port[-2] == ']') {
		port[-2] = '\0';
		memmove(host, host + 1, strlen(host));
	}
	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	if (getaddrinfo(host, port, &hints, &res) != 0 || res == NULL) {
		log_warn("%s: cannot use peer address %s", t->name, text);
		return;
	}
	t->addrs = xreallocarray(t->addrs, t->naddrs + 1, sizeof *t->addrs);
	a = &t->addrs[t->naddrs++];
	memset(a, 0, sizeof *a);
	memcpy(&a->ss, res->ai_addr, res->ai_addrlen);
	snprintf(a->text, sizeof a->text, "%s", text);
	freeaddrinfo(res);
}

/* Is a peer that listens at a's address connected already (it dialled us)? */
static int
torrent_addr_connected(struct torrent *t, const struct torrent_addr *a)
{
	struct peer		*p;
	struct wire_pex_peer	 x;
	uint16_t		 port;

	port = a->ss.ss_family == AF_INET6 ?
	    ntohs(((const struct sockaddr_in6 *)&a->ss)->sin6_port) :
	    ntohs(((const struct sockaddr_in *)&a->ss)->sin_port);
	for (p = t->peers; p != NULL; p = p->next) {
		if (torrent_pex_addr(p, &x) != 0 || x.port != port)
			continue;
		if (a->ss.ss_family == AF_INET && x.ip_len == 4 &&
		    memcmp(x.ip, &((const struct sockaddr_in *)&a->ss)->sin_addr,
		    4) == 0)
			return (1);
		if (a->ss.ss_family == AF_INET6 && x.ip_len == 16 &&
		    memcmp(x.ip,
		    &((const struct sockaddr_in6 *)&a->ss)->sin6_addr, 16) == 0)
			return (1);
	}
	return (0);
}

/* A peer found on the LAN (BEP 14): dial it unless we know it already. */
void
torrent_add_local_addr(struct torrent *t, const char *text)
{
	size_t	i;

	for (i = 0; i < t->naddrs; i++) {
		if (strcmp(t->addrs[i].text, text) == 0) {
			t->addrs[i].local = 1;
			return;
		}
	}
	if (t->naddrs >= TORRENT_MAX_ADDRS ||
	    strcmp(text, t->e->listen_text) == 0)
		return;
	torrent_add_peer_addr(t, text);
	if (t->naddrs > 0 && strcmp(t->addrs[t->naddrs - 1].text, text) == 0) {
		t->addrs[t->naddrs - 1].local = 1;
		log_info("%s: found %s on the local network", t->name, text);
		engine_soon(t->e);
	}
}

/*
 * A peer a tracker named: dial it unless we know it already. With the
 * list full, it takes the place of the address that failed most (at least
 * TORRENT_EVICT_FAILS times), so dead addresses don't shut out new ones.
 */
int
torrent_add_tracker_addr(struct torrent *t, const char *text)
{
	size_t	i, worst = t->naddrs;

	for (i = 0; i < t->naddrs; i++) {
		if (strcmp(t->addrs[i].text, text) == 0)
			return (0);
		if (!t->addrs[i].connected && !t->addrs[i].pinned &&
		    !t->addrs[i].banned && !t->addrs[i].local &&
		    t->addrs[i].failures >= TORRENT_EVICT_FAILS &&
		    (worst == t->naddrs ||
		    t->addrs[i].failures > t->addrs[worst].failures))
			worst = i;
	}
	if (strcmp(text, t->e->listen_text) == 0)
		return (0);
	if (t->naddrs >= TORRENT_MAX_ADDRS) {
		if (worst == t->naddrs)
			return (0);
		log_debug("%s: %s failed %u times: forgotten", t->name,
		    t->addrs[worst].text, t->addrs[worst].failures);
		t->addrs[worst] = t->addrs[--t->naddrs];
	}
	torrent_add_peer_addr(t, text);
	if (t->naddrs == 0 || strcmp(t->addrs[t->naddrs - 1].text, text) != 0)
		return (0);
	log_info("%s: found %s through a tracker", t->name, text);
	engine_soon(t->e);
	return (1);
}

/* Dial the addresses we know and are not connected to, when due. */
static void
torrent_dial(struct torrent *t, uint64_t now)
{
	size_t		 i, ndials = 0;
	char		 addr[64];

	/* A seed has nothing to offer before its folder is checked. */
	if (t->checker != NULL)
		return;
	for (i = 0; i < t->naddrs; i++)
		ndials += t->addrs[i].connected;
	for (i = 0; i < t->naddrs; i++) {
		struct torrent_addr *a = &t->addrs[i];

		if (a->connected || a->banned || now < a->next_try_ms ||
		    (t->state == TORRENT_COMPLETE && !t->stay) ||
		    ndials >= TORRENT_MAX_DIALS ||
		    torrent_addr_connected(t, a))
			continue;
		ndials++;
		a->connected = 1;
		a->next_try_ms = now + 1000;
		snprintf(addr, sizeof addr, "%s", a->text);
		log_debug("%s: connecting to %s", t->name, addr);
		if (peer_connect(t->e, t, (struct sockaddr *)&a->ss,
		    a->pinned ? t->pinned : NULL) == NULL) {
			a->connected = 0;
			a->failures++;
		}
	}
}

/*
 * Soon after a change in the swarm (engine_soon()): tell peers about new
 * ones and dial addresses just learned, without waiting for the tick, so
 * that the nodes of a site find each other within milliseconds.
 */
void
torrent_soon(struct torrent *t, uint64_t now)
{
	if (t->state == TORRENT_FAILED || t->state == TORRENT_MAKING ||
	    t->stopping)
		return;
	if (t->pex_dirty)
		torrent_pex_send(t);
	torrent_dial(t, now);
}

void
torrent_tick(struct torrent *t, uint64_t now)
{
	struct peer	*p, *next;

	if (t->state == TORRENT_FAILED || t->state == TORRENT_MAKING ||
	    t->stopping)
		return;
	if (t->pex_dirty)
		torrent_pex_send(t);
	if (t->state == TORRENT_RUNNING && site_wan_split(t))
		torrent_withdraw_wan(t);
	torrent_layers_or_v1(t, now);
	if (now - t->last_choke_ms >= TORRENT_CHOKE_MS || t->rechoke_soon) {
		t->rechoke_soon = 0;
		t->last_choke_ms = now;
		/* Declines are hints for a while, not for good. */
		for (p = t->peers; p != NULL; p = p->next)
			bitfield_clear_all(&p->declined);
		torrent_rechoke(t, now - t->last_optimistic_ms >=
		    TORRENT_OPTIMISTIC_MS);
		if (now - t->last_optimistic_ms >= TORRENT_OPTIMISTIC_MS)
			t->last_optimistic_ms = now;
	}
	torrent_dial(t, now);
	for (p = t->peers; p != NULL; p = next) {
		next = p->next;
		peer_tick(p, now);
		if (!p->closing && t->state == TORRENT_RUNNING)
			torrent_request_more(t, p);
		/* Layers nobody is fetching (their peer left, or refused). */
		if (!p->closing && t->state == TORRENT_LAYERS &&
		    !p->hash_refused)
			torrent_ask_layers_from(t, p);
	}
	if (!t->sending && t->storage != NULL &&
	    t->state == TORRENT_RUNNING &&
	    now - t->last_save_ms > TORRENT_SAVE_MS) {
		t->last_save_ms = now;
		storage_save(t->storage);
	}
}

/* Stopping: close peers, then storage. */

struct torrent_stop {
	struct torrent	*t;
	void		(*cb)(void *);
	void		*arg;
};

static void
torrent_storage_closed(void *arg)
{
	struct torrent_stop	*s = arg;

	s->t->storage = NULL;
	s->cb(s->arg);
	free(s);
}

void
torrent_stop(struct torrent *t, void (*cb)(void *), void *arg)
{
	struct torrent_stop	*s;
	struct peer		*p;

	t->stopping = 1;
	while ((p = t->peers) != NULL)
		peer_close(p, "shutting down");
	if (t->creator != NULL)
		creator_cancel(t->creator);
	torrent_free_pieces(t);
	if (t->checker != NULL) {
		/* The check cannot be cut short: its end stops us. */
		t->stop_cb = cb;
		t->stop_arg = arg;
		return;
	}
	if (t->storage == NULL) {
		cb(arg);
		return;
	}
	s = xcalloc(1, sizeof *s);
	s->t = t;
	s->cb = cb;
	s->arg = arg;
	storage_close(t->storage, torrent_storage_closed, s);
}

/* Commands from the front end: pause, resume, re-check. */

void
torrent_pause(struct torrent *t, int pause)
{
	struct peer	*p, *next;
	size_t		 i;

	if (t->paused == pause)
		return;
	t->paused = pause;
	if (!pause) {
		/* Dial at once instead of after the back-off. */
		for (i = 0; i < t->naddrs; i++) {
			t->addrs[i].failures = 0;
			t->addrs[i].next_try_ms = 0;
		}
		log_info("%s: resumed", t->name);
		return;
	}
	log_info("%s: paused", t->name);
	while ((p = t->peers) != NULL)
		peer_close(p, "the share is paused");
	/* Connections of ours still in their handshake. */
	for (p = t->e->pending; p != NULL; p = next) {
		next = p->next;
		if (p->t == t)
			peer_close(p, "the share is paused");
	}
	torrent_free_pieces(t);
	if (t->storage != NULL && !t->sending &&
	    t->state == TORRENT_RUNNING)
		storage_save(t->storage);
}

static void
torrent_recheck_closed(void *arg)
{
	struct torrent	*t = arg;

	if (t->stopping)
		return;
	t->storage = storage_new(&t->e->loop, &t->m, t->path, 0);
	storage_distrust(t->storage);
	storage_set_complete_cb(t->storage, torrent_complete, t);
	storage_start(t->storage, torrent_storage_ready, t);
}

/*
 * Close the peers and the storage (which saves what it has), then open
 * the storage again distrusting its resume record: every file on disk is
 * hashed again and the peers come back through the usual redials.
 */
int
torrent_recheck(struct torrent *t, char **cause)
{
	struct peer	*p;
	struct storage	*old;

	if (t->sending) {
		xasprintf(cause, "%s is sent from this node: there is nothing "
		    "to re-check", t->name);
		return (-1);
	}
	if (t->storage == NULL || (t->state != TORRENT_RUNNING &&
	    t->state != TORRENT_COMPLETE)) {
		xasprintf(cause, "%s cannot be re-checked before its first "
		    "check has finished", t->name);
		return (-1);
	}
	log_info("%s: re-checking every file", t->name);
	while ((p = t->peers) != NULL)
		peer_close(p, "the share is being re-checked");
	torrent_free_pieces(t);
	old = t->storage;
	t->storage = NULL;
	t->state = TORRENT_CHECKING;
	storage_set_complete_cb(old, NULL, NULL);
	storage_close(old, torrent_recheck_closed, t);
	return (0);
}
