/*
 * A fixed-size set of piece indices, stored as the BitTorrent bitfield
 * message has it: most significant bit of byte 0 is piece 0.
 */
#ifndef SHOAL_BITFIELD_H
#define SHOAL_BITFIELD_H

#include <stddef.h>
#include <stdint.h>

struct bitfield {
	uint8_t		*bits;
	uint32_t	 n;		/* Number of pieces. */
	uint32_t	 count;		/* Bits set. */
};

void	 bitfield_init(struct bitfield *, uint32_t);
void	 bitfield_destroy(struct bitfield *);
size_t	 bitfield_bytes(const struct bitfield *);
int	 bitfield_get(const struct bitfield *, uint32_t);
/* Set or clear a bit; returns 1 if it changed. */
int	 bitfield_set(struct bitfield *, uint32_t);
int	 bitfield_clear(struct bitfield *, uint32_t);
void	 bitfield_set_all(struct bitfield *);
void	 bitfield_clear_all(struct bitfield *);
int	 bitfield_complete(const struct bitfield *);
/* Load from wire bytes: -1 if the length is wrong or spare bits are set. */
int	 bitfield_load(struct bitfield *, const uint8_t *, size_t);
/* Count set bits in [first, first + n). */
uint32_t bitfield_count_range(const struct bitfield *, uint32_t, uint32_t);

#endif
