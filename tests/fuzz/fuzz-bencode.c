/* Fuzz target: the strict bencode decoder, and canonical re-encoding. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "bencode.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *p, size_t len)
{
	struct benc_doc	 doc;
	char		*cause = NULL;

	if (benc_decode(&doc, p, len, NULL, 0, &cause) == 0)
		benc_doc_free(&doc);
	free(cause);
	cause = NULL;
	if (benc_decode(&doc, p, len, NULL, BENC_LENIENT |
	    BENC_ALLOW_TRAILING, &cause) == 0)
		benc_doc_free(&doc);
	free(cause);
	return (0);
}
