/*
 * Locality: a peer is local when it names the same site in its extended
 * handshake (sh_site), when its address lies in one of the node's local
 * subnets, or when LAN discovery (BEP 14) found it. Local peers are
 * preferred by the picker and the choker and, unless the node says
 * otherwise, pass outside the rate limits.
 *
 * Across the WAN, a receiver fetches only pieces that no local peer holds
 * and that it "owns": each missing piece is owned by one node of the set
 * made of this node and its local peers still fetching, chosen by
 * rendezvous hashing (the highest hash of node ID and piece index wins).
 * Every node of a site computes the same owners from the same set, so the
 * site's link carries each piece once without a message to agree on it;
 * the others get the piece from its owner once it announces it. If the
 * local peers stop making progress (a node that owns pieces hangs), the
 * split is dropped until they move again, so nothing waits forever.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#define SHOAL_ENGINE_INTERNAL
#include "engine-int.h"
#include "log.h"
#include "site.h"
#include "subnet.h"
#include "xmalloc.h"

/*
 * How long the local peers may go without announcing a piece before this
 * node fetches other nodes' share of the WAN pieces too: long enough for a
 * piece to cross a slow office link, short enough that a hung node delays
 * its office by seconds, not for good.
 */
#define SITE_STALL_MS	10000

/* Does a's IP (port ignored) equal b's? */
static int
site_same_ip(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return (0);
	if (a->ss_family == AF_INET)
		return (memcmp(&((const struct sockaddr_in *)a)->sin_addr,
		    &((const struct sockaddr_in *)b)->sin_addr, 4) == 0);
	if (a->ss_family == AF_INET6)
		return (memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
		    &((const struct sockaddr_in6 *)b)->sin6_addr, 16) == 0);
	return (0);
}

static int
site_is_local(struct torrent *t, const struct peer *p)
{
	struct engine	*e = t->e;
	size_t		 i;

	if (e->site[0] != '\0' && p->got_ext && strcmp(p->ext.site,
	    e->site) == 0)
		return (1);
	for (i = 0; i < e->nsubnets; i++) {
		if (subnet_contains(&e->subnets[i],
		    (const struct sockaddr *)&p->ss))
			return (1);
	}
	for (i = 0; i < t->naddrs; i++) {
		if (t->addrs[i].local && site_same_ip(&t->addrs[i].ss, &p->ss))
			return (1);
	}
	return (0);
}

void
site_torrent_init(struct torrent *t)
{
	free(t->avail_local);
	bitfield_destroy(&t->wan_mine);
	t->avail_local = xcalloc(t->m.npieces + 1, sizeof *t->avail_local);
	bitfield_init(&t->wan_mine, t->m.npieces);
	t->wan_dirty = 1;
}

void
site_torrent_free(struct torrent *t)
{
	free(t->avail_local);
	t->avail_local = NULL;
	bitfield_destroy(&t->wan_mine);
}

void
site_avail_add(struct torrent *t, const struct peer *p, int delta)
{
	uint32_t	i;

	if (!p->local || t->avail_local == NULL ||
	    p->have.n != t->m.npieces)
		return;
	for (i = 0; i < t->m.npieces; i++) {
		if (!bitfield_get(&p->have, i))
			continue;
		if (delta > 0)
			t->avail_local[i]++;
		else if (t->avail_local[i] > 0)
			t->avail_local[i]--;
	}
	t->wan_dirty = 1;
	t->local_progress_ms = engine_now(t->e);
}

void
site_have(struct torrent *t, const struct peer *p, uint32_t idx)
{
	if (!p->local || t->avail_local == NULL || idx >= t->m.npieces)
		return;
	t->avail_local[idx]++;
	t->local_progress_ms = engine_now(t->e);
	/* A local peer that has everything no longer owns WAN pieces. */
	if (p->have.count == p->have.n)
		t->wan_dirty = 1;
}

/*
 * The buckets of the remote site p names, made on first sight; 0 if p is
 * local, names no site, sites are not limited, or the table is full.
 */
static size_t
site_slot(struct engine *e, const struct peer *p)
{
	size_t	i;

	if (e->sites == NULL || p->local || !p->got_ext ||
	    p->ext.site[0] == '\0')
		return (0);
	for (i = 0; i < e->nsites; i++) {
		if (strcmp(e->sites[i].name, p->ext.site) == 0)
			return (i + 1);
	}
	if (e->nsites == ENGINE_MAX_SITES)
		return (0);
	snprintf(e->sites[i].name, sizeof e->sites[i].name, "%s",
	    p->ext.site);
	ratelimit_init(&e->sites[i].up, e->site_up, engine_now(e));
	ratelimit_init(&e->sites[i].down, e->site_down, engine_now(e));
	e->nsites++;
	log_info("site %s: limited to %llu bytes/s up, %llu down (0: none)",
	    p->ext.site, (unsigned long long)e->site_up,
	    (unsigned long long)e->site_down);
	return (i + 1);
}

void
site_peer_update(struct torrent *t, struct peer *p)
{
	int	local = site_is_local(t, p);

	if (local != p->local) {
		if (p->have_set)
			site_avail_add(t, p, -1);
		p->local = local;
		if (local)
			t->nlocal++;
		else
			t->nlocal--;
		if (p->have_set)
			site_avail_add(t, p, 1);
		t->wan_dirty = 1;
		log_info("%s: peer %s node %s is %s", t->name, p->addr,
		    p->node_short, local ? "local" : "remote");
	}
	p->site_slot = site_slot(t->e, p);
}

void
site_peer_gone(struct torrent *t, struct peer *p)
{
	if (p->local) {
		t->wan_dirty = 1;
		t->nlocal--;
		p->local = 0;
	}
}

/* The rendezvous weight of a node for a piece: a 64-bit mix of both. */
static uint64_t
site_weight(const uint8_t *id, uint32_t idx)
{
	uint64_t	x = 0;
	int		i;

	for (i = 0; i < 8; i++)
		x = (x << 8) | id[i];
	/* splitmix64's finaliser over the node ID and the piece index. */
	x ^= (uint64_t)idx * 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return (x ^ (x >> 31));
}

/* Recompute which missing pieces this node fetches across the WAN. */
static void
site_wan_compute(struct torrent *t)
{
	const uint8_t	**ids;
	struct peer	 *p;
	size_t		  n = 0, k;
	uint32_t	  i;
	uint64_t	  w, best;
	int		  mine;

	ids = xreallocarray(NULL, t->npeers + 1, sizeof *ids);
	ids[n++] = t->e->id.id;
	for (p = t->peers; p != NULL; p = p->next) {
		if (p->local && !p->closing && p->got_handshake &&
		    p->have_set && !p->ext.upload_only &&
		    p->have.count < p->have.n)
			ids[n++] = p->node_id;
	}
	for (i = 0; i < t->m.npieces; i++) {
		best = site_weight(ids[0], i);
		mine = 1;
		for (k = 1; k < n; k++) {
			w = site_weight(ids[k], i);
			/* Equal weights: the smaller node ID wins. */
			if (w > best || (w == best &&
			    memcmp(ids[k], ids[0], 32) < 0)) {
				mine = 0;
				break;
			}
		}
		if (mine)
			bitfield_set(&t->wan_mine, i);
		else
			bitfield_clear(&t->wan_mine, i);
	}
	if (n > 1 && t->nwan_set != n)
		log_debug("%s: %zu local nodes share the WAN pieces; %u are "
		    "ours", t->name, n, t->wan_mine.count);
	t->nwan_set = n;
	free(ids);
	t->wan_dirty = 0;
	t->local_progress_ms = engine_now(t->e);
}

int
site_wan_split(struct torrent *t)
{
	if (t->avail_local == NULL)
		return (0);
	if (t->wan_dirty)
		site_wan_compute(t);
	return (t->nlocal > 0);
}

int
site_wan_ok(struct torrent *t, uint32_t idx)
{
	if (t->avail_local == NULL)
		return (1);
	if (t->avail_local[idx] > 0)
		return (0);
	if (t->wan_dirty)
		site_wan_compute(t);
	if (t->nwan_set <= 1 || bitfield_get(&t->wan_mine, idx))
		return (1);
	return (engine_now(t->e) - t->local_progress_ms > SITE_STALL_MS);
}
