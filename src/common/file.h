/* Writing whole files safely: every byte, the mode, then fsync. */
#ifndef SHOAL_FILE_H
#define SHOAL_FILE_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Give fd the mode, write all of len bytes (retrying short writes and
 * EINTR) and fsync it. 0, or -1 with errno set; fd stays open.
 */
int	file_write_sync(int, const void *, size_t, mode_t);

#endif
