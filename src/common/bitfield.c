/* Piece sets with a running count of set bits. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "bitfield.h"
#include "xmalloc.h"

void
bitfield_init(struct bitfield *bf, uint32_t n)
{
	bf->n = n;
	bf->count = 0;
	bf->bits = xcalloc(bitfield_bytes(bf) == 0 ? 1 : bitfield_bytes(bf), 1);
}

void
bitfield_destroy(struct bitfield *bf)
{
	free(bf->bits);
	memset(bf, 0, sizeof *bf);
}

size_t
bitfield_bytes(const struct bitfield *bf)
{
	return (((size_t)bf->n + 7) / 8);
}

int
bitfield_get(const struct bitfield *bf, uint32_t i)
{
	if (i >= bf->n)
		return (0);
	return ((bf->bits[i >> 3] >> (7 - (i & 7))) & 1);
}

int
bitfield_set(struct bitfield *bf, uint32_t i)
{
	if (i >= bf->n || bitfield_get(bf, i))
		return (0);
	bf->bits[i >> 3] |= 0x80 >> (i & 7);
	bf->count++;
	return (1);
}

int
bitfield_clear(struct bitfield *bf, uint32_t i)
{
	if (i >= bf->n || !bitfield_get(bf, i))
		return (0);
	bf->bits[i >> 3] &= ~(0x80 >> (i & 7));
	bf->count--;
	return (1);
}

void
bitfield_set_all(struct bitfield *bf)
{
	size_t	nb = bitfield_bytes(bf);

	if (nb == 0)
		return;
	memset(bf->bits, 0xff, nb);
	if (bf->n & 7)
		bf->bits[nb - 1] = (uint8_t)(0xff << (8 - (bf->n & 7)));
	bf->count = bf->n;
}

void
bitfield_clear_all(struct bitfield *bf)
{
	/* An empty bitfield has no bits: memset(NULL, 0, 0) is undefined. */
	if (bf->bits != NULL)
		memset(bf->bits, 0, bitfield_bytes(bf));
	bf->count = 0;
}

int
bitfield_complete(const struct bitfield *bf)
{
	return (bf->count == bf->n);
}

int
bitfield_load(struct bitfield *bf, const uint8_t *p, size_t len)
{
	size_t		nb = bitfield_bytes(bf), i;
	uint32_t	count = 0;

	if (len != nb)
		return (-1);
	if ((bf->n & 7) != 0 && (p[nb - 1] & (0xff >> (bf->n & 7))) != 0)
		return (-1);
	memcpy(bf->bits, p, nb);
	for (i = 0; i < nb; i++)
		count += (uint32_t)__builtin_popcount(p[i]);
	bf->count = count;
	return (0);
}

uint32_t
bitfield_count_range(const struct bitfield *bf, uint32_t first, uint32_t n)
{
	uint32_t	i, c = 0;

	/* i - first < n: first + n may not fit in 32 bits. */
	for (i = first; i < bf->n && i - first < n; i++)
		c += (uint32_t)bitfield_get(bf, i);
	return (c);
}
