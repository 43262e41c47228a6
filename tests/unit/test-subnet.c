/* Subnets: parsing, host bits, membership over IPv4, IPv6 and mapped. */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../test.h"

#include "subnet.h"

/* Is the address text inside the subnet text? */
static int
inside(const char *net, const char *addr)
{
	struct subnet		sn;
	struct sockaddr_in	sin;
	struct sockaddr_in6	sin6;

	if (subnet_parse(net, &sn) != 0)
		return (-1);
	memset(&sin, 0, sizeof sin);
	memset(&sin6, 0, sizeof sin6);
	if (inet_pton(AF_INET, addr, &sin.sin_addr) == 1) {
		sin.sin_family = AF_INET;
		return (subnet_contains(&sn, (struct sockaddr *)&sin));
	}
	if (inet_pton(AF_INET6, addr, &sin6.sin6_addr) == 1) {
		sin6.sin6_family = AF_INET6;
		return (subnet_contains(&sn, (struct sockaddr *)&sin6));
	}
	return (-2);
}

static void
test_parse(void)
{
	struct subnet	sn;

	CHECK_INT(subnet_parse("10.1.0.0/16", &sn), 0);
	CHECK_INT(sn.family, AF_INET);
	CHECK_INT(sn.bits, 16);
	/* Host bits are cleared: 10.1.2.3/16 is the network 10.1.0.0. */
	CHECK_INT(subnet_parse("10.1.2.3/16", &sn), 0);
	CHECK(memcmp(sn.addr, "\x0a\x01\x00\x00", 4) == 0);
	CHECK_INT(subnet_parse("10.1.2.3/20", &sn), 0);
	CHECK(memcmp(sn.addr, "\x0a\x01\x00\x00", 4) == 0);
	CHECK_INT(subnet_parse("fd00::1/8", &sn), 0);
	CHECK_INT(sn.family, AF_INET6);
	CHECK_INT(sn.addr[0], 0xfd);
	CHECK_INT(sn.addr[15], 0);
	CHECK_INT(subnet_parse("0.0.0.0/0", &sn), 0);
	CHECK_INT(subnet_parse("::/128", &sn), 0);

	CHECK_INT(subnet_parse("10.1.0.0", &sn), -1);
	CHECK_INT(subnet_parse("10.1.0.0/", &sn), -1);
	CHECK_INT(subnet_parse("10.1.0.0/33", &sn), -1);
	CHECK_INT(subnet_parse("10.1.0.0/-1", &sn), -1);
	CHECK_INT(subnet_parse("10.1.0.0/1x", &sn), -1);
	CHECK_INT(subnet_parse("10.1.0.0/0008", &sn), -1);
	CHECK_INT(subnet_parse("fd00::/129", &sn), -1);
	CHECK_INT(subnet_parse("host.example/8", &sn), -1);
	CHECK_INT(subnet_parse("/8", &sn), -1);
	CHECK_INT(subnet_parse("", &sn), -1);
}

static void
test_contains(void)
{
	CHECK_INT(inside("10.1.0.0/16", "10.1.200.7"), 1);
	CHECK_INT(inside("10.1.0.0/16", "10.2.0.1"), 0);
	CHECK_INT(inside("10.1.16.0/20", "10.1.31.255"), 1);
	CHECK_INT(inside("10.1.16.0/20", "10.1.32.0"), 0);
	CHECK_INT(inside("10.1.16.0/20", "10.1.15.255"), 0);
	CHECK_INT(inside("192.168.1.7/32", "192.168.1.7"), 1);
	CHECK_INT(inside("192.168.1.7/32", "192.168.1.8"), 0);
	CHECK_INT(inside("0.0.0.0/0", "203.0.113.9"), 1);
	CHECK_INT(inside("fd00::/8", "fd12:3456::1"), 1);
	CHECK_INT(inside("fd00::/8", "fe80::1"), 0);
	CHECK_INT(inside("2001:db8::/33", "2001:db8:7fff::1"), 1);
	CHECK_INT(inside("2001:db8::/33", "2001:db8:8000::1"), 0);
	/* Families never mix, except an IPv4-mapped IPv6 address. */
	CHECK_INT(inside("10.0.0.0/8", "fd00::1"), 0);
	CHECK_INT(inside("fd00::/8", "10.0.0.1"), 0);
	CHECK_INT(inside("10.0.0.0/8", "::ffff:10.9.8.7"), 1);
	CHECK_INT(inside("10.0.0.0/8", "::ffff:11.9.8.7"), 0);
	CHECK_INT(inside("::/0", "10.0.0.1"), 0);
}

int
main(void)
{
	test_parse();
	test_contains();
	return (test_done());
}
