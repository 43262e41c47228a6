/* Lower-case hexadecimal encoding of byte strings. */
#ifndef SHOAL_HEX_H
#define SHOAL_HEX_H

#include <stddef.h>
#include <stdint.h>

/* Write 2 * len hex digits and a NUL into out (2 * len + 1 bytes). */
void	hex_encode(const uint8_t *, size_t, char *);
/* Decode exactly 2 * len hex digits (either case); 0 on success, -1 if bad. */
int	hex_decode(const char *, size_t, uint8_t *);

#endif
