/* Fuzz target: version records (sh_version), decoded and verified. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "buf.h"
#include "version.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *p, size_t len)
{
	struct version_record	 r;
	struct buf		 b;
	char			*cause = NULL;

	if (version_decode(p, len, &r, &cause) == 0) {
		(void)version_verify(&r);
		buf_init(&b);
		version_encode(&b, &r);
		buf_destroy(&b);
	}
	free(cause);
	return (0);
}
