/*
 * Subnets in CIDR notation ("10.1.0.0/16", "fd00::/8") and whether an
 * address lies inside one: how a node tells which peers share its site
 * (PROTOCOL.md A3b).
 */
#ifndef SHOAL_SUBNET_H
#define SHOAL_SUBNET_H

#include <stdint.h>

#include <sys/socket.h>

struct subnet {
	int		family;		/* AF_INET or AF_INET6. */
	uint8_t		addr[16];	/* Network bytes, host bits cleared. */
	unsigned	bits;		/* Prefix length. */
};

/* Parse ADDR/BITS; 0 on success, -1 if s is not a subnet. */
int	subnet_parse(const char *, struct subnet *);
/*
 * 1 if the address is inside the subnet. An IPv4-mapped IPv6 address
 * (::ffff:a.b.c.d) is matched as the IPv4 address it carries.
 */
int	subnet_contains(const struct subnet *, const struct sockaddr *);

#endif
