/*
 * shoal.conf: a file using every key read into the right fields, indented
 * and CRLF files, repeatable keys accumulating, every kind of mistake
 * refused with its exact "FILE:LINE: [section] key: ..." message (lines
 * too long for inih among them), a bad file leaving the old settings as
 * they were, and conf_print() output that conf_load() reads back to the
 * same settings.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../test.h"

#include "buf.h"
#include "conf.h"
#include "log.h"
#include "nodeid.h"
#include "xmalloc.h"

static char	scratch[256];
static char	cwd[512];	/* The scratch folder, as getcwd() says. */
/* Three node IDs in text form, and their bytes. */
static uint8_t	id1[NODEID_LEN], id2[NODEID_LEN], id3[NODEID_LEN];
static char	id1_text[NODEID_TEXT_SIZE], id2_text[NODEID_TEXT_SIZE];
static char	id3_text[NODEID_TEXT_SIZE];

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

/* Write text (len bytes) to a file in the scratch folder. */
static void
write_file(const char *name, const char *text, size_t len)
{
	FILE	*fp;

	if ((fp = fopen(name, "wb")) == NULL ||
	    fwrite(text, 1, len, fp) != len || fclose(fp) != 0) {
		printf("Bail out! cannot write %s: %s\n", name,
		    strerror(errno));
		exit(99);
	}
}

/*
 * Load text as shoal.conf into c; returns conf_load()'s result and, on
 * failure, the message in *cause (the caller frees it).
 */
static int
load_text(struct conf *c, const char *text, char **cause)
{
	*cause = NULL;
	write_file("shoal.conf", text, strlen(text));
	return (conf_load(c, "shoal.conf", cause));
}

/* A file that must load; the config goes to c. */
static int
load_ok(struct conf *c, const char *text, const char *what)
{
	char	*cause = NULL;
	int	 r;

	r = load_text(c, text, &cause);
	if (r != 0)
		printf("# %s: %s\n", what, cause);
	free(cause);
	return (CHECK_MSG(r == 0, what));
}

/* A file that must be refused with exactly want (and the return code). */
static void
load_bad(const char *text, int code, const char *want, const char *what)
{
	struct conf	 c;
	char		*cause = NULL;
	int		 r;

	memset(&c, 0xa5, sizeof c);
	r = load_text(&c, text, &cause);
	if (r != code)
		printf("# got %d, want %d\n", r, code);
	CHECK_MSG(r == code, label("%s: refused", what));
	test_check_str(cause, want, label("%s: the message", what), __FILE__,
	    __LINE__);
	free(cause);
	if (r == 0)
		conf_free(&c);
}

static void
test_defaults(void)
{
	struct conf	c;

	conf_init(&c);
	CHECK(c.node.name == NULL);
	CHECK_INT(c.node.listen.n, 1);
	CHECK_STR(c.node.listen.v[0], "0.0.0.0:7420");
	CHECK_INT(c.node.lsd, 1);
	CHECK_INT(c.node.pex, 1);
	CHECK_INT(c.node.lan_limits, 0);
	CHECK_INT(c.node.upload_limit, 0);
	CHECK_INT(c.node.log_level, LOG_INFO);
	CHECK_INT(c.nshares, 0);
	conf_free(&c);
	CHECK(c.node.listen.v == NULL && c.shares == NULL);

	/* An empty file, and one of comments only, are all defaults. */
	if (load_ok(&c, "", "an empty file loads")) {
		CHECK_STR(c.file, "shoal.conf");
		CHECK_INT(c.node.listen.n, 1);
		CHECK_INT(c.nshares, 0);
		conf_free(&c);
	}
	if (load_ok(&c, "# a comment\n; another\n\n   \n\t# indented\n",
	    "a file of comments loads"))
		conf_free(&c);
}

/* Every table entry is complete and documented in a consistent way. */
static void
test_table(void)
{
	const struct conf_entry	*e, *f;
	int			 ok = 1, dup = 0, n = 0;

	for (e = conf_table; e->key != NULL; e++) {
		n++;
		if (e->help == NULL || *e->help == '\0')
			ok = 0;
		if (e->type == CONF_ENUM && e->choices == NULL)
			ok = 0;
		for (f = conf_table; f < e; f++) {
			if (f->section == e->section &&
			    strcmp(f->key, e->key) == 0)
				dup = 1;
		}
		if (conf_find(e->section, e->key) != e)
			ok = 0;
	}
	CHECK_INT(n, 36);
	CHECK_MSG(ok, "every key has help, choices if an enum, and is found");
	CHECK_MSG(!dup, "no key is listed twice in a section");
	CHECK(conf_find(CONF_SECTION_NODE, "mode") == NULL);
	CHECK(conf_find(CONF_SECTION_SHARE, "mode") != NULL);
	CHECK(conf_find(CONF_SECTION_SHARE, "nope") == NULL);
}

/* A file with every key, in every form of value it takes. */
static const char *
full_text(void)
{
	static char	text[4096];

	snprintf(text, sizeof text,
	    "# shoal.conf for the tests\n"			/* 1 */
	    "[node]\n"
	    "name = alpha node\n"
	    "listen = 0.0.0.0:7420\n"
	    "listen = [::1]:0\n"				/* 5 */
	    "state_dir = state/./shoal//\n"
	    "key_file = ~/keys/node.key\n"
	    "cert_file = /etc/shoal/../shoal/node.crt\n"
	    "ca = /etc/shoal/ca.crt\n"
	    "site = hq\n"					/* 10 */
	    "local_subnet = 10.1.0.0/16\n"
	    "local_subnet = fd00::/8\n"
	    "upload_limit = 500K\n"
	    "download_limit = 20M/s\n"
	    "lan_limits = yes\n"				/* 15 */
	    "lsd = off\n"
	    "pex = False\n"
	    "tracker = udp://tracker.example:6969/announce\n"
	    "tracker = https://t.example/announce\n"
	    "log_file = logs/shoal.log\n"			/* 20 */
	    "log_level = debug\n"
	    "\n"
	    "[share \"builds\"]\n"
	    "path = /srv/builds\n"
	    "mode = send\n"					/* 25 */
	    "allow = %s\n"
	    "allow = %s\n"
	    "peer = 192.0.2.7:7420\n"
	    "peer = seed.example:7421\n"
	    "peer = [2001:db8::7]:7420\n"			/* 30 */
	    "open = no\n"
	    "upload_limit = 1.5M\n"
	    "rescan = 30s\n"
	    "share_id = %s\n"
	    "\n"						/* 35 */
	    "[share nightly]   ; an inline comment\n"
	    "  path = in/nightly\n"
	    "  mode = receive\n"
	    "\tshare_id = %s\n"
	    "on_removed = trash\n"				/* 40 */
	    "on_complete = /usr/local/bin/notify --done\n"
	    "publish = atomic\n"
	    "before_publish = test -d incoming\n"
	    "after_publish = systemctl reload web ; an inline comment\n"
	    "download_limit = 1G\n"				/* 45 */
	    "ca = ../ca.crt\n"
	    "allow = %s\n",
	    id1_text, id2_text, id3_text, id2_text, id3_text);
	return (text);
}

static void
test_full(void)
{
	struct conf		 c;
	struct conf_share	*s;
	const char		*home = getenv("HOME");
	char			 want[1024];

	if (!load_ok(&c, full_text(), "a file with every key loads"))
		return;
	CHECK_STR(c.node.name, "alpha node");
	CHECK_INT(c.node.listen.n, 2);
	CHECK_STR(c.node.listen.v[0], "0.0.0.0:7420");
	CHECK_STR(c.node.listen.v[1], "[::1]:0");
	snprintf(want, sizeof want, "%s/state/shoal", cwd);
	CHECK_STR(c.node.state_dir, want);
	snprintf(want, sizeof want, "%s/keys/node.key", home);
	CHECK_STR(c.node.key_file, want);
	CHECK_STR(c.node.cert_file, "/etc/shoal/node.crt");
	CHECK_STR(c.node.ca, "/etc/shoal/ca.crt");
	CHECK_STR(c.node.site, "hq");
	CHECK_INT(c.node.local_subnet.n, 2);
	CHECK_STR(c.node.local_subnet.v[1], "fd00::/8");
	CHECK_INT(c.node.upload_limit, 500 * 1024);
	CHECK_INT(c.node.download_limit, 20 * 1024 * 1024);
	CHECK_INT(c.node.lan_limits, 1);
	CHECK_INT(c.node.lsd, 0);
	CHECK_INT(c.node.pex, 0);
	CHECK_INT(c.node.tracker.n, 2);
	CHECK_STR(c.node.tracker.v[0], "udp://tracker.example:6969/announce");
	snprintf(want, sizeof want, "%s/logs/shoal.log", cwd);
	CHECK_STR(c.node.log_file, want);
	CHECK_INT(c.node.log_level, LOG_DEBUG);

	CHECK_INT(c.nshares, 2);
	if (c.nshares != 2) {
		conf_free(&c);
		return;
	}
	s = &c.shares[0];
	CHECK_STR(s->name, "builds");
	CHECK_INT(s->line, 23);
	CHECK_STR(s->path, "/srv/builds");
	CHECK_INT(s->mode, CONF_MODE_SEND);
	CHECK_INT(s->allow.n, 2);
	CHECK(s->allow.n == 2 && memcmp(s->allow.v[0], id1, NODEID_LEN) == 0 &&
	    memcmp(s->allow.v[1], id2, NODEID_LEN) == 0);
	CHECK_INT(s->peer.n, 3);
	CHECK_STR(s->peer.v[1], "seed.example:7421");
	CHECK_STR(s->peer.v[2], "[2001:db8::7]:7420");
	CHECK_INT(s->open, 0);
	CHECK(s->ca == NULL);
	CHECK_INT(s->upload_limit, 1536 * 1024);
	CHECK_INT(s->download_limit, 0);
	CHECK_INT(s->rescan, 30);
	CHECK(s->share_id.set && memcmp(s->share_id.id, id3, NODEID_LEN) == 0);
	/* The receive-only keys keep their defaults on a send share. */
	CHECK_INT(s->on_removed, CONF_REMOVED_KEEP);
	CHECK_INT(s->publish, CONF_PUBLISH_PER_FILE);

	s = &c.shares[1];
	CHECK_STR(s->name, "nightly");
	CHECK_INT(s->line, 36);
	snprintf(want, sizeof want, "%s/in/nightly", cwd);
	CHECK_STR(s->path, want);
	CHECK_INT(s->mode, CONF_MODE_RECEIVE);
	CHECK(s->share_id.set && memcmp(s->share_id.id, id2, NODEID_LEN) == 0);
	CHECK_INT(s->on_removed, CONF_REMOVED_TRASH);
	CHECK_STR(s->on_complete, "/usr/local/bin/notify --done");
	CHECK_INT(s->publish, CONF_PUBLISH_ATOMIC);
	CHECK_STR(s->before_publish, "test -d incoming");
	CHECK_STR(s->after_publish, "systemctl reload web");
	CHECK_INT(s->download_limit, 1024 * 1024 * 1024);
	snprintf(want, sizeof want, "%s", cwd);
	*strrchr(want, '/') = '\0';
	strncat(want, "/ca.crt", sizeof want - strlen(want) - 1);
	CHECK_STR(s->ca, want);
	CHECK_INT(s->rescan, 300);	/* The default, unused here. */
	CHECK_INT(s->allow.n, 1);
	conf_free(&c);
}

/* Other spellings: CRLF, a BOM, ':' for '=', one-word names, no spaces. */
static void
test_forms(void)
{
	struct conf	c;
	char		text[1024];

	snprintf(text, sizeof text,
	    "\xef\xbb\xbf[node]\r\n"
	    "name: beta\r\n"
	    "lsd=1\r\n"
	    "upload_limit = 2KiB\r\n"
	    "[ share   \"my builds\" ]   # a comment\r\n"
	    "path=/a\r\n"
	    "mode=send\r\n"
	    "allow=%s\r\n",
	    "p56ioi7mzjnu2iqgdreydm2mgtmgl3bxnpq6w5btbbz4tjxzwicq");
	if (load_ok(&c, text, "CRLF, a BOM, ':' and unspaced keys load")) {
		CHECK_STR(c.node.name, "beta");
		CHECK_INT(c.node.lsd, 1);
		CHECK_INT(c.node.upload_limit, 2048);
		CHECK_INT(c.nshares, 1);
		if (c.nshares == 1) {
			CHECK_STR(c.shares[0].name, "my builds");
			CHECK_STR(c.shares[0].path, "/a");
			CHECK_INT(c.shares[0].allow.n, 1);
		}
		conf_free(&c);
	}

	/* A list given in the file replaces its default, then accumulates. */
	if (load_ok(&c, "[node]\nlisten = 127.0.0.1:1\nlisten = "
	    "127.0.0.1:2\nlisten = 127.0.0.1:3\n", "three listen lines")) {
		CHECK_INT(c.node.listen.n, 3);
		CHECK_STR(c.node.listen.v[0], "127.0.0.1:1");
		CHECK_STR(c.node.listen.v[2], "127.0.0.1:3");
		conf_free(&c);
	}
	/* The same node ID twice, in two spellings, is kept once. */
	snprintf(text, sizeof text, "[share \"s\"]\npath = /s\nmode = send\n"
	    "allow = %s\nallow = %s\n",
	    "P56IOI7-MZJNU2Y-IQGDREY-DM2MGTI-MGL3BXN-PQ6W5BM-TBBZ4TJ-XZWICQ2",
	    "p56ioi7mzjnu2iqgdreydm2mgtmgl3bxnpq6w5btbbz4tjxzwicq");
	if (load_ok(&c, text, "one node allowed twice")) {
		CHECK_INT(c.shares[0].allow.n, 1);
		conf_free(&c);
	}
	/* The node's ca lets a send share name no receivers itself. */
	if (load_ok(&c, "[share \"s\"]\npath = /s\nmode = send\n[node]\n"
	    "ca = /ca.crt\n", "a send share admitted by the node's ca")) {
		CHECK(c.shares[0].ca == NULL);
		conf_free(&c);
	}
	if (load_ok(&c, "[share \"s\"]\npath = /s\nmode = send\nopen = yes\n"
	    "rescan = 0\n", "an open send share, never rescanned")) {
		CHECK_INT(c.shares[0].rescan, 0);
		CHECK_INT(c.shares[0].open, 1);
		conf_free(&c);
	}
	/* The longest line that fits: 197 bytes. */
	memset(text, 'x', 197);
	text[0] = '#';
	text[197] = '\n';
	text[198] = '\0';
	if (load_ok(&c, text, "a 197-byte line loads"))
		conf_free(&c);
}

/* Each mistake, with its exact message. */
static void
test_errors(void)
{
	char	text[1024], want[256], name65[66], line250[300];

	/* Keys. */
	load_bad("[node]\ncolour = blue\n", CONF_ERR_INVALID,
	    "shoal.conf:2: [node] colour: unknown key", "an unknown key");
	load_bad("[node]\nmode = send\n", CONF_ERR_INVALID,
	    "shoal.conf:2: [node] mode: not a [node] key: it goes in a "
	    "[share \"NAME\"] section", "a share key in [node]");
	load_bad("[share \"b\"]\npath = /b\nmode = send\nopen = yes\n"
	    "log_level = info\n", CONF_ERR_INVALID,
	    "shoal.conf:5: [share \"b\"] log_level: not a share key: it goes "
	    "in [node]", "a node key in a share");
	load_bad("name = x\n[node]\n", CONF_ERR_INVALID,
	    "shoal.conf:1: name: a key outside any section: put it under "
	    "[node] or [share \"NAME\"]", "a key before any section");
	load_bad("[node]\nname = a\nsite = b\nname = c\n", CONF_ERR_INVALID,
	    "shoal.conf:4: [node] name: set twice (first on line 2)",
	    "a key set twice");
	load_bad("[node]\n\n# comment\nlsd\n", CONF_ERR_INVALID,
	    "shoal.conf:4: expected KEY = VALUE, a [section] header, or a "
	    "comment starting with #", "a line without =");
	load_bad("[node]\n= yes\n", CONF_ERR_INVALID,
	    "shoal.conf:2: expected KEY = VALUE, a [section] header, or a "
	    "comment starting with #", "a line without a key");
	load_bad("[node]\nlsd ; = yes\n", CONF_ERR_INVALID,
	    "shoal.conf:2: expected KEY = VALUE, a [section] header, or a "
	    "comment starting with #", "the = in a comment");

	/* Values, type by type. */
	load_bad("[node]\nname =\n", CONF_ERR_INVALID,
	    "shoal.conf:2: [node] name: no value: expected some text",
	    "an empty value");
	memset(name65, 'n', 65);
	name65[65] = '\0';
	snprintf(text, sizeof text, "[node]\nsite = %s\n", name65);
	load_bad(text, CONF_ERR_INVALID,
	    "shoal.conf:2: [node] site: longer than 64 characters",
	    "a site name too long");
	load_bad("[node]\nlsd = maybe\n", CONF_ERR_INVALID,
	    "shoal.conf:2: [node] lsd: expected yes or no", "a bad bool");
	load_bad("[node]\nlsd = yes # on\n", CONF_ERR_INVALID,
	    "shoal.conf:2: [node] lsd: expected yes or no (a # comment goes on "
	    "a line of its own)", "a # comment after a value");
	load_bad("[node]\nupload_limit = fast\n", CONF_ERR_INVALID,
	    "shoal.conf:2: [node] upload_limit: expected a rate like 500K or "
	    "20M (bytes a second), or 0 for no limit", "a bad rate");
	load_bad("[node]\ndownload_limit = -5M\n", CONF_ERR_INVALID,
	    "shoal.conf:2: [node] download_limit: expected a rate like 500K or "
	    "20M (bytes a second), or 0 for no limit", "a negative rate");
	load_bad("[node]\nlog_level = loud\n", CONF_ERR_INVALID,
	    "shoal.conf:2: [node] log_level: expected debug, info, warn or "
	    "error", "a bad log level");
	load_bad("[node]\nlisten = 7420\n", CONF_ERR_INVALID,
	    "shoal.conf:2: [node] listen: expected ADDR:PORT, like "
	    "192.0.2.7:7420 or [2001:db8::7]:7420", "a listen without a host");
	load_bad("[node]\nlisten = 0.0.0.0:70000\n", CONF_ERR_INVALID,
	    "shoal.conf:2: [node] listen: port 70000 is out of range: "
	    "expected 0 to 65535", "a port too high");
	load_bad("[node]\nlisten = 300.1.2.3:1\n", CONF_ERR_INVALID,
	    "shoal.conf:2: [node] listen: expected ADDR:PORT, like "
	    "192.0.2.7:7420 or [2001:db8::7]:7420", "a bad IPv4 address");
	load_bad("[node]\nlisten = [fe80::zz]:1\n", CONF_ERR_INVALID,
	    "shoal.conf:2: [node] listen: expected ADDR:PORT, like "
	    "192.0.2.7:7420 or [2001:db8::7]:7420", "a bad IPv6 address");
	load_bad("[node]\nlocal_subnet = 10.1.0.0/33\n", CONF_ERR_INVALID,
	    "shoal.conf:2: [node] local_subnet: expected a subnet like "
	    "10.1.0.0/16 or fd00::/8", "a subnet with too many bits");
	load_bad("[node]\nlocal_subnet = 10.1.0.0\n", CONF_ERR_INVALID,
	    "shoal.conf:2: [node] local_subnet: expected a subnet like "
	    "10.1.0.0/16 or fd00::/8", "a subnet without bits");
	load_bad("[node]\ntracker = ftp://t.example/\n", CONF_ERR_INVALID,
	    "shoal.conf:2: [node] tracker: expected a tracker URL starting "
	    "with http://, https:// or udp://", "a tracker of another scheme");
	load_bad("[node]\nschedule = mon-fri 08:00-18:00 upload 1M\n"
	    "schedule = weekdays 08:00-18:00 upload 1M\n", CONF_ERR_INVALID,
	    "shoal.conf:3: [node] schedule: \"weekdays\" is not a list of "
	    "days like mon-fri or sat,sun", "a schedule with bad days");
	load_bad("[node]\nschedule = sat 22:00-06:00\n", CONF_ERR_INVALID,
	    "shoal.conf:2: [node] schedule: expected DAYS HH:MM-HH:MM, then "
	    "upload RATE and/or download RATE, like \"mon-fri 08:00-18:00 "
	    "upload 2M\"", "a schedule without limits");
	load_bad("[node]\ntracker = http://\n", CONF_ERR_INVALID,
	    "shoal.conf:2: [node] tracker: expected a tracker URL starting "
	    "with http://, https:// or udp://", "a tracker without a host");
	load_bad("[node]\nstate_dir = ~bob/state\n", CONF_ERR_INVALID,
	    "shoal.conf:2: [node] state_dir: only ~ and ~/ are expanded: write "
	    "the full path", "a ~user path");

	/* Share values. */
	load_bad("[share \"builds\"]\npath = /srv/b\nmode = sned\n",
	    CONF_ERR_INVALID,
	    "shoal.conf:3: [share \"builds\"] mode: expected send or receive",
	    "a bad mode");
	load_bad("[share \"b\"]\npath = /b\nmode = send\nallow = nope\n",
	    CONF_ERR_INVALID,
	    "shoal.conf:4: [share \"b\"] allow: not a node ID: it has 4 "
	    "characters, not 56 (or 52 without check characters)",
	    "a bad node ID");
	snprintf(text, sizeof text, "[share \"b\"]\npath = /b\nmode = send\n"
	    "allow = %s\nallow = %.62sA\n", id1_text, id2_text);
	load_bad(text, CONF_ERR_INVALID,
	    "shoal.conf:5: [share \"b\"] allow: not a node ID: the check "
	    "characters do not match: a typo?", "a node ID with a typo");
	load_bad("[share \"b\"]\npath = /b\nmode = receive\nshare_id = x\n",
	    CONF_ERR_INVALID,
	    "shoal.conf:4: [share \"b\"] share_id: not a node ID: it has 1 "
	    "characters, not 56 (or 52 without check characters)",
	    "a bad share ID");
	load_bad("[share \"b\"]\npath = /b\nmode = send\nopen = 1\n"
	    "peer = 192.0.2.1:0\n", CONF_ERR_INVALID,
	    "shoal.conf:5: [share \"b\"] peer: port 0 is out of range: "
	    "expected 1 to 65535", "a peer on port 0");
	load_bad("[share \"b\"]\npeer = ::1:7420\n", CONF_ERR_INVALID,
	    "shoal.conf:2: [share \"b\"] peer: put an IPv6 address in "
	    "brackets, like [2001:db8::7]:7420", "an IPv6 peer unbracketed");
	load_bad("[share \"b\"]\nrescan = soon\n", CONF_ERR_INVALID,
	    "shoal.conf:2: [share \"b\"] rescan: expected a duration like 30s, "
	    "5m or 2h", "a bad duration");
	load_bad("[share \"b\"]\nrescan = 31d\n", CONF_ERR_INVALID,
	    "shoal.conf:2: [share \"b\"] rescan: expected a duration from 0s "
	    "to 30d", "a duration too long");
	load_bad("[share \"b\"]\non_removed = wipe\n", CONF_ERR_INVALID,
	    "shoal.conf:2: [share \"b\"] on_removed: expected delete, keep or "
	    "trash", "a bad on_removed");
	load_bad("[share \"b\"]\npublish = now\n", CONF_ERR_INVALID,
	    "shoal.conf:2: [share \"b\"] publish: expected atomic or per-file",
	    "a bad publish");
	load_bad("[share \"b\"]\non_complete =\n", CONF_ERR_INVALID,
	    "shoal.conf:2: [share \"b\"] on_complete: no value: expected a "
	    "command", "an empty command");

	/* Section headers. */
	load_bad("[colours]\n", CONF_ERR_INVALID,
	    "shoal.conf:1: [colours]: unknown section: expected [node] or "
	    "[share \"NAME\"]", "an unknown section");
	load_bad("[node\nname = a\n", CONF_ERR_INVALID,
	    "shoal.conf:1: a section header needs a closing ]",
	    "a header without ]");
	load_bad("[share]\n", CONF_ERR_INVALID,
	    "shoal.conf:1: [share]: a share needs a name, like "
	    "[share \"builds\"]", "a share without a name");
	load_bad("[share \"\"]\n", CONF_ERR_INVALID,
	    "shoal.conf:1: [share]: a share needs a name, like "
	    "[share \"builds\"]", "a share with an empty name");
	load_bad("[share \"builds]\n", CONF_ERR_INVALID,
	    "shoal.conf:1: [share]: the share name has no closing quote",
	    "an unclosed quote");
	load_bad("[share my builds]\n", CONF_ERR_INVALID,
	    "shoal.conf:1: [share]: put a share name with blanks or quotes in "
	    "quotes, like [share \"my builds\"]",
	    "an unquoted name with blanks");
	load_bad("[share \" b\"]\n", CONF_ERR_INVALID,
	    "shoal.conf:1: [share \" b\"]: a share name cannot start or end "
	    "with a blank", "a name starting with a blank");
	snprintf(text, sizeof text, "[share \"%s\"]\n", name65);
	snprintf(want, sizeof want, "shoal.conf:1: [share \"%s\"]: a share "
	    "name has at most 64 characters", name65);
	load_bad(text, CONF_ERR_INVALID, want, "a share name too long");
	load_bad("[node \"x\"]\n", CONF_ERR_INVALID,
	    "shoal.conf:1: [node]: [node] takes no name", "a named [node]");
	load_bad("[node] x\n", CONF_ERR_INVALID,
	    "shoal.conf:1: unexpected text after the section header: \"x\"",
	    "text after a header");
	load_bad("[node]\nname = a\n[node]\n", CONF_ERR_INVALID,
	    "shoal.conf:3: [node]: a second [node] section (the first is on "
	    "line 1)", "two [node] sections");
	load_bad("[share \"b\"]\npath = /b\nmode = send\nopen = yes\n\n"
	    "[share b]\npath = /c\nmode = send\nopen = yes\n",
	    CONF_ERR_INVALID,
	    "shoal.conf:6: [share \"b\"]: a second share of that name (the "
	    "first is on line 1)", "two shares of one name");

	/* What a share needs. */
	load_bad("[node]\n[share \"b\"]\nmode = send\nopen = yes\n",
	    CONF_ERR_INVALID,
	    "shoal.conf:2: [share \"b\"] path: missing: expected a path",
	    "a share without a path");
	load_bad("[share \"b\"]\npath = /b\nopen = yes\n[node]\n",
	    CONF_ERR_INVALID,
	    "shoal.conf:1: [share \"b\"] mode: missing: expected send or "
	    "receive", "a share without a mode, before another section");
	load_bad("[share \"b\"]\npath = /b\nmode = receive\n", CONF_ERR_INVALID,
	    "shoal.conf:1: [share \"b\"] share_id: missing: a share with "
	    "mode = receive needs it", "a receive share without a share ID");
	load_bad("[share \"b\"]\npath = /b\nmode = send\nopen = yes\n"
	    "on_removed = delete\n", CONF_ERR_INVALID,
	    "shoal.conf:5: [share \"b\"] on_removed: only a share with "
	    "mode = receive uses this key", "a receive key in a send share");
	snprintf(text, sizeof text, "[share \"b\"]\nrescan = 1m\npath = /b\n"
	    "mode = receive\nshare_id = %s\n", id1_text);
	load_bad(text, CONF_ERR_INVALID,
	    "shoal.conf:2: [share \"b\"] rescan: only a share with mode = send "
	    "uses this key", "a send key in a receive share");
	snprintf(text, sizeof text, "[share \"b\"]\npath = /b\n"
	    "mode = receive\nshare_id = %s\nafter_publish = true\n", id1_text);
	load_bad(text, CONF_ERR_INVALID,
	    "shoal.conf:5: [share \"b\"] after_publish: needs publish = atomic",
	    "a publish hook without publish = atomic");
	load_bad("[share \"b\"]\npath = /b\nmode = send\n", CONF_ERR_INVALID,
	    "shoal.conf:1: [share \"b\"]: no node may receive this share: add "
	    "allow = NODEID lines, ca = FILE or open = yes",
	    "a send share nobody may receive");

	/* Lines. */
	memset(line250, 'x', 250);
	memcpy(line250, "name = ", 7);
	line250[250] = '\0';
	snprintf(text, sizeof text, "[node]\n# fine\n%s\nsite = b\n", line250);
	load_bad(text, CONF_ERR_INVALID,
	    "shoal.conf:3: the line is 250 bytes long; a line has at most 197",
	    "a 250-byte line");
	line250[0] = '#';
	snprintf(text, sizeof text, "[node]\n%s\n", line250);
	load_bad(text, CONF_ERR_INVALID,
	    "shoal.conf:2: the line is 250 bytes long; a line has at most 197",
	    "a 250-byte comment");
	memset(text, ';', 198);
	text[198] = '\0';
	load_bad(text, CONF_ERR_INVALID,
	    "shoal.conf:1: the line is 198 bytes long; a line has at most 197",
	    "a 198-byte line without a newline");
	write_file("shoal.conf", "[node]\nname = a\0b\n", 17);
	{
		struct conf	 c;
		char		*cause = NULL;

		CHECK_INT(conf_load(&c, "shoal.conf", &cause),
		    CONF_ERR_INVALID);
		CHECK_STR(cause, "shoal.conf:2: the line holds a NUL byte: "
		    "this is not a text file");
		free(cause);
	}
	load_bad("[node]\nname = a\x1b[31mred\n", CONF_ERR_INVALID,
	    "shoal.conf:2: the line holds a control character (byte 0x1b)",
	    "a control character");

	/* Files that cannot be read. */
	{
		struct conf	 c;
		char		*cause = NULL;

		CHECK_INT(conf_load(&c, "missing.conf", &cause), CONF_ERR_IO);
		CHECK_STR(cause, "cannot read missing.conf: No such file or "
		    "directory");
		free(cause);
		cause = NULL;
		mkdir("adir", 0700);
		CHECK_INT(conf_load(&c, "adir", &cause), CONF_ERR_IO);
		CHECK_STR(cause, "cannot read adir: Is a directory");
		free(cause);
	}
}

/* Two shares on one folder, however it is spelt, or one inside another. */
static void
test_paths(void)
{
	char	text[2048], want[1024];

	mkdir("real", 0700);
	mkdir("real/sub", 0700);
	if (symlink("real", "link") != 0)
		printf("# symlink: %s\n", strerror(errno));

	load_bad("[share \"a\"]\npath = /srv/x\nmode = send\nopen = yes\n"
	    "[share \"b\"]\nmode = send\nopen = yes\npath = /srv//x/\n",
	    CONF_ERR_INVALID,
	    "shoal.conf:8: [share \"b\"] path: /srv/x is the folder of "
	    "[share \"a\"] (line 1) too", "two shares on one path");
	snprintf(text, sizeof text, "[share \"a\"]\npath = real\nmode = send\n"
	    "open = yes\n[share \"b\"]\npath = %s/link/\nmode = send\n"
	    "open = yes\n", cwd);
	snprintf(want, sizeof want, "shoal.conf:6: [share \"b\"] path: %s/link "
	    "is the folder of [share \"a\"] (line 1) too", cwd);
	load_bad(text, CONF_ERR_INVALID, want, "one folder through a link");
	snprintf(text, sizeof text, "[share \"a\"]\npath = link/sub/new\n"
	    "mode = send\nopen = yes\n[share \"b\"]\npath = %s/real/sub/new\n"
	    "mode = send\nopen = yes\n", cwd);
	snprintf(want, sizeof want, "shoal.conf:6: [share \"b\"] path: "
	    "%s/real/sub/new is the folder of [share \"a\"] (line 1) too", cwd);
	load_bad(text, CONF_ERR_INVALID, want,
	    "one folder that does not exist yet, through a link");
	load_bad("[share \"a\"]\npath = /srv/x\nmode = send\nopen = yes\n"
	    "[share \"b\"]\npath = /srv/x/y\nmode = send\nopen = yes\n",
	    CONF_ERR_INVALID,
	    "shoal.conf:6: [share \"b\"] path: /srv/x/y is inside the folder "
	    "of [share \"a\"] (line 1)", "a share inside another");
	load_bad("[share \"a\"]\npath = /srv/x/y\nmode = send\nopen = yes\n"
	    "[share \"b\"]\npath = /srv/x\nmode = send\nopen = yes\n",
	    CONF_ERR_INVALID,
	    "shoal.conf:6: [share \"b\"] path: /srv/x holds the folder of "
	    "[share \"a\"] (line 1)", "a share around another");
	{
		struct conf	c;

		if (load_ok(&c, "[share \"a\"]\npath = /srv/x\nmode = send\n"
		    "open = yes\n[share \"b\"]\npath = /srv/xy\nmode = send\n"
		    "open = yes\n", "/srv/x and /srv/xy are two folders"))
			conf_free(&c);
	}
}

/* A bad file leaves the settings loaded before as they were. */
static void
test_untouched(void)
{
	struct conf	 c;
	char		*cause = NULL;

	if (!load_ok(&c, "[node]\nname = kept\n", "the first file loads"))
		return;
	CHECK_INT(load_text(&c, "[node]\nname = other\nsite = s\nlsd = x\n",
	    &cause), CONF_ERR_INVALID);
	CHECK_STR(c.node.name, "kept");
	CHECK(c.node.site == NULL);
	CHECK_INT(c.node.lsd, 1);
	free(cause);
	conf_free(&c);
}

/* conf_print() writes what conf_load() reads back to the same settings. */
static void
test_round_trip(void)
{
	struct conf	 c, d;
	struct buf	 b1, b2;
	char		*text, *cause = NULL;

	buf_init(&b1);
	buf_init(&b2);
	if (!load_ok(&c, full_text(), "the full file loads"))
		return;
	CHECK_INT(conf_print(&c, &b1), 0);
	text = buf_cstr(&b1);
	if (load_ok(&d, text, "the printed settings load")) {
		CHECK_INT(conf_print(&d, &b2), 0);
		CHECK_STR(buf_cstr(&b2), text);
		CHECK_STR(d.node.name, c.node.name);
		CHECK_INT(d.node.upload_limit, c.node.upload_limit);
		CHECK_INT(d.nshares, 2);
		CHECK_STR(d.shares[1].path, c.shares[1].path);
		CHECK_INT(d.shares[0].upload_limit, 1536 * 1024);
		CHECK_INT(d.shares[0].allow.n, 2);
		CHECK(memcmp(d.shares[0].share_id.id, id3, NODEID_LEN) == 0);
		CHECK_INT(d.shares[1].publish, CONF_PUBLISH_ATOMIC);
		conf_free(&d);
	}
	/* Fixed spellings, and the keys a share's mode does not use. */
	CHECK(strstr(text, "upload_limit = 500K\n") != NULL);
	CHECK(strstr(text, "download_limit = 20M\n") != NULL);
	CHECK(strstr(text, "upload_limit = 1536K\n") != NULL);
	CHECK(strstr(text, "download_limit = 1G\n") != NULL);
	CHECK(strstr(text, "rescan = 30s\n") != NULL);
	CHECK(strstr(text, "pex = no\n") != NULL);
	CHECK(strstr(text, "# site is not set\n") == NULL);
	CHECK(strstr(text, "[share \"nightly\"]\n") != NULL);
	CHECK(strstr(text, "# on_complete is not set\n") == NULL);
	CHECK(strstr(text, "rescan = 5m\n") == NULL);
	conf_free(&c);

	/* The defaults alone. */
	buf_reset(&b1);
	buf_reset(&b2);
	if (load_ok(&c, "", "an empty file loads")) {
		conf_print(&c, &b1);
		CHECK(strstr(buf_cstr(&b1), "listen = 0.0.0.0:7420\n") != NULL);
		CHECK(strstr(buf_cstr(&b1), "# state_dir is not set\n") !=
		    NULL);
		CHECK(strstr(buf_cstr(&b1), "log_level = info\n") != NULL);
		if (load_ok(&d, buf_cstr(&b1), "the printed defaults load")) {
			conf_print(&d, &b2);
			CHECK_STR(buf_cstr(&b2), buf_cstr(&b1));
			conf_free(&d);
		}
		conf_free(&c);
	}
	free(cause);
	buf_destroy(&b1);
	buf_destroy(&b2);
}

/* HOME unset: "~" cannot be expanded, and says so. */
static void
test_no_home(void)
{
	char	*home = getenv("HOME") != NULL ? xstrdup(getenv("HOME")) :
		    NULL;

	unsetenv("HOME");
	load_bad("[node]\nstate_dir = ~/state\n", CONF_ERR_INVALID,
	    "shoal.conf:2: [node] state_dir: cannot expand ~: HOME is not set",
	    "~ without HOME");
	if (home != NULL)
		setenv("HOME", home, 1);
	free(home);
}

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return (remove(path));
}

int
main(void)
{
	const char	*tmp = getenv("TMPDIR");
	size_t		 i;

	for (i = 0; i < NODEID_LEN; i++) {
		id1[i] = (uint8_t)i;
		id2[i] = (uint8_t)(0xff - i);
		id3[i] = (uint8_t)(i * 7 + 3);
	}
	nodeid_to_text(id1, id1_text);
	nodeid_to_text(id2, id2_text);
	nodeid_to_text(id3, id3_text);
	if (getenv("HOME") == NULL)
		setenv("HOME", "/home/test", 1);

	snprintf(scratch, sizeof scratch, "%s/test-conf.XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if (mkdtemp(scratch) == NULL || chdir(scratch) != 0 ||
	    getcwd(cwd, sizeof cwd) == NULL) {
		printf("Bail out! cannot make a scratch folder: %s\n",
		    strerror(errno));
		return (99);
	}

	test_defaults();
	test_table();
	test_full();
	test_forms();
	test_errors();
	test_paths();
	test_untouched();
	test_round_trip();
	test_no_home();

	if (chdir("/") == 0)
		nftw(scratch, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return (test_done());
}
