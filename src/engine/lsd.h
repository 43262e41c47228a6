/*
 * BEP 14 Local Service Discovery over IPv4 multicast: nodes on one LAN
 * announce the torrents they have and the port they listen on, and learn
 * of each other without a tracker or a link naming them.
 */
#ifndef SHOAL_LSD_H
#define SHOAL_LSD_H

#ifndef SHOAL_ENGINE_INTERNAL
#error "only the engine includes lsd.h"
#endif

struct engine;
struct lsd;

/* Join the group and announce every torrent; NULL and *cause on failure. */
struct lsd	*lsd_new(struct engine *, char **);
/* Announce now (a torrent is ready to be found). */
void		 lsd_announce(struct lsd *);
/* Close the socket and timers; freed from their close callbacks. */
void		 lsd_close(struct lsd *);

#endif
