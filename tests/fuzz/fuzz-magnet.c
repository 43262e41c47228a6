/* Fuzz target: magnet links, parsed and formatted again. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "magnet.h"
#include "xmalloc.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *p, size_t len)
{
	struct magnet	 mg;
	char		*s = xmalloc(len + 1), *cause = NULL, *out;

	memcpy(s, p, len);
	s[len] = '\0';
	magnet_init(&mg);
	if (magnet_parse(&mg, s, &cause) == 0) {
		out = magnet_format(&mg);
		free(out);
	}
	free(cause);
	magnet_destroy(&mg);
	free(s);
	return (0);
}
