/* Writing JSON text for --json outputs: strings escaped per RFC 8259. */
#ifndef SHOAL_JSON_H
#define SHOAL_JSON_H

#include <stddef.h>

#include "buf.h"

/* Append s (len bytes) as a quoted JSON string; invalid UTF-8 becomes U+FFFD. */
void	json_add_str(struct buf *, const char *, size_t);
void	json_add_cstr(struct buf *, const char *);

#endif
