/*
 * shoal.conf: the key table, the reader and the printer. inih splits the
 * lines into keys and values; everything else is ours. Debian's inih
 * (55) gives the handler no line numbers and reads lines of at most 200
 * bytes, cutting longer ones in pieces, so inih reads through
 * conf_reader(), which counts lines, refuses long ones, reads the section
 * headers itself (inih cuts section names at 50 bytes) and strips leading
 * blanks (inih would take an indented line for the continuation of the
 * previous value). Loading builds a fresh struct conf and hands it over
 * only when the whole file is good, so a bad file changes nothing.
 */
#include "config.h"

#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <ini.h>

#include "buf.h"
#include "conf.h"
#include "i18n.h"
#include "log.h"
#include "nodeid.h"
#include "schedule.h"
#include "subnet.h"
#include "units.h"
#include "xmalloc.h"

/* Bytes inih's line buffer holds beyond the line: '\r', '\n' and NUL. */
#define CONF_LINE_SLACK		3
/* The longest tracker URL or host name we take. */
#define CONF_HOST_MAX		253
#define CONF_URL_MAX		190
/* Longest node name and site name, in characters (X.509's CN limit). */
#define CONF_TEXT_MAX		64
/* Rescan bounds: never (0) up to once a month. */
#define CONF_RESCAN_MAX		(30 * 86400)

static const char *const conf_mode_choices[] = {
	"send", "receive", NULL
};
static const char *const conf_removed_choices[] = {
	"delete", "keep", "trash", NULL
};
static const char *const conf_publish_choices[] = {
	"atomic", "per-file", NULL
};
/* The words of enum log_level, in its order. */
static const char *const conf_level_choices[] = {
	"debug", "info", "warn", "error", NULL
};
_Static_assert(LOG_DEBUG == 0 && LOG_INFO == 1 && LOG_WARN == 2 &&
    LOG_ERROR == 3, "log_level choices follow enum log_level");

/*
 * Every key of shoal.conf. shoal.conf(5) documents this table; keep them
 * in step.
 */
const struct conf_entry conf_table[] = {
	/* [node] */
	{ .section = CONF_SECTION_NODE, .key = "name", .type = CONF_STRING,
	  .offset = offsetof(struct conf_node, name),
	  .maximum = CONF_TEXT_MAX,
	  .help = N_("the name other nodes see; default: the host name") },
	{ .section = CONF_SECTION_NODE, .key = "listen",
	  .type = CONF_ADDR_LIST,
	  .offset = offsetof(struct conf_node, listen),
	  .minimum = 0, .default_value = "0.0.0.0:7420",
	  .help = N_("an address to listen on, ADDR:PORT (port 0 picks a "
	      "free one); repeat for more") },
	{ .section = CONF_SECTION_NODE, .key = "state_dir", .type = CONF_PATH,
	  .offset = offsetof(struct conf_node, state_dir),
	  .help = N_("the folder of the identity, resume data and logs; "
	      "default: $XDG_STATE_HOME/shoal") },
	{ .section = CONF_SECTION_NODE, .key = "key_file", .type = CONF_PATH,
	  .offset = offsetof(struct conf_node, key_file),
	  .help = N_("the node's private key; default: node.key in "
	      "state_dir") },
	{ .section = CONF_SECTION_NODE, .key = "cert_file", .type = CONF_PATH,
	  .offset = offsetof(struct conf_node, cert_file),
	  .help = N_("the node's certificate; default: node.crt in "
	      "state_dir") },
	{ .section = CONF_SECTION_NODE, .key = "ca", .type = CONF_PATH,
	  .offset = offsetof(struct conf_node, ca),
	  .help = N_("a CA certificate: nodes it signed may join every share "
	      "that names no ca of its own") },
	{ .section = CONF_SECTION_NODE, .key = "site", .type = CONF_STRING,
	  .offset = offsetof(struct conf_node, site),
	  .maximum = CONF_TEXT_MAX,
	  .help = N_("this node's site; peers of the same site are local") },
	{ .section = CONF_SECTION_NODE, .key = "local_subnet",
	  .type = CONF_SUBNET_LIST,
	  .offset = offsetof(struct conf_node, local_subnet),
	  .help = N_("a subnet whose peers are local, like 10.1.0.0/16; "
	      "repeat for more") },
	{ .section = CONF_SECTION_NODE, .key = "upload_limit",
	  .type = CONF_RATE,
	  .offset = offsetof(struct conf_node, upload_limit),
	  .default_value = "0",
	  .help = N_("the node's upload limit in bytes a second, like 500K "
	      "or 20M; 0: none") },
	{ .section = CONF_SECTION_NODE, .key = "download_limit",
	  .type = CONF_RATE,
	  .offset = offsetof(struct conf_node, download_limit),
	  .default_value = "0",
	  .help = N_("the node's download limit in bytes a second; 0: "
	      "none") },
	{ .section = CONF_SECTION_NODE, .key = "site_upload_limit",
	  .type = CONF_RATE,
	  .offset = offsetof(struct conf_node, site_upload_limit),
	  .default_value = "0",
	  .help = N_("upload limit towards each other site (office); "
	      "0: none") },
	{ .section = CONF_SECTION_NODE, .key = "site_download_limit",
	  .type = CONF_RATE,
	  .offset = offsetof(struct conf_node, site_download_limit),
	  .default_value = "0",
	  .help = N_("download limit from each other site; 0: none") },
	{ .section = CONF_SECTION_NODE, .key = "lan_limits", .type = CONF_BOOL,
	  .offset = offsetof(struct conf_node, lan_limits),
	  .default_value = "no",
	  .help = N_("whether the limits also apply to local peers") },
	{ .section = CONF_SECTION_NODE, .key = "schedule",
	  .type = CONF_SCHEDULE_LIST,
	  .offset = offsetof(struct conf_node, schedule),
	  .help = N_("limits for a weekly window, like \"mon-fri "
	      "08:00-18:00 upload 2M download 10M\"; the first window "
	      "that holds wins; repeat for more") },
	{ .section = CONF_SECTION_NODE, .key = "lsd", .type = CONF_BOOL,
	  .offset = offsetof(struct conf_node, lsd),
	  .default_value = "yes",
	  .help = N_("find peers on the local network (BEP 14)") },
	{ .section = CONF_SECTION_NODE, .key = "pex", .type = CONF_BOOL,
	  .offset = offsetof(struct conf_node, pex),
	  .default_value = "yes",
	  .help = N_("learn peers from peers (BEP 11)") },
	{ .section = CONF_SECTION_NODE, .key = "tracker",
	  .type = CONF_URL_LIST,
	  .offset = offsetof(struct conf_node, tracker),
	  .help = N_("a tracker to announce shares to, http://, https:// "
	      "or udp://; repeat for more") },
	{ .section = CONF_SECTION_NODE, .key = "log_file", .type = CONF_PATH,
	  .offset = offsetof(struct conf_node, log_file),
	  .help = N_("where the log goes; default: shoal.log in "
	      "state_dir") },
	{ .section = CONF_SECTION_NODE, .key = "log_level", .type = CONF_ENUM,
	  .offset = offsetof(struct conf_node, log_level),
	  .choices = conf_level_choices, .default_value = "info",
	  .help = N_("the least important messages logged") },

	/* [share "NAME"] */
	{ .section = CONF_SECTION_SHARE, .key = "path", .type = CONF_PATH,
	  .offset = offsetof(struct conf_share, path),
	  .flags = CONF_REQUIRED,
	  .help = N_("the shared folder") },
	{ .section = CONF_SECTION_SHARE, .key = "mode", .type = CONF_ENUM,
	  .offset = offsetof(struct conf_share, mode),
	  .flags = CONF_REQUIRED, .choices = conf_mode_choices,
	  .help = N_("send: this node is the source; receive: it mirrors "
	      "the sender") },
	{ .section = CONF_SECTION_SHARE, .key = "share_id",
	  .type = CONF_NODEID,
	  .offset = offsetof(struct conf_share, share_id),
	  .flags = CONF_RECEIVE_REQUIRED,
	  .help = N_("the share's ID, as the sender prints it; required to "
	      "receive") },
	{ .section = CONF_SECTION_SHARE, .key = "info_hash",
	  .type = CONF_STRING,
	  .offset = offsetof(struct conf_share, info_hash),
	  .flags = CONF_RECEIVE_ONLY, .maximum = 64,
	  .help = N_("instead of share_id: receive one fixed torrent, "
	      "named by its v2 info-hash (64 hex digits, the btmh of its "
	      "link after 1220)") },
	{ .section = CONF_SECTION_SHARE, .key = "source",
	  .type = CONF_NODEID,
	  .offset = offsetof(struct conf_share, source),
	  .flags = CONF_RECEIVE_ONLY,
	  .help = N_("with info_hash: the sending node's ID (the x.node "
	      "of its link); it names the swarm's members") },
	{ .section = CONF_SECTION_SHARE, .key = "peer", .type = CONF_ADDR_LIST,
	  .offset = offsetof(struct conf_share, peer),
	  .minimum = 1,
	  .help = N_("a peer to connect to, ADDR:PORT; repeat for more") },
	{ .section = CONF_SECTION_SHARE, .key = "allow",
	  .type = CONF_NODEID_LIST,
	  .offset = offsetof(struct conf_share, allow),
	  .help = N_("a node that may join the share (\"shoal id\" prints "
	      "it); repeat for more") },
	{ .section = CONF_SECTION_SHARE, .key = "open", .type = CONF_BOOL,
	  .offset = offsetof(struct conf_share, open),
	  .default_value = "no",
	  .help = N_("let any node that knows the share join") },
	{ .section = CONF_SECTION_SHARE, .key = "ca", .type = CONF_PATH,
	  .offset = offsetof(struct conf_share, ca),
	  .help = N_("a CA certificate: nodes it signed may join; default: "
	      "the node's ca") },
	{ .section = CONF_SECTION_SHARE, .key = "upload_limit",
	  .type = CONF_RATE,
	  .offset = offsetof(struct conf_share, upload_limit),
	  .default_value = "0",
	  .help = N_("the share's upload limit in bytes a second; 0: "
	      "none") },
	{ .section = CONF_SECTION_SHARE, .key = "download_limit",
	  .type = CONF_RATE,
	  .offset = offsetof(struct conf_share, download_limit),
	  .default_value = "0",
	  .help = N_("the share's download limit in bytes a second; 0: "
	      "none") },
	{ .section = CONF_SECTION_SHARE, .key = "rescan",
	  .type = CONF_DURATION,
	  .offset = offsetof(struct conf_share, rescan),
	  .flags = CONF_SEND_ONLY, .minimum = 0, .maximum = CONF_RESCAN_MAX,
	  .default_value = "5m",
	  .help = N_("how often to look for changes in the folder; 0: "
	      "never") },
	{ .section = CONF_SECTION_SHARE, .key = "on_removed",
	  .type = CONF_ENUM,
	  .offset = offsetof(struct conf_share, on_removed),
	  .flags = CONF_RECEIVE_ONLY, .choices = conf_removed_choices,
	  .default_value = "keep",
	  .help = N_("what happens to files the sender removed: delete, "
	      "keep, or trash (move into .shoal/trash)") },
	{ .section = CONF_SECTION_SHARE, .key = "on_complete",
	  .type = CONF_COMMAND,
	  .offset = offsetof(struct conf_share, on_complete),
	  .flags = CONF_RECEIVE_ONLY,
	  .help = N_("a command run when a version is complete and in "
	      "place") },
	{ .section = CONF_SECTION_SHARE, .key = "publish", .type = CONF_ENUM,
	  .offset = offsetof(struct conf_share, publish),
	  .flags = CONF_RECEIVE_ONLY, .choices = conf_publish_choices,
	  .default_value = "per-file",
	  .help = N_("per-file: each file appears once verified; atomic: "
	      "a whole version appears at once") },
	{ .section = CONF_SECTION_SHARE, .key = "before_publish",
	  .type = CONF_COMMAND,
	  .offset = offsetof(struct conf_share, before_publish),
	  .flags = CONF_RECEIVE_ONLY | CONF_ATOMIC_ONLY,
	  .help = N_("a command run before a verified version is put in "
	      "place; if it fails, the version waits") },
	{ .section = CONF_SECTION_SHARE, .key = "after_publish",
	  .type = CONF_COMMAND,
	  .offset = offsetof(struct conf_share, after_publish),
	  .flags = CONF_RECEIVE_ONLY | CONF_ATOMIC_ONLY,
	  .help = N_("a command run once a version is in place") },

	{ .key = NULL }
};

/* Where a key's value lives. */
#define CONF_FIELD(base, e, type)	((type *)(void *)((char *)(base) + \
					    (e)->offset))

/* The state of one conf_load(). */
struct conf_parse {
	struct conf	  c;		/* What the file says, so far. */
	const char	 *file;
	char		 *dir;		/* The file's folder. */
	FILE		 *fp;
	char		 *line;		/* getline()'s buffer. */
	size_t		  linesz;
	unsigned int	  lineno;
	char		 *error;	/* The first problem. */
	int		  io_error;
	int		  section;	/* -1: no header yet. */
	unsigned int	  node_line;	/* [node]'s line, or 0. */
	size_t		  ntable;
	/* The line each key was set on (0: not set), by table index. */
	unsigned int	 *node_lines;
	unsigned int	**share_lines;	/* One array a share. */
	size_t		  nshare_lines;
};

static int
conf_is_list(enum conf_type type)
{
	return (type == CONF_NODEID_LIST || type == CONF_ADDR_LIST ||
	    type == CONF_SUBNET_LIST || type == CONF_URL_LIST ||
	    type == CONF_SCHEDULE_LIST);
}

static size_t
conf_table_size(void)
{
	size_t	n;

	for (n = 0; conf_table[n].key != NULL; n++)
		/* Nothing. */;
	return (n);
}

/* Find a key of a section in the table. */
const struct conf_entry *
conf_find(enum conf_section section, const char *key)
{
	const struct conf_entry	*e;

	for (e = conf_table; e->key != NULL; e++) {
		if (e->section == section && strcmp(e->key, key) == 0)
			return (e);
	}
	return (NULL);
}

/* "a, b or c" from a NULL-terminated list of words; the caller frees. */
static char *
conf_choices_text(const char *const *choices)
{
	struct buf	b;
	size_t		i, n;

	for (n = 0; choices[n] != NULL; n++)
		/* Nothing. */;
	buf_init(&b);
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_add_str(&b, i == n - 1 ? _(" or ") : ", ");
		buf_add_str(&b, choices[i]);
	}
	return (buf_cstr(&b));
}

/* A duration as the shortest exact text units_parse_duration() reads. */
static void
conf_duration_text(int64_t v, char *out, size_t size)
{
	if (v != 0 && v % 86400 == 0)
		snprintf(out, size, "%" PRId64 "d", v / 86400);
	else if (v != 0 && v % 3600 == 0)
		snprintf(out, size, "%" PRId64 "h", v / 3600);
	else if (v != 0 && v % 60 == 0)
		snprintf(out, size, "%" PRId64 "m", v / 60);
	else
		snprintf(out, size, "%" PRId64 "s", v);
}

/* A rate as the shortest exact text units_parse_size() reads. */
static void
conf_rate_text(uint64_t v, char *out, size_t size)
{
	static const char	suffix[] = "KMGT";
	int			i = -1;

	while (v != 0 && v % 1024 == 0 && i < 3) {
		v /= 1024;
		i++;
	}
	if (i < 0)
		snprintf(out, size, "%" PRIu64, v);
	else
		snprintf(out, size, "%" PRIu64 "%c", v, suffix[i]);
}

/* What a key's value should look like, for messages; the caller frees. */
static char *
conf_expected(const struct conf_entry *e)
{
	switch (e->type) {
	case CONF_STRING:
		return (xstrdup(_("some text")));
	case CONF_PATH:
		return (xstrdup(_("a path")));
	case CONF_COMMAND:
		return (xstrdup(_("a command")));
	case CONF_BOOL:
		return (xstrdup(_("yes or no")));
	case CONF_RATE:
		return (xstrdup(_("a rate like 500K or 20M (bytes a second), "
		    "or 0 for no limit")));
	case CONF_DURATION:
		return (xstrdup(_("a duration like 30s, 5m or 2h")));
	case CONF_ENUM:
		return (conf_choices_text(e->choices));
	case CONF_NODEID:
	case CONF_NODEID_LIST:
		return (xstrdup(_("a node ID, as \"shoal id\" prints it")));
	case CONF_ADDR_LIST:
		return (xstrdup(_("ADDR:PORT, like 192.0.2.7:7420 or "
		    "[2001:db8::7]:7420")));
	case CONF_SUBNET_LIST:
		return (xstrdup(_("a subnet like 10.1.0.0/16 or fd00::/8")));
	case CONF_URL_LIST:
		return (xstrdup(_("a tracker URL starting with http://, "
		    "https:// or udp://")));
	case CONF_SCHEDULE_LIST:
		return (xstrdup(_("DAYS HH:MM-HH:MM upload RATE download "
		    "RATE")));
	}
	return (xstrdup("?"));
}

/* Set *msg to "expected ..." for e; returns -1. */
static int
conf_bad(const struct conf_entry *e, char **msg)
{
	char	*what = conf_expected(e);

	xasprintf(msg, _("expected %s"), what);
	free(what);
	return (-1);
}

/* Characters (not bytes) of UTF-8 text. */
static size_t
conf_utf8_len(const char *s)
{
	size_t	n = 0;

	for (; *s != '\0'; s++) {
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	}
	return (n);
}

/*
 * Make a path absolute (relative to dir, the config file's folder; "~"
 * is $HOME) and tidy: no "//", no "." and ".." components, no trailing
 * slash. Links are left alone. Returns the path or NULL with *msg.
 */
static char *
conf_path_make(const char *value, const char *dir, char **msg)
{
	const char	*home, *p, *end;
	char		*joined, *out;
	size_t		 len, n, o;

	if (*value == '\0') {
		xasprintf(msg, _("expected a path"));
		return (NULL);
	}
	if (value[0] == '~') {
		if (value[1] != '\0' && value[1] != '/') {
			xasprintf(msg, _("only ~ and ~/ are expanded: write "
			    "the full path"));
			return (NULL);
		}
		if ((home = getenv("HOME")) == NULL || home[0] != '/') {
			xasprintf(msg, _("cannot expand ~: HOME is not set"));
			return (NULL);
		}
		xasprintf(&joined, "%s/%s", home, value + 1);
	} else if (value[0] != '/')
		xasprintf(&joined, "%s/%s", dir != NULL ? dir : "", value);
	else
		joined = xstrdup(value);

	len = strlen(joined);
	out = xmalloc(len + 2);
	o = 0;
	for (p = joined; *p != '\0'; p = end) {
		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		end = strchr(p, '/');
		if (end == NULL)
			end = p + strlen(p);
		n = (size_t)(end - p);
		if (n == 1 && p[0] == '.')
			continue;
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
			continue;
		}
		out[o++] = '/';
		memcpy(out + o, p, n);
		o += n;
	}
	if (o == 0)
		out[o++] = '/';
	out[o] = '\0';
	free(joined);
	return (out);
}

/* Check a port number: decimal, from minimum to 65535. */
static int
conf_check_port(const char *s, int64_t minimum, char **msg)
{
	unsigned long	v;
	char		*end;

	if (*s == '\0' || strspn(s, "0123456789") != strlen(s) ||
	    strlen(s) > 5)
		return (-1);
	v = strtoul(s, &end, 10);
	if (v > 65535 || (int64_t)v < minimum) {
		xasprintf(msg, _("port %s is out of range: expected %" PRId64
		    " to 65535"), s, minimum);
		return (-1);
	}
	return (0);
}

/*
 * Check ADDR:PORT: an IPv4 address, an IPv6 address in brackets or a
 * host name, and a port from minimum up. Nothing is looked up.
 */
static int
conf_check_addr(const char *s, int64_t minimum, char **msg)
{
	struct in6_addr	 a6;
	struct in_addr	 a4;
	const char	*colon, *p;
	char		*host;
	size_t		 len;
	int		 r = -1;

	if ((colon = strrchr(s, ':')) == NULL)
		return (-1);
	host = xstrndup(s, (size_t)(colon - s));
	len = strlen(host);
	if (len >= 2 && host[0] == '[' && host[len - 1] == ']') {
		host[len - 1] = '\0';
		if (inet_pton(AF_INET6, host + 1, &a6) != 1)
			goto out;
	} else if (strchr(host, ':') != NULL) {
		xasprintf(msg, _("put an IPv6 address in brackets, like "
		    "[2001:db8::7]:7420"));
		goto out;
	} else {
		if (len == 0 || len > CONF_HOST_MAX)
			goto out;
		for (p = host; *p != '\0'; p++) {
			if (!isalnum((unsigned char)*p) && *p != '-' &&
			    *p != '.')
				goto out;
		}
		/* All digits and dots: it must be an IPv4 address. */
		if (strspn(host, "0123456789.") == len &&
		    inet_pton(AF_INET, host, &a4) != 1)
			goto out;
	}
	r = conf_check_port(colon + 1, minimum, msg);
out:
	free(host);
	return (r);
}

/* Check a subnet, ADDR/BITS, IPv4 or IPv6. */
static int
conf_check_subnet(const char *s)
{
	struct subnet	sn;

	return (subnet_parse(s, &sn));
}

/* Check a tracker URL: a scheme we speak, a host, no blanks. */
static int
conf_check_url(const char *s)
{
	static const char *const	 schemes[] = {
		"http://", "https://", "udp://", NULL
	};
	const char *const		*sc;
	const char			*p;

	if (strlen(s) > CONF_URL_MAX)
		return (-1);
	for (p = s; *p != '\0'; p++) {
		if (isspace((unsigned char)*p))
			return (-1);
	}
	for (sc = schemes; *sc != NULL; sc++) {
		if (strncasecmp(s, *sc, strlen(*sc)) == 0) {
			p = s + strlen(*sc);
			return (*p == '\0' || *p == '/' || *p == ':' ? -1 : 0);
		}
	}
	return (-1);
}

/* Parse yes/no and the other usual spellings. */
static int
conf_parse_bool(const char *s, int *out)
{
	static const char *const	yes[] = { "yes", "true", "on", "1" };
	static const char *const	no[] = { "no", "false", "off", "0" };
	size_t				i;

	for (i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = 1;
			return (0);
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = 0;
			return (0);
		}
	}
	return (-1);
}

/* Parse a rate: a size, optionally followed by "/s". */
static int
conf_parse_rate(const char *s, uint64_t *out)
{
	size_t	len = strlen(s);
	char	*copy;
	int	 r;

	if (len > 2 && strcasecmp(s + len - 2, "/s") == 0) {
		copy = xstrndup(s, len - 2);
		r = units_parse_size(copy, out);
		free(copy);
		return (r);
	}
	return (units_parse_size(s, out));
}

static void
conf_strings_add(struct conf_strings *l, const char *s)
{
	l->v = xreallocarray(l->v, l->n + 1, sizeof *l->v);
	l->v[l->n++] = xstrdup(s);
}

static void
conf_strings_clear(struct conf_strings *l)
{
	size_t	i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/*
 * Set the value of e in base (a conf_node or conf_share) from text. first
 * says this is the key's first line in the section, when a list drops
 * its default. On failure *msg says what is wrong.
 */
static int
conf_set(const struct conf_entry *e, void *base, int first,
    const char *value, const char *dir, char **msg)
{
	struct conf_strings	*list;
	struct conf_ids		*ids;
	struct schedule_window	 window;
	uint8_t			 id[NODEID_LEN];
	uint64_t		 rate;
	int64_t			 secs;
	char			*s, a[UNITS_BUFLEN], b[UNITS_BUFLEN];
	size_t			 i;
	int			 flag;

	switch (e->type) {
	case CONF_STRING:
		if (*value == '\0')
			return (conf_bad(e, msg));
		if (e->maximum != 0 &&
		    conf_utf8_len(value) > (size_t)e->maximum) {
			xasprintf(msg, _("longer than %" PRId64 " characters"),
			    e->maximum);
			return (-1);
		}
		s = xstrdup(value);
		free(*CONF_FIELD(base, e, char *));
		*CONF_FIELD(base, e, char *) = s;
		return (0);
	case CONF_COMMAND:
		if (*value == '\0')
			return (conf_bad(e, msg));
		s = xstrdup(value);
		free(*CONF_FIELD(base, e, char *));
		*CONF_FIELD(base, e, char *) = s;
		return (0);
	case CONF_PATH:
		if ((s = conf_path_make(value, dir, msg)) == NULL)
			return (-1);
		free(*CONF_FIELD(base, e, char *));
		*CONF_FIELD(base, e, char *) = s;
		return (0);
	case CONF_BOOL:
		if (conf_parse_bool(value, &flag) != 0)
			return (conf_bad(e, msg));
		*CONF_FIELD(base, e, int) = flag;
		return (0);
	case CONF_RATE:
		if (conf_parse_rate(value, &rate) != 0)
			return (conf_bad(e, msg));
		*CONF_FIELD(base, e, uint64_t) = rate;
		return (0);
	case CONF_DURATION:
		if (units_parse_duration(value, &secs) != 0)
			return (conf_bad(e, msg));
		if (secs < e->minimum || secs > e->maximum) {
			conf_duration_text(e->minimum, a, sizeof a);
			conf_duration_text(e->maximum, b, sizeof b);
			xasprintf(msg, _("expected a duration from %s to %s"),
			    a, b);
			return (-1);
		}
		*CONF_FIELD(base, e, int64_t) = secs;
		return (0);
	case CONF_ENUM:
		for (i = 0; e->choices[i] != NULL; i++) {
			if (strcmp(value, e->choices[i]) == 0) {
				*CONF_FIELD(base, e, int) = (int)i;
				return (0);
			}
		}
		return (conf_bad(e, msg));
	case CONF_NODEID:
		if (nodeid_parse(value, id, msg) != 0)
			return (-1);
		CONF_FIELD(base, e, struct conf_id)->set = 1;
		memcpy(CONF_FIELD(base, e, struct conf_id)->id, id, sizeof id);
		return (0);
	case CONF_NODEID_LIST:
		if (nodeid_parse(value, id, msg) != 0)
			return (-1);
		ids = CONF_FIELD(base, e, struct conf_ids);
		for (i = 0; i < ids->n; i++) {
			if (memcmp(ids->v[i], id, sizeof id) == 0)
				return (0);
		}
		ids->v = xreallocarray(ids->v, ids->n + 1, sizeof *ids->v);
		memcpy(ids->v[ids->n++], id, sizeof id);
		return (0);
	case CONF_ADDR_LIST:
		if (conf_check_addr(value, e->minimum, msg) != 0)
			return (*msg != NULL ? -1 : conf_bad(e, msg));
		break;
	case CONF_SUBNET_LIST:
		if (conf_check_subnet(value) != 0)
			return (conf_bad(e, msg));
		break;
	case CONF_URL_LIST:
		if (conf_check_url(value) != 0)
			return (conf_bad(e, msg));
		break;
	case CONF_SCHEDULE_LIST:
		if (schedule_parse(value, &window, msg) != 0)
			return (-1);
		break;
	}
	/* The lists of text. */
	list = CONF_FIELD(base, e, struct conf_strings);
	if (first)
		conf_strings_clear(list);
	conf_strings_add(list, value);
	return (0);
}

/* Free the value of e in base. */
static void
conf_unset(const struct conf_entry *e, void *base)
{
	struct conf_ids	*ids;

	switch (e->type) {
	case CONF_STRING:
	case CONF_PATH:
	case CONF_COMMAND:
		free(*CONF_FIELD(base, e, char *));
		*CONF_FIELD(base, e, char *) = NULL;
		break;
	case CONF_NODEID_LIST:
		ids = CONF_FIELD(base, e, struct conf_ids);
		free(ids->v);
		ids->v = NULL;
		ids->n = 0;
		break;
	case CONF_ADDR_LIST:
	case CONF_SUBNET_LIST:
	case CONF_URL_LIST:
	case CONF_SCHEDULE_LIST:
		conf_strings_clear(CONF_FIELD(base, e, struct conf_strings));
		break;
	default:
		break;
	}
}

/* Give every key of a section in base its default. */
static void
conf_defaults(enum conf_section section, void *base)
{
	const struct conf_entry	*e;
	char			*msg = NULL;

	for (e = conf_table; e->key != NULL; e++) {
		if (e->section != section || e->default_value == NULL)
			continue;
		if (conf_set(e, base, 1, e->default_value, NULL, &msg) != 0)
			fatalx("conf: bad default for %s: %s", e->key, msg);
	}
}

void
conf_init(struct conf *c)
{
	memset(c, 0, sizeof *c);
	conf_defaults(CONF_SECTION_NODE, &c->node);
}

static void
conf_share_free(struct conf_share *sh)
{
	const struct conf_entry	*e;

	for (e = conf_table; e->key != NULL; e++) {
		if (e->section == CONF_SECTION_SHARE)
			conf_unset(e, sh);
	}
	free(sh->name);
}

void
conf_free(struct conf *c)
{
	const struct conf_entry	*e;
	size_t			 i;

	for (e = conf_table; e->key != NULL; e++) {
		if (e->section == CONF_SECTION_NODE)
			conf_unset(e, &c->node);
	}
	for (i = 0; i < c->nshares; i++)
		conf_share_free(&c->shares[i]);
	free(c->shares);
	free(c->file);
	memset(c, 0, sizeof *c);
}

/* Record the first problem, "FILE:LINE: message". */
static void
conf_fail(struct conf_parse *p, unsigned int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
conf_fail(struct conf_parse *p, unsigned int line, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	if (p->error != NULL)
		return;
	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	xasprintf(&p->error, "%s:%u: %s", p->file, line, msg);
	free(msg);
}

/* "[node]" or "[share "NAME"]" for messages; the caller frees. */
static char *
conf_section_text(enum conf_section section, const struct conf_share *sh)
{
	char	*s;

	if (section == CONF_SECTION_NODE)
		return (xstrdup("[node]"));
	xasprintf(&s, "[share \"%s\"]", sh->name);
	return (s);
}

/*
 * Record a problem with a key (or a whole section if key is NULL):
 * "FILE:LINE: [section] key: message".
 */
static void
conf_key_fail(struct conf_parse *p, unsigned int line,
    enum conf_section section, const struct conf_share *sh, const char *key,
    const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static void
conf_key_fail(struct conf_parse *p, unsigned int line,
    enum conf_section section, const struct conf_share *sh, const char *key,
    const char *fmt, ...)
{
	va_list	 ap;
	char	*msg, *where;

	if (p->error != NULL)
		return;
	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	where = conf_section_text(section, sh);
	if (key != NULL)
		conf_fail(p, line, "%s %s: %s", where, key, msg);
	else
		conf_fail(p, line, "%s: %s", where, msg);
	free(where);
	free(msg);
}

static struct conf_share *
conf_current_share(struct conf_parse *p)
{
	return (&p->c.shares[p->c.nshares - 1]);
}

/* The checks that need the whole section: required keys, mode and publish. */
static void
conf_section_end(struct conf_parse *p)
{
	const struct conf_entry	*e;
	struct conf_share	*sh;
	unsigned int		*lines;
	char			*what;
	size_t			 i;

	if (p->section != CONF_SECTION_SHARE)
		return;
	sh = conf_current_share(p);
	lines = p->share_lines[p->c.nshares - 1];
	for (i = 0; i < p->ntable; i++) {
		e = &conf_table[i];
		if (e->section != CONF_SECTION_SHARE || lines[i] != 0)
			continue;
		if (e->flags & CONF_REQUIRED) {
			what = conf_expected(e);
			conf_key_fail(p, sh->line, CONF_SECTION_SHARE, sh,
			    e->key, _("missing: expected %s"), what);
			free(what);
			return;
		}
		if ((e->flags & CONF_RECEIVE_REQUIRED) &&
		    sh->mode == CONF_MODE_RECEIVE &&
		    !(strcmp(e->key, "share_id") == 0 &&
		    sh->info_hash != NULL)) {
			conf_key_fail(p, sh->line, CONF_SECTION_SHARE, sh,
			    e->key, _("missing: a share with mode = receive "
			    "needs it"));
			return;
		}
	}
	for (i = 0; i < p->ntable; i++) {
		e = &conf_table[i];
		if (e->section != CONF_SECTION_SHARE || lines[i] == 0)
			continue;
		if ((e->flags & CONF_RECEIVE_ONLY) &&
		    sh->mode != CONF_MODE_RECEIVE) {
			conf_key_fail(p, lines[i], CONF_SECTION_SHARE, sh,
			    e->key, _("only a share with mode = receive uses "
			    "this key"));
			return;
		}
		if ((e->flags & CONF_SEND_ONLY) &&
		    sh->mode != CONF_MODE_SEND) {
			conf_key_fail(p, lines[i], CONF_SECTION_SHARE, sh,
			    e->key, _("only a share with mode = send uses "
			    "this key"));
			return;
		}
		if (strcmp(e->key, "info_hash") == 0 &&
		    (strlen(sh->info_hash) != 64 ||
		    strspn(sh->info_hash, "0123456789abcdefABCDEF") != 64)) {
			conf_key_fail(p, lines[i], CONF_SECTION_SHARE, sh,
			    e->key, _("expected 64 hex digits (a v2 "
			    "info-hash)"));
			return;
		}
		if ((e->flags & CONF_ATOMIC_ONLY) &&
		    sh->publish != CONF_PUBLISH_ATOMIC) {
			conf_key_fail(p, lines[i], CONF_SECTION_SHARE, sh,
			    e->key, _("needs publish = atomic"));
			return;
		}
	}
}

/* Check a share name from a header. */
static int
conf_check_name(struct conf_parse *p, const char *name)
{
	if (*name == '\0') {
		conf_fail(p, p->lineno, _("[share]: a share needs a name, "
		    "like [share \"builds\"]"));
		return (-1);
	}
	if (conf_utf8_len(name) > CONF_NAME_MAX) {
		conf_fail(p, p->lineno, _("[share \"%s\"]: a share name has at "
		    "most %d characters"), name, CONF_NAME_MAX);
		return (-1);
	}
	if (isspace((unsigned char)name[0]) ||
	    isspace((unsigned char)name[strlen(name) - 1])) {
		conf_fail(p, p->lineno, _("[share \"%s\"]: a share name cannot "
		    "start or end with a blank"), name);
		return (-1);
	}
	if (strchr(name, '\\') != NULL) {
		conf_fail(p, p->lineno, _("[share \"%s\"]: a share name cannot "
		    "hold a backslash"), name);
		return (-1);
	}
	return (0);
}

/* Start a new share, defaults filled in. */
static void
conf_add_share(struct conf_parse *p, const char *name)
{
	struct conf_share	*sh;

	p->c.shares = xreallocarray(p->c.shares, p->c.nshares + 1,
	    sizeof *p->c.shares);
	p->share_lines = xreallocarray(p->share_lines, p->c.nshares + 1,
	    sizeof *p->share_lines);
	p->share_lines[p->c.nshares] = xcalloc(p->ntable,
	    sizeof **p->share_lines);
	p->nshare_lines = p->c.nshares + 1;
	sh = &p->c.shares[p->c.nshares++];
	memset(sh, 0, sizeof *sh);
	sh->name = xstrdup(name);
	sh->line = p->lineno;
	conf_defaults(CONF_SECTION_SHARE, sh);
}

/*
 * Read a section header, s at its '['. Takes [node], [share "NAME"] and
 * [share NAME] for a name without blanks or quotes; after the ']' only
 * blanks and a comment.
 */
static void
conf_header(struct conf_parse *p, const char *s)
{
	const char	*word, *end, *close;
	char		*name = NULL;
	size_t		 wlen, i;

	/* The section before this one is complete: check it. */
	conf_section_end(p);
	if (p->error != NULL)
		return;

	s++;
	s += strspn(s, " \t");
	word = s;
	while (isalnum((unsigned char)*s) || *s == '_' || *s == '-')
		s++;
	wlen = (size_t)(s - word);
	s += strspn(s, " \t");

	if (wlen == 4 && strncmp(word, "node", 4) == 0) {
		if (*s != ']') {
			if (strchr(s, ']') == NULL)
				goto no_close;
			conf_fail(p, p->lineno, _("[node]: [node] takes no "
			    "name"));
			return;
		}
		close = s;
	} else if (wlen == 5 && strncmp(word, "share", 5) == 0) {
		if (*s == '"') {
			if ((end = strchr(s + 1, '"')) == NULL) {
				conf_fail(p, p->lineno, _("[share]: the share "
				    "name has no closing quote"));
				return;
			}
			name = xstrndup(s + 1, (size_t)(end - s - 1));
			close = end + 1 + strspn(end + 1, " \t");
		} else {
			end = s + strcspn(s, " \t]\"");
			name = xstrndup(s, (size_t)(end - s));
			close = end + strspn(end, " \t");
		}
		if (*close != ']') {
			free(name);
			if (strchr(s, ']') == NULL)
				goto no_close;
			conf_fail(p, p->lineno, _("[share]: put a share name "
			    "with blanks or quotes in quotes, like "
			    "[share \"my builds\"]"));
			return;
		}
		if (conf_check_name(p, name) != 0) {
			free(name);
			return;
		}
	} else {
		if ((close = strchr(s, ']')) == NULL)
			goto no_close;
		conf_fail(p, p->lineno, _("[%.*s]: unknown section: expected "
		    "[node] or [share \"NAME\"]"), (int)(close - word), word);
		return;
	}

	/* After the ']': nothing but blanks and a comment. */
	end = close + 1 + strspn(close + 1, " \t");
	if (*end != '\0' && *end != '#' && *end != ';') {
		conf_fail(p, p->lineno, _("unexpected text after the section "
		    "header: \"%s\""), end);
		free(name);
		return;
	}

	if (name == NULL) {
		if (p->node_line != 0) {
			conf_fail(p, p->lineno, _("[node]: a second [node] "
			    "section (the first is on line %u)"),
			    p->node_line);
			return;
		}
		p->node_line = p->lineno;
		p->section = CONF_SECTION_NODE;
		return;
	}
	for (i = 0; i < p->c.nshares; i++) {
		if (strcmp(p->c.shares[i].name, name) == 0) {
			conf_fail(p, p->lineno, _("[share \"%s\"]: a second "
			    "share of that name (the first is on line %u)"),
			    name, p->c.shares[i].line);
			free(name);
			return;
		}
	}
	conf_add_share(p, name);
	p->section = CONF_SECTION_SHARE;
	free(name);
	return;

no_close:
	conf_fail(p, p->lineno, _("a section header needs a closing ]"));
}

/*
 * 1 if a key line has a separator ('=' or ':', as inih takes them) before
 * any inline comment (a ';' after a blank).
 */
static int
conf_has_separator(const char *s)
{
	int	was_space = 0;

	for (; *s != '\0'; s++) {
		if (*s == '=' || *s == ':')
			return (1);
		if (was_space && *s == ';')
			return (0);
		was_space = isspace((unsigned char)*s);
	}
	return (0);
}

/*
 * The reader inih calls for each line (fgets-like, num bytes in str). It
 * hands over one line per line of the file, so inih's count agrees with
 * ours: a header, a comment or a blank line goes over as an empty line.
 */
static char *
conf_reader(char *str, int num, void *arg)
{
	struct conf_parse	*p = arg;
	ssize_t			 n;
	size_t			 len, max;
	const char		*s;
	unsigned char		 c;

	if (p->error != NULL)
		return (NULL);
	errno = 0;
	if ((n = getline(&p->line, &p->linesz, p->fp)) == -1) {
		if (ferror(p->fp)) {
			p->io_error = 1;
			xasprintf(&p->error, _("cannot read %s: %s"), p->file,
			    strerror(errno != 0 ? errno : EIO));
		}
		return (NULL);
	}
	p->lineno++;
	len = (size_t)n;
	if (len > 0 && p->line[len - 1] == '\n')
		len--;
	if (len > 0 && p->line[len - 1] == '\r')
		len--;
	p->line[len] = '\0';

	max = num > CONF_LINE_SLACK ? (size_t)num - CONF_LINE_SLACK : 0;
	if (len > max) {
		conf_fail(p, p->lineno, _("the line is %zu bytes long; a line "
		    "has at most %zu"), len, max);
		return (NULL);
	}
	if (strlen(p->line) != len) {
		conf_fail(p, p->lineno, _("the line holds a NUL byte: this is "
		    "not a text file"));
		return (NULL);
	}

	s = p->line;
	if (p->lineno == 1 && strncmp(s, "\xef\xbb\xbf", 3) == 0)
		s += 3;		/* A UTF-8 byte order mark. */
	s += strspn(s, " \t");
	if (*s == '\0' || *s == '#' || *s == ';')
		goto empty;
	for (len = 0; s[len] != '\0'; len++) {
		c = (unsigned char)s[len];
		if ((c < 0x20 && c != '\t') || c == 0x7f) {
			conf_fail(p, p->lineno, _("the line holds a control "
			    "character (byte 0x%02x)"), c);
			return (NULL);
		}
	}
	if (*s == '[') {
		conf_header(p, s);
		if (p->error != NULL)
			return (NULL);
		goto empty;
	}
	if (*s == '=' || *s == ':' || !conf_has_separator(s)) {
		conf_fail(p, p->lineno, _("expected KEY = VALUE, a [section] "
		    "header, or a comment starting with #"));
		return (NULL);
	}
	/* Fits: len <= num - 3. */
	memcpy(str, s, len);
	str[len] = '\n';
	str[len + 1] = '\0';
	return (str);

empty:
	str[0] = '\n';
	str[1] = '\0';
	return (str);
}

/* inih's callback for each KEY = VALUE (the section is ours, not inih's). */
static int
conf_handler(void *arg, const char *section, const char *key,
    const char *value)
{
	struct conf_parse	*p = arg;
	const struct conf_entry	*e;
	struct conf_share	*sh = NULL;
	unsigned int		*lines;
	void			*base;
	char			*msg = NULL;
	size_t			 i;

	(void)section;
	if (p->error != NULL)
		return (0);
	if (p->section == -1) {
		conf_fail(p, p->lineno, _("%s: a key outside any section: put "
		    "it under [node] or [share \"NAME\"]"), key);
		return (0);
	}
	if (p->section == CONF_SECTION_NODE) {
		base = &p->c.node;
		lines = p->node_lines;
	} else {
		sh = conf_current_share(p);
		base = sh;
		lines = p->share_lines[p->c.nshares - 1];
	}

	if ((e = conf_find(p->section, key)) == NULL) {
		if (p->section == CONF_SECTION_NODE &&
		    conf_find(CONF_SECTION_SHARE, key) != NULL) {
			conf_key_fail(p, p->lineno, p->section, sh, key,
			    _("not a [node] key: it goes in a "
			    "[share \"NAME\"] section"));
		} else if (p->section == CONF_SECTION_SHARE &&
		    conf_find(CONF_SECTION_NODE, key) != NULL) {
			conf_key_fail(p, p->lineno, p->section, sh, key,
			    _("not a share key: it goes in [node]"));
		} else {
			conf_key_fail(p, p->lineno, p->section, sh, key,
			    _("unknown key"));
		}
		return (0);
	}
	i = (size_t)(e - conf_table);
	if (lines[i] != 0 && !conf_is_list(e->type)) {
		conf_key_fail(p, p->lineno, p->section, sh, key,
		    _("set twice (first on line %u)"), lines[i]);
		return (0);
	}
	if (*value == '\0') {
		msg = conf_expected(e);
		conf_key_fail(p, p->lineno, p->section, sh, key,
		    _("no value: expected %s"), msg);
		free(msg);
		return (0);
	}
	if (conf_set(e, base, lines[i] == 0, value, p->dir, &msg) != 0) {
		if (strstr(value, " #") != NULL || strstr(value, "\t#") != NULL)
			conf_key_fail(p, p->lineno, p->section, sh, key,
			    _("%s (a # comment goes on a line of its own)"),
			    msg);
		else
			conf_key_fail(p, p->lineno, p->section, sh, key, "%s",
			    msg);
		free(msg);
		return (0);
	}
	if (lines[i] == 0)
		lines[i] = p->lineno;
	return (1);
}

/*
 * A path to compare shares by: links resolved as far as the path exists
 * (realpath() of its longest existing part), the rest as written.
 */
static char *
conf_canonical(const char *path)
{
	char	*copy, *real, *slash, *out;
	size_t	 keep;

	copy = xstrdup(path);
	for (;;) {
		if ((real = realpath(copy, NULL)) != NULL) {
			keep = strlen(copy);
			break;
		}
		slash = strrchr(copy, '/');
		if (slash == NULL || slash == copy) {
			real = xstrdup("");
			keep = 0;
			break;
		}
		*slash = '\0';
	}
	xasprintf(&out, "%s%s", strcmp(real, "/") == 0 ? "" : real,
	    path + keep);
	if (*out == '\0') {
		free(out);
		out = xstrdup("/");
	}
	free(real);
	free(copy);
	return (out);
}

/* 1 if folder a is inside folder b (both canonical). */
static int
conf_inside(const char *a, const char *b)
{
	size_t	len = strlen(b);

	if (strcmp(b, "/") == 0)
		return (strcmp(a, "/") != 0);
	return (strncmp(a, b, len) == 0 && a[len] == '/');
}

/* The checks across sections, once the whole file is read. */
static void
conf_finish(struct conf_parse *p)
{
	const struct conf_entry	*path_e;
	struct conf_share	*a, *b;
	char		       **canon;
	size_t			 i, j, pi;

	path_e = conf_find(CONF_SECTION_SHARE, "path");
	pi = (size_t)(path_e - conf_table);

	for (i = 0; i < p->c.nshares && p->error == NULL; i++) {
		a = &p->c.shares[i];
		if (a->mode == CONF_MODE_SEND && a->allow.n == 0 && !a->open &&
		    a->ca == NULL && p->c.node.ca == NULL) {
			conf_key_fail(p, a->line, CONF_SECTION_SHARE, a, NULL,
			    _("no node may receive this share: add allow = "
			    "NODEID lines, ca = FILE or open = yes"));
		}
	}
	if (p->error != NULL)
		return;

	canon = xcalloc(p->c.nshares, sizeof *canon);
	for (i = 0; i < p->c.nshares; i++)
		canon[i] = conf_canonical(p->c.shares[i].path);
	for (j = 1; j < p->c.nshares && p->error == NULL; j++) {
		b = &p->c.shares[j];
		for (i = 0; i < j && p->error == NULL; i++) {
			a = &p->c.shares[i];
			if (strcmp(canon[i], canon[j]) == 0) {
				conf_key_fail(p, p->share_lines[j][pi],
				    CONF_SECTION_SHARE, b, "path",
				    _("%s is the folder of [share \"%s\"] "
				    "(line %u) too"), b->path, a->name,
				    a->line);
			} else if (conf_inside(canon[j], canon[i])) {
				conf_key_fail(p, p->share_lines[j][pi],
				    CONF_SECTION_SHARE, b, "path",
				    _("%s is inside the folder of "
				    "[share \"%s\"] (line %u)"), b->path,
				    a->name, a->line);
			} else if (conf_inside(canon[i], canon[j])) {
				conf_key_fail(p, p->share_lines[j][pi],
				    CONF_SECTION_SHARE, b, "path",
				    _("%s holds the folder of [share \"%s\"] "
				    "(line %u)"), b->path, a->name, a->line);
			}
		}
	}
	for (i = 0; i < p->c.nshares; i++)
		free(canon[i]);
	free(canon);
}

/* The absolute folder holding file. */
static char *
conf_file_dir(const char *file)
{
	const char	*slash = strrchr(file, '/');
	char		*dir, *cwd, *joined, *msg = NULL, *out;

	if (slash == file)
		return (xstrdup("/"));
	dir = slash == NULL ? xstrdup(".") :
	    xstrndup(file, (size_t)(slash - file));
	if (dir[0] == '/')
		joined = dir;
	else {
		if ((cwd = getcwd(NULL, 0)) == NULL)
			cwd = xstrdup("/");
		xasprintf(&joined, "%s/%s", cwd, dir);
		free(cwd);
		free(dir);
	}
	out = conf_path_make(joined, NULL, &msg);
	free(joined);
	free(msg);
	return (out);
}

/* Read the file at path into c; see conf.h. */
int
conf_load(struct conf *c, const char *path, char **cause)
{
	struct conf_parse	 p;
	size_t			 i;
	int			 r;

	memset(&p, 0, sizeof p);
	conf_init(&p.c);
	p.file = path;
	p.section = -1;
	p.ntable = conf_table_size();
	p.node_lines = xcalloc(p.ntable, sizeof *p.node_lines);

	if ((p.fp = fopen(path, "r")) == NULL) {
		xasprintf(cause, _("cannot read %s: %s"), path,
		    strerror(errno));
		r = CONF_ERR_IO;
		goto out;
	}
	p.dir = conf_file_dir(path);
	r = ini_parse_stream(conf_reader, &p, conf_handler, &p);
	if (p.error == NULL && r != 0) {
		/* inih refused a line we passed: it should not happen. */
		conf_fail(&p, r > 0 ? (unsigned int)r : p.lineno,
		    _("cannot read this line"));
	}
	if (p.error == NULL)
		conf_section_end(&p);
	if (p.error == NULL)
		conf_finish(&p);
	if (p.error != NULL) {
		*cause = p.error;
		p.error = NULL;
		r = p.io_error ? CONF_ERR_IO : CONF_ERR_INVALID;
		goto out;
	}

	/* The whole file is good: hand it over. */
	p.c.file = xstrdup(path);
	*c = p.c;
	memset(&p.c, 0, sizeof p.c);
	r = 0;

out:
	if (p.fp != NULL)
		fclose(p.fp);
	for (i = 0; i < p.nshare_lines; i++)
		free(p.share_lines[i]);
	free(p.share_lines);
	free(p.node_lines);
	conf_free(&p.c);
	free(p.line);
	free(p.dir);
	return (r);
}

/* Print one key of base, or a comment if it is not set. */
static void
conf_print_key(const struct conf_entry *e, const void *base, struct buf *b)
{
	const struct conf_strings	*list;
	const struct conf_ids		*ids;
	const struct conf_id		*id;
	const char			*s;
	char				 text[NODEID_TEXT_SIZE];
	size_t				 i;

	switch (e->type) {
	case CONF_STRING:
	case CONF_PATH:
	case CONF_COMMAND:
		s = *CONF_FIELD(base, e, char *const);
		if (s == NULL)
			buf_addf(b, "# %s is not set\n", e->key);
		else
			buf_addf(b, "%s = %s\n", e->key, s);
		break;
	case CONF_BOOL:
		buf_addf(b, "%s = %s\n", e->key,
		    *CONF_FIELD(base, e, const int) ? "yes" : "no");
		break;
	case CONF_RATE:
		conf_rate_text(*CONF_FIELD(base, e, const uint64_t), text,
		    sizeof text);
		buf_addf(b, "%s = %s\n", e->key, text);
		break;
	case CONF_DURATION:
		conf_duration_text(*CONF_FIELD(base, e, const int64_t), text,
		    sizeof text);
		buf_addf(b, "%s = %s\n", e->key, text);
		break;
	case CONF_ENUM:
		buf_addf(b, "%s = %s\n", e->key,
		    e->choices[*CONF_FIELD(base, e, const int)]);
		break;
	case CONF_NODEID:
		id = CONF_FIELD(base, e, const struct conf_id);
		if (!id->set) {
			buf_addf(b, "# %s is not set\n", e->key);
			break;
		}
		nodeid_to_text(id->id, text);
		buf_addf(b, "%s = %s\n", e->key, text);
		break;
	case CONF_NODEID_LIST:
		ids = CONF_FIELD(base, e, const struct conf_ids);
		if (ids->n == 0)
			buf_addf(b, "# %s is not set\n", e->key);
		for (i = 0; i < ids->n; i++) {
			nodeid_to_text(ids->v[i], text);
			buf_addf(b, "%s = %s\n", e->key, text);
		}
		break;
	case CONF_ADDR_LIST:
	case CONF_SUBNET_LIST:
	case CONF_URL_LIST:
	case CONF_SCHEDULE_LIST:
		list = CONF_FIELD(base, e, const struct conf_strings);
		if (list->n == 0)
			buf_addf(b, "# %s is not set\n", e->key);
		for (i = 0; i < list->n; i++)
			buf_addf(b, "%s = %s\n", e->key, list->v[i]);
		break;
	}
}

/* Print the settings in effect; see conf.h. */
int
conf_print(const struct conf *c, struct buf *b)
{
	const struct conf_entry		*e;
	const struct conf_share		*sh;
	size_t				 i;

	buf_add_str(b, "[node]\n");
	for (e = conf_table; e->key != NULL; e++) {
		if (e->section == CONF_SECTION_NODE)
			conf_print_key(e, &c->node, b);
	}
	for (i = 0; i < c->nshares; i++) {
		sh = &c->shares[i];
		buf_addf(b, "\n[share \"%s\"]\n", sh->name);
		for (e = conf_table; e->key != NULL; e++) {
			if (e->section != CONF_SECTION_SHARE)
				continue;
			/* Keys the share's mode does not use are left out. */
			if ((e->flags & CONF_RECEIVE_ONLY) &&
			    sh->mode != CONF_MODE_RECEIVE)
				continue;
			if ((e->flags & CONF_SEND_ONLY) &&
			    sh->mode != CONF_MODE_SEND)
				continue;
			if ((e->flags & CONF_ATOMIC_ONLY) &&
			    sh->publish != CONF_PUBLISH_ATOMIC)
				continue;
			conf_print_key(e, sh, b);
		}
	}
	return (0);
}
