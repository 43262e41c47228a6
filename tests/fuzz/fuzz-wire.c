/*
 * Fuzz target: everything a peer sends, as the engine reads it: the
 * handshake, then a stream of messages, each extended payload decoded as
 * an LTEP handshake, a ut_metadata message and a PEX message.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "wire.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *p, size_t len)
{
	static struct wire_ltep	 ltep;
	static struct wire_pex	 pex;
	struct wire_handshake	 hs;
	struct wire_metadata	 md;
	struct wire_msg		 msg;
	char			*cause = NULL;
	size_t			 off = 0;
	ssize_t			 n;

	n = wire_parse_handshake(p, len, &hs, &cause);
	free(cause);
	cause = NULL;
	if (n > 0)
		off = (size_t)n;
	while (off < len) {
		n = wire_parse(p + off, len - off, WIRE_MAX_LEN, &msg, &cause);
		free(cause);
		cause = NULL;
		if (n <= 0)
			break;
		off += (size_t)n;
		if (msg.type != WIRE_MSG_EXTENDED)
			continue;
		if (wire_ltep_decode(msg.data, msg.data_len, &ltep, &cause) !=
		    0)
			free(cause);
		cause = NULL;
		if (wire_metadata_decode(msg.data, msg.data_len, &md,
		    &cause) != 0)
			free(cause);
		cause = NULL;
		if (wire_pex_decode(msg.data, msg.data_len, &pex, &cause) != 0)
			free(cause);
		cause = NULL;
	}
	return (0);
}
