/*
 * Locality (PROTOCOL.md A3b): which peers share this node's site, and
 * which pieces this node may fetch across the WAN. A piece that a local
 * peer holds is fetched from it; the pieces nobody local holds are split
 * among the local nodes still fetching, so that each office's link
 * carries each piece about once.
 */
#ifndef SHOAL_SITE_H
#define SHOAL_SITE_H

#ifndef SHOAL_ENGINE_INTERNAL
#error "only the engine includes site.h"
#endif

#include <stdint.h>

struct engine;
struct peer;
struct torrent;

/* Decide whether p is local now (site name, subnet, LAN discovery). */
void	site_peer_update(struct torrent *, struct peer *);
/* p's pieces count (delta 1) or stop counting (-1) as local ones. */
void	site_avail_add(struct torrent *, const struct peer *, int);
/* p announced piece idx (a HAVE it did not have before). */
void	site_have(struct torrent *, const struct peer *, uint32_t);
/* p left the torrent. */
void	site_peer_gone(struct torrent *, struct peer *);
/* Do local peers limit what this node fetches across the WAN now? */
int	site_wan_split(struct torrent *);
/* May piece idx be fetched from a peer of another site? */
int	site_wan_ok(struct torrent *, uint32_t);
/* The torrent learned its piece count: make the per-piece state. */
void	site_torrent_init(struct torrent *);
void	site_torrent_free(struct torrent *);

#endif
