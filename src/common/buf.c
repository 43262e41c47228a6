/*
 * Growable byte buffers, used by the encoders (bencode, JSON, wire) and by
 * anything that assembles bytes of unknown length.
 */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "xmalloc.h"

void
buf_init(struct buf *b)
{
	b->data = NULL;
	b->len = b->cap = 0;
}

void
buf_destroy(struct buf *b)
{
	free(b->data);
	buf_init(b);
}

/* Forget the contents but keep the memory. */
void
buf_reset(struct buf *b)
{
	b->len = 0;
}

/* Make room for at least extra more bytes. */
void
buf_reserve(struct buf *b, size_t extra)
{
	size_t	need;

	if (extra > SIZE_MAX - b->len - 1)
		fatalx("buffer size overflow");
	need = b->len + extra + 1;	/* Room for a terminating NUL. */
	if (need <= b->cap)
		return;
	if (b->cap < 64)
		b->cap = 64;
	while (b->cap < need)
		b->cap = b->cap > SIZE_MAX / 2 ? need : b->cap * 2;
	b->data = xrealloc(b->data, b->cap);
}

void
buf_add(struct buf *b, const void *p, size_t len)
{
	buf_reserve(b, len);
	if (len != 0)
		memcpy(b->data + b->len, p, len);
	b->len += len;
	b->data[b->len] = '\0';
}

void
buf_add_byte(struct buf *b, uint8_t c)
{
	buf_add(b, &c, 1);
}

void
buf_add_str(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		fatalx("bad format string");
	buf_reserve(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void
buf_add_u32be(struct buf *b, uint32_t v)
{
	uint8_t	p[4] = { v >> 24, v >> 16, v >> 8, v };

	buf_add(b, p, sizeof p);
}

void
buf_add_u64be(struct buf *b, uint64_t v)
{
	buf_add_u32be(b, (uint32_t)(v >> 32));
	buf_add_u32be(b, (uint32_t)v);
}

/* Drop n bytes from the front. */
void
buf_consume(struct buf *b, size_t n)
{
	if (n >= b->len) {
		b->len = 0;
		return;
	}
	memmove(b->data, b->data + n, b->len - n);
	b->len -= n;
	b->data[b->len] = '\0';
}

/* The contents as a NUL-terminated string (still owned by the buffer). */
char *
buf_cstr(struct buf *b)
{
	buf_reserve(b, 0);
	b->data[b->len] = '\0';
	return ((char *)b->data);
}

/* Hand the contents to the caller, who frees them; the buffer is emptied. */
uint8_t *
buf_steal(struct buf *b, size_t *len)
{
	uint8_t	*p;

	buf_reserve(b, 0);
	b->data[b->len] = '\0';	/* A buffer never added to has no NUL yet. */
	p = b->data;
	if (len != NULL)
		*len = b->len;
	buf_init(b);
	return (p);
}
