/*
 * Node IDs: text forms of known byte strings, Syncthing's own test cases
 * for reading device IDs (lib/protocol/deviceid_test.go), and the
 * mistakes a person makes copying an ID, each refused with a sentence.
 */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../test.h"

#include "nodeid.h"
#include "sha.h"

/* Syncthing's example device ID, and its 32 bytes. */
#define ST_TEXT	"P56IOI7-MZJNU2Y-IQGDREY-DM2MGTI-" \
		"MGL3BXN-PQ6W5BM-TBBZ4TJ-XZWICQ2"
#define ST_HEX	"7f7c8723ecca5b4d22061c4981b34c34" \
		"d865ec376be1eb74330873c9a6f9b205"

/* A label for one check; each CHECK_MSG prints it at once. */
static const char *
label(const char *fmt, ...)
{
	static char	buf[512];
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return (buf);
}

static void
unhex(const char *s, uint8_t *out, size_t len)
{
	size_t		i;
	unsigned int	v;

	for (i = 0; i < len; i++) {
		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			abort();
		out[i] = (uint8_t)v;
	}
}

/* Byte strings and their text, computed independently in Python. */
static const struct {
	const char	*hex;
	const char	*text;
} vectors[] = {
	{ "0000000000000000000000000000000000000000000000000000000000000000",
	  "AAAAAAA-AAAAAAA-AAAAAAA-AAAAAAA-AAAAAAA-AAAAAAA-AAAAAAA-AAAAAAA" },
	{ "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
	  "AAAQEAY-EAUDAOB-CAJBIFQ-YDIOB4B-IBCEQTC-QKRMFYX-YDENBWH-A5DYPQG" },
	{ "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
	  "7777777-777777N-7777777-777777N-7777777-777777N-7777777-77777Q4" },
	{ ST_HEX, ST_TEXT },
};

static void
test_vectors(void)
{
	uint8_t	id[NODEID_LEN], back[NODEID_LEN];
	char	text[NODEID_TEXT_SIZE], sh[NODEID_SHORT_SIZE];
	char	*cause;
	size_t	i;

	for (i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
		unhex(vectors[i].hex, id, sizeof id);
		memset(text, 'x', sizeof text);
		nodeid_to_text(id, text);
		CHECK_MSG(strcmp(text, vectors[i].text) == 0,
		    label("text of %.16s... is %s", vectors[i].hex,
		    vectors[i].text));
		CHECK_INT(strlen(text), NODEID_TEXT_SIZE - 1);
		nodeid_short(id, sh);
		CHECK_MSG(strlen(sh) == 7 &&
		    strncmp(sh, vectors[i].text, 7) == 0,
		    label("short form of %s is its first group", sh));
		cause = NULL;
		memset(back, 0, sizeof back);
		CHECK_MSG(nodeid_parse(vectors[i].text, back, &cause) == 0 &&
		    memcmp(back, id, sizeof id) == 0 && cause == NULL,
		    label("%s parses back", vectors[i].text));
		free(cause);
	}
}

/* The Luhn-32 check characters, as the groups of the example ID show. */
static void
test_luhn(void)
{
	/* The four 13-character groups of the example and their checks. */
	CHECK_INT(nodeid_luhn32("P56IOI7MZJNU2", 13), 'Y');
	CHECK_INT(nodeid_luhn32("IQGDREYDM2MGT", 13), 'I');
	CHECK_INT(nodeid_luhn32("MGL3BXNPQ6W5B", 13), 'M');
	CHECK_INT(nodeid_luhn32("TBBZ4TJXZWICQ", 13), '2');
	CHECK_INT(nodeid_luhn32("AAAAAAAAAAAAA", 13), 'A');
	/* By hand: B (1) * 1 = 1, so the check is 32 - 1 = 31, '7'. */
	CHECK_INT(nodeid_luhn32("B", 1), '7');
	/* A B (1) * 2 = 2: check 30, '6'. Order matters. */
	CHECK_INT(nodeid_luhn32("AB", 2), '6');
	/* 7 (31) * 2 = 62 = 1 * 32 + 30: adds 31, check 1, 'B'. */
	CHECK_INT(nodeid_luhn32("A7", 2), 'B');
	CHECK_INT(nodeid_luhn32("", 0), 'A');
	CHECK_INT(nodeid_luhn32("A1", 2), '\0');
	CHECK_INT(nodeid_luhn32("ab", 2), '\0');
}

/* Every form Syncthing's own tests read as the example ID. */
static void
test_forgiving(void)
{
	static const char *const	 forms[] = {
		"P56IOI-7MZJNU-2IQGDR-EYDM2M-GTMGL3-BXNPQ6-W5BTBB-Z4TJXZ-WICQ",
		"P56IOI-7MZJNU2Y-IQGDR-EYDM2M-GTI-MGL3-BXNPQ6-W5BM-TBB-Z4TJXZ-"
		    "WICQ2",
		"P56IOI7 MZJNU2I QGDREYD M2MGTMGL 3BXNPQ6W 5BTB BZ4T JXZWICQ",
		"P56IOI7 MZJNU2Y IQGDREY DM2MGTI MGL3BXN PQ6W5BM TBBZ4TJ "
		    "XZWICQ2",
		"P56IOI7MZJNU2IQGDREYDM2MGTMGL3BXNPQ6W5BTBBZ4TJXZWICQ",
		"p56ioi7mzjnu2iqgdreydm2mgtmgl3bxnpq6w5btbbz4tjxzwicq",
		"P56IOI7MZJNU2YIQGDREYDM2MGTIMGL3BXNPQ6W5BMTBBZ4TJXZWICQ2",
		"P561017MZJNU2YIQGDREYDM2MGTIMGL3BXNPQ6W5BMT88Z4TJXZWICQ2",
		"p56ioi7mzjnu2yiqgdreydm2mgtimgl3bxnpq6w5bmtbbz4tjxzwicq2",
		"p561017mzjnu2yiqgdreydm2mgtimgl3bxnpq6w5bmt88z4tjxzwicq2",
		/* And ours: '=' trimmed at either end, mixed case. */
		"==P56IOI7-MZJNU2Y-IQGDREY-DM2MGTI-MGL3BXN-PQ6W5BM-TBBZ4TJ-"
		    "XZWICQ2====",
		"P56IOI7MZJNU2IQGDREYDM2MGTMGL3BXNPQ6W5BTBBZ4TJXZWICQ====",
		"p56Ioi7-mZjnu2y-iqgdrey-dm2mgti-mgl3bxn-pq6w5bm-tbbz4tj-"
		    "xzwicq2",
		"  P56IOI7-MZJNU2Y-IQGDREY-DM2MGTI-MGL3BXN-PQ6W5BM-TBBZ4TJ-"
		    "XZWICQ2  ",
	};
	uint8_t				 want[NODEID_LEN], id[NODEID_LEN];
	char				 text[NODEID_TEXT_SIZE];
	char				*cause;
	size_t				 i;

	unhex(ST_HEX, want, sizeof want);
	for (i = 0; i < sizeof forms / sizeof forms[0]; i++) {
		cause = NULL;
		memset(id, 0, sizeof id);
		if (!CHECK_MSG(nodeid_parse(forms[i], id, &cause) == 0 &&
		    memcmp(id, want, sizeof id) == 0,
		    label("\"%s\" is the example ID", forms[i])))
			printf("# cause: %s\n", cause ? cause : "(none)");
		free(cause);
		nodeid_to_text(id, text);
		CHECK_MSG(strcmp(text, ST_TEXT) == 0,
		    label("\"%s\" prints as the example ID", forms[i]));
	}
}

/* parse must fail, fill cause, and cause must contain what. */
static void
reject(const char *s, const char *what)
{
	uint8_t	 id[NODEID_LEN];
	char	*cause = NULL;
	int	 r;

	r = nodeid_parse(s, id, &cause);
	if (!CHECK_MSG(r == -1 && cause != NULL && strstr(cause, what) !=
	    NULL, label("\"%s\" is refused: %s", s, what)))
		printf("# got %d, cause: %s\n", r, cause ? cause : "(none)");
	free(cause);
}

static void
test_reject(void)
{
	char	long_s[400];
	uint8_t	id[NODEID_LEN];

	/* Syncthing's cases that must fail. */
	reject("a", "it has 1 characters, not 56");
	reject("P56IOI7MZJNU2IQGDREYDM2MGTMGL3BXNPQ6W5BTBBZ4TJXZWICQCCCC",
	    "the check characters do not match: a typo?");
	reject("p56ioi7mzjnu2iqgdreydm2mgtmgl3bxnpq6w5btbbz4tjxzwicqCCCC",
	    "the check characters do not match: a typo?");
	/* Syncthing reads "" as the all-zero ID; we refuse it. */
	reject("", "not a node ID: it is empty");
	reject("----", "not a node ID: it is empty");
	reject("====", "not a node ID: it is empty");

	/*
	 * Typos: a character in the first, fourth and sixth groups, a check
	 * character, two neighbours swapped.
	 */
	reject("Q56IOI7-MZJNU2Y-IQGDREY-DM2MGTI-MGL3BXN-PQ6W5BM-TBBZ4TJ-"
	    "XZWICQ2", "the check characters do not match: a typo?");
	reject("P56IOI7-MZJNU2Y-IQGDREY-DM2MGTJ-MGL3BXN-PQ6W5BM-TBBZ4TJ-"
	    "XZWICQ2", "the check characters do not match: a typo?");
	reject("P56IOI7-MZJNU2Y-IQGDREY-DM2MGTI-MGL3BXN-PQ6W5BN-TBBZ4TJ-"
	    "XZWICQ2", "the check characters do not match: a typo?");
	reject("P56IOI7-MZJNU2Y-IQGDREY-DM2MGTI-MGL3BXN-PQ6W5BM-TBBZ4TJ-"
	    "XZWICQ3", "the check characters do not match: a typo?");
	reject("P65IOI7-MZJNU2Y-IQGDREY-DM2MGTI-MGL3BXN-PQ6W5BM-TBBZ4TJ-"
	    "XZWICQ2", "the check characters do not match: a typo?");

	/* Wrong lengths: a group short, a group long, one character. */
	reject("P56IOI7-MZJNU2Y-IQGDREY-DM2MGTI-MGL3BXN-PQ6W5BM-TBBZ4TJ",
	    "not a node ID: it has 49 characters, not 56 (or 52 without "
	    "check characters)");
	reject("P56IOI7MZJNU2IQGDREYDM2MGTMGL3BXNPQ6W5BTBBZ4TJXZWIC",
	    "it has 51 characters");
	reject("P56IOI7MZJNU2YIQGDREYDM2MGTIMGL3BXNPQ6W5BMTBBZ4TJXZWICQ",
	    "it has 55 characters");
	reject("P56IOI7-MZJNU2Y-IQGDREY-DM2MGTI-MGL3BXN-PQ6W5BM-TBBZ4TJ-XZWICQ2"
	    "-AAAAAAA", "not a node ID: it has more than 56 characters");
	memset(long_s, '-', sizeof long_s - 1);
	long_s[sizeof long_s - 1] = '\0';
	reject(long_s, "longer than 256 characters");

	/* Characters no spelling of an ID has. */
	reject("P56IOI7-MZJNU2Y-IQGDREY-DM2MGTI-MGL3BXN-PQ6W5BM-TBBZ4TJ-XZWIC9",
	    "not a node ID: '9' is not a base32 character");
	reject("P56IOI7_MZJNU2Y", "'_' is not a base32 character");
	reject("P56IOI7\tMZJNU2Y", "byte 0x09 is not a base32 character");
	reject("P56IOI7=MZJNU2Y", "'=' is not a base32 character");

	/*
	 * 52 characters whose last one sets bits past the 256th: no ID
	 * prints like that.
	 */
	reject("P56IOI7MZJNU2IQGDREYDM2MGTMGL3BXNPQ6W5BTBBZ4TJXZWICR",
	    "do not encode exactly 32 bytes");

	/* A NULL cause is allowed. */
	CHECK(nodeid_parse("nope", id, NULL) == -1);
}

/* The node ID of a key is SHA-256 of its SPKI: any 32 bytes round-trip. */
static void
test_random(void)
{
	uint8_t	id[NODEID_LEN], back[NODEID_LEN];
	char	text[NODEID_TEXT_SIZE], seed[16];
	int	i, bad = 0;

	for (i = 0; i < 1000; i++) {
		snprintf(seed, sizeof seed, "%d", i);
		nodeid_from_spki((const uint8_t *)seed, strlen(seed), id);
		nodeid_to_text(id, text);
		if (nodeid_parse(text, back, NULL) != 0 ||
		    memcmp(id, back, sizeof id) != 0)
			bad++;
	}
	CHECK_MSG(bad == 0, "1000 IDs round-trip through text");
	sha256("shoal", 5, id);
	nodeid_from_spki((const uint8_t *)"shoal", 5, back);
	CHECK_MSG(memcmp(id, back, sizeof id) == 0,
	    "nodeid_from_spki is SHA-256");
	nodeid_to_text(id, text);
	CHECK_STR(text,
	    "RCDJNQ4-ORFO5O6-QVYJFHU-JEQZYEP-VCK2QW2-CCBXE4O-BHSCBUK-MN7EWAS");
}

int
main(void)
{
	test_vectors();
	test_luhn();
	test_forgiving();
	test_reject();
	test_random();
	return (test_done());
}
