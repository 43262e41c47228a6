/*
 * The fuzz targets' driver when they are not built with libFuzzer: replay
 * every seed in tests/fuzz/corpus/<target>/ and then deterministic
 * mutations of each (bytes flipped, inserted, deleted, the input cut
 * short), so "make check" already feeds every parser of outside input a
 * few thousand hostile variants. A crash or a sanitizer report fails it.
 * TAP: one point per seed.
 */
#include "config.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Mutated variants run per seed. */
#define DRIVER_MUTATIONS	20000
/* Largest input we build. */
#define DRIVER_MAX		(1 << 20)

static uint64_t	driver_state = 0x9e3779b97f4a7c15ULL;

static uint64_t
driver_rand(void)
{
	driver_state ^= driver_state << 13;
	driver_state ^= driver_state >> 7;
	driver_state ^= driver_state << 17;
	return (driver_state);
}

static size_t
driver_mutate(uint8_t *p, size_t len, size_t cap)
{
	unsigned	k, n = 1 + (unsigned)(driver_rand() % 4);
	size_t		at;

	for (k = 0; k < n; k++) {
		at = len == 0 ? 0 : (size_t)(driver_rand() % len);
		switch (driver_rand() % 6) {
		case 0:		/* Flip a bit. */
			if (len > 0)
				p[at] ^= (uint8_t)(1 << (driver_rand() % 8));
			break;
		case 1:		/* An interesting byte. */
			if (len > 0)
				p[at] = "\0\xff:ie-0123456789dl"[driver_rand() %
				    19];
			break;
		case 2:		/* Insert a byte. */
			if (len < cap) {
				memmove(p + at + 1, p + at, len - at);
				p[at] = (uint8_t)driver_rand();
				len++;
			}
			break;
		case 3:		/* Delete a byte. */
			if (len > 0) {
				memmove(p + at, p + at + 1, len - at - 1);
				len--;
			}
			break;
		case 4:		/* Cut short. */
			len = at;
			break;
		default:	/* Duplicate a run. */
			if (len > 0 && len * 2 <= cap) {
				size_t	n2 = 1 + (size_t)(driver_rand() %
				    (len - at));

				memmove(p + at + n2, p + at, len - at);
				len += n2;
			}
			break;
		}
	}
	return (len);
}

int
main(int argc, char **argv)
{
	const char	*src = getenv("SRCDIR"), *name;
	char		 dir[4096], path[8192];
	DIR		*d;
	struct dirent	*de;
	uint8_t		*seed, *buf;
	size_t		 len, n;
	FILE		*fp;
	int		 count = 0, i;

	name = strrchr(argv[0], '/') != NULL ? strrchr(argv[0], '/') + 1 :
	    argv[0];
	if (strncmp(name, "fuzz-", 5) == 0)
		name += 5;
	snprintf(dir, sizeof dir, "%s/tests/fuzz/corpus/%s",
	    src != NULL ? src : ".", name);
	if (argc > 1)
		snprintf(dir, sizeof dir, "%s", argv[1]);
	if ((d = opendir(dir)) == NULL) {
		printf("not ok 1 - no corpus at %s\n1..1\n", dir);
		return (1);
	}
	seed = malloc(DRIVER_MAX);
	buf = malloc(DRIVER_MAX);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		if ((fp = fopen(path, "rb")) == NULL)
			continue;
		len = fread(seed, 1, DRIVER_MAX / 2, fp);
		fclose(fp);
		LLVMFuzzerTestOneInput(seed, len);
		driver_state ^= (uint64_t)len * 0x100000001b3ULL;
		for (i = 0; i < DRIVER_MUTATIONS; i++) {
			memcpy(buf, seed, len);
			n = driver_mutate(buf, len, DRIVER_MAX);
			LLVMFuzzerTestOneInput(buf, n);
		}
		printf("ok %d - %s: the seed and %d mutations of it\n",
		    ++count, de->d_name, DRIVER_MUTATIONS);
		fflush(stdout);
	}
	closedir(d);
	free(seed);
	free(buf);
	printf("1..%d\n", count);
	return (count > 0 ? 0 : 1);
}
