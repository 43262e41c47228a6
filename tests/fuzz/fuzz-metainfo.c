/* Fuzz target: .torrent files and bare info dicts, then their magnets. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "metainfo.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *p, size_t len)
{
	struct metainfo	 m;
	char		*cause = NULL, *magnet;
	size_t		 i;

	if (metainfo_parse(&m, p, len, &cause) == 0) {
		magnet = metainfo_magnet(&m);
		free(magnet);
		for (i = 0; i < m.npieces; i++)
			(void)metainfo_piece_size(&m, (uint32_t)i);
		metainfo_free(&m);
	}
	free(cause);
	cause = NULL;
	if (metainfo_parse_info(&m, p, len, &cause) == 0)
		metainfo_free(&m);
	free(cause);
	return (0);
}
