/*
 * Tracker announces over the network: for each torrent and tracker URL,
 * "started" once the torrent's hash is known, again at the tracker's
 * interval, "completed" when the torrent completes and "stopped" at
 * shutdown, over HTTP (BEP 3) or UDP (BEP 15). Peers the trackers name
 * are handed to the torrent. The bytes themselves are tracker.c's.
 *
 * The module is "announcer", not "tracker", because src/common/tracker.h
 * is the codec it uses and both directories are on the include path.
 */
#ifndef SHOAL_ANNOUNCER_H
#define SHOAL_ANNOUNCER_H

#ifndef SHOAL_ENGINE_INTERNAL
#error "only the engine includes announcer.h"
#endif

#include <stdint.h>

struct engine;
struct torrent;
struct announcer_set;

struct announcer_set	*announcer_set_new(struct engine *);
/* Free the set; its requests must be over (after stop, or never run). */
void			 announcer_set_free(struct announcer_set *);
/*
 * Announce torrent t to the tracker at url from the next tick on (a URL
 * given twice for one torrent counts once). -1 and *cause if the URL is
 * not one we can use.
 */
int			 announcer_add(struct announcer_set *, struct torrent *,
			    const char *, char **);
/* Send the announces that are due. Called every engine tick. */
void			 announcer_tick(struct announcer_set *, uint64_t);
/*
 * Shutdown: cancel what is in flight, announce "stopped" wherever
 * "started" was answered, wait for those answers a bounded time, close
 * every handle, then call cb(arg) once.
 */
void			 announcer_stop(struct announcer_set *,
			    void (*)(void *), void *);

#endif
