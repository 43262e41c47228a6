/*
 * Magnet links (BEP 9 text, BEP 52 btmh): parsing what libtorrent and
 * other clients print, and building shoal's own form (PROTOCOL.md A4):
 * magnet:?xt=urn:btmh:1220<v2>[&xt=urn:btih:<v1>]&dn=<name>
 *     &x.pe=<host:port>&x.node=<node ID>[&x.share=<share ID>]
 */
#ifndef SHOAL_MAGNET_H
#define SHOAL_MAGNET_H

#include <stddef.h>
#include <stdint.h>

/* The longest link we read. */
#define MAGNET_MAX_LEN		65536
/* The longest value of one parameter, once decoded. */
#define MAGNET_MAX_VALUE	4096
/* Trackers and direct peers kept from one link; the rest are ignored. */
#define MAGNET_MAX_TRACKERS	32
#define MAGNET_MAX_PEERS	32

struct magnet_peer {
	char		*host;	/* A name or an address; no [] around IPv6. */
	uint16_t	 port;
};

struct magnet {
	int			 has_v1;
	uint8_t			 v1[20];	/* btih */
	int			 has_v2;
	uint8_t			 v2[32];	/* btmh, sha2-256 */
	char			*name;		/* dn, or NULL */
	char			**trackers;	/* tr */
	size_t			 ntrackers;
	struct magnet_peer	*peers;		/* x.pe */
	size_t			 npeers;
	char			*node;		/* x.node, as text, or NULL */
	char			*share;		/* x.share, as text, or NULL */
};

void	 magnet_init(struct magnet *);
void	 magnet_destroy(struct magnet *);
int	 magnet_parse(struct magnet *, const char *, char **);
int	 magnet_add_tracker(struct magnet *, const char *);
int	 magnet_add_peer(struct magnet *, const char *, uint16_t);
char	*magnet_format(const struct magnet *);

#endif
