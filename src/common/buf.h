/*
 * A growable byte buffer. The buffer owns its memory; buf_steal() hands it
 * to the caller.
 */
#ifndef SHOAL_BUF_H
#define SHOAL_BUF_H

#include <stddef.h>
#include <stdint.h>

struct buf {
	uint8_t	*data;
	size_t	 len;
	size_t	 cap;
};

void	 buf_init(struct buf *);
void	 buf_destroy(struct buf *);
void	 buf_reset(struct buf *);
void	 buf_reserve(struct buf *, size_t);
void	 buf_add(struct buf *, const void *, size_t);
void	 buf_add_byte(struct buf *, uint8_t);
void	 buf_add_str(struct buf *, const char *);
void	 buf_addf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 buf_add_u32be(struct buf *, uint32_t);
void	 buf_add_u64be(struct buf *, uint64_t);
void	 buf_consume(struct buf *, size_t);
char	*buf_cstr(struct buf *);
uint8_t	*buf_steal(struct buf *, size_t *);

#endif
