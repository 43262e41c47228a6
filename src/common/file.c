/*
 * The one loop that writes a whole buffer to a file and makes it durable,
 * used wherever shoal writes a file it must not lose half of (keys,
 * certificates, torrents, configs).
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"

int
file_write_sync(int fd, const void *data, size_t len, mode_t mode)
{
	const uint8_t	*p = data;
	ssize_t		 n;

	if (fchmod(fd, mode) != 0)
		return (-1);
	while (len > 0) {
		if ((n = write(fd, p, len)) < 0) {
			if (errno == EINTR)
				continue;
			return (-1);
		}
		p += n;
		len -= (size_t)n;
	}
	return (fsync(fd));
}
