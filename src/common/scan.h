/*
 * Walking a folder into the file list of a new torrent: regular files,
 * symlinks that stay inside the folder, and empty directories, in tree
 * order (names sorted as raw bytes at each level). Blocking: the engine
 * runs it on the threadpool.
 */
#ifndef SHOAL_SCAN_H
#define SHOAL_SCAN_H

#include "metainfo.h"

/* Called for each thing that is left out, with a sentence saying why. */
typedef void (*scan_warn_cb)(void *, const char *);

/*
 * Fill m->name, m->files and m->single_file from path (a folder, or one
 * file). The folder's own .shoal directory is skipped. Returns 0, or -1
 * with *cause naming the path and the problem.
 */
int	scan_path(const char *, struct metainfo *, scan_warn_cb, void *,
	    char **);

/*
 * Resolve a symlink target lexically against the directory of the link at
 * rel (a path below the root). Returns the target as a path below the root
 * (caller frees), or NULL if it is absolute or leaves the root.
 */
char	*scan_link_target(const char *, const char *);

#endif
