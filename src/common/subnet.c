/*
 * CIDR subnets: parsing and membership. Pure code: the engine asks it
 * whether a peer's address is inside one of the node's local subnets.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdlib.h>
#include <string.h>

#include "subnet.h"
#include "xmalloc.h"

/* Clear every bit of addr past the first bits. */
static void
subnet_mask(uint8_t *addr, size_t len, unsigned bits)
{
	size_t	i;

	for (i = 0; i < len; i++) {
		if (bits >= 8)
			bits -= 8;
		else {
			addr[i] &= (uint8_t)(0xff00 >> bits);
			bits = 0;
		}
	}
}

int
subnet_parse(const char *s, struct subnet *sn)
{
	const char	*slash;
	char		*host, *end;
	unsigned long	 bits;
	unsigned	 max;
	int		 r = -1;

	memset(sn, 0, sizeof *sn);
	if ((slash = strchr(s, '/')) == NULL || slash[1] == '\0' ||
	    strspn(slash + 1, "0123456789") != strlen(slash + 1) ||
	    strlen(slash + 1) > 3)
		return (-1);
	host = xstrndup(s, (size_t)(slash - s));
	if (inet_pton(AF_INET, host, sn->addr) == 1) {
		sn->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, host, sn->addr) == 1) {
		sn->family = AF_INET6;
		max = 128;
	} else
		goto out;
	bits = strtoul(slash + 1, &end, 10);
	if (bits > max)
		goto out;
	sn->bits = (unsigned)bits;
	subnet_mask(sn->addr, max / 8, sn->bits);
	r = 0;
out:
	free(host);
	if (r != 0)
		memset(sn, 0, sizeof *sn);
	return (r);
}

int
subnet_contains(const struct subnet *sn, const struct sockaddr *sa)
{
	static const uint8_t	 mapped[12] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
	};
	uint8_t			 a[16];
	size_t			 len;

	if (sa->sa_family == AF_INET) {
		memcpy(a, &((const struct sockaddr_in *)(const void *)sa)->
		    sin_addr, 4);
		len = 4;
	} else if (sa->sa_family == AF_INET6) {
		memcpy(a, &((const struct sockaddr_in6 *)(const void *)sa)->
		    sin6_addr, 16);
		len = 16;
		if (sn->family == AF_INET && memcmp(a, mapped, 12) == 0) {
			memmove(a, a + 12, 4);
			len = 4;
		}
	} else
		return (0);
	if ((len == 4) != (sn->family == AF_INET))
		return (0);
	subnet_mask(a, len, sn->bits);
	return (memcmp(a, sn->addr, len) == 0);
}
