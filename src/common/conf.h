/*
 * The INI file, shoal.conf: one [node] section and one [share "NAME"]
 * section per share, read with inih. Every key is described once, in
 * conf_table (type, bounds, default, help), and shoal.conf(5) documents
 * the same table.
 *
 * The module is "conf", not "config", because config.h is autoconf's.
 */
#ifndef SHOAL_CONF_H
#define SHOAL_CONF_H

#include <stddef.h>
#include <stdint.h>

#include "nodeid.h"

struct buf;

/* Where the file lives unless -c says otherwise (cli_config_file()). */
#define CONF_FILE_NAME		"shoal.conf"
/* The port every node listens on unless told. */
#define CONF_DEFAULT_PORT	7420
/* Longest share name, in bytes. */
#define CONF_NAME_MAX		64

/* conf_load()'s failures: the file could not be read, or it is wrong. */
#define CONF_ERR_IO		-1
#define CONF_ERR_INVALID	-2

enum conf_section {
	CONF_SECTION_NODE,
	CONF_SECTION_SHARE
};

enum conf_type {
	CONF_STRING,		/* Text; maximum is its length in bytes. */
	CONF_PATH,		/* A path, made absolute and normalised. */
	CONF_COMMAND,		/* A command line for /bin/sh -c. */
	CONF_BOOL,		/* yes/no, true/false, on/off, 1/0. */
	CONF_RATE,		/* Bytes a second, "500K"; 0 is no limit. */
	CONF_DURATION,		/* Seconds, "30s", "5m"; bounds apply. */
	CONF_ENUM,		/* One of choices; stored as its index. */
	CONF_NODEID,		/* One node ID (struct conf_id). */
	CONF_NODEID_LIST,	/* Repeatable node IDs (struct conf_ids). */
	CONF_ADDR_LIST,		/* Repeatable ADDR:PORT; port >= min. */
	CONF_SUBNET_LIST,	/* Repeatable CIDR subnets. */
	CONF_URL_LIST,		/* Repeatable tracker URLs. */
	CONF_SCHEDULE_LIST	/* Repeatable limit windows (schedule.h). */
};

/* Flags of a key. */
#define CONF_REQUIRED		0x1	/* Must be set. */
#define CONF_SEND_ONLY		0x2	/* Only with mode = send. */
#define CONF_RECEIVE_ONLY	0x4	/* Only with mode = receive. */
#define CONF_ATOMIC_ONLY	0x8	/* Only with publish = atomic. */
#define CONF_RECEIVE_REQUIRED	0x10	/* Needed to receive. */

struct conf_entry {
	enum conf_section	  section;
	const char		 *key;
	enum conf_type		  type;
	size_t			  offset;	/* In node or share. */
	int			  flags;
	int64_t			  minimum;
	int64_t			  maximum;
	const char *const	 *choices;	/* CONF_ENUM; NULL ends. */
	const char		 *default_value; /* Text; NULL: not set. */
	const char		 *help;		/* One line. */
};

/* Every key; the last entry has a NULL key. */
extern const struct conf_entry conf_table[];

/* A repeatable text key: each line adds one value, in file order. */
struct conf_strings {
	char		**v;
	size_t		  n;
};

/* An optional node ID. */
struct conf_id {
	int		  set;
	uint8_t		  id[NODEID_LEN];
};

/* A repeatable node-ID key; a value given twice is kept once. */
struct conf_ids {
	uint8_t		(*v)[NODEID_LEN];
	size_t		  n;
};

/* Values of the enum keys: the index of the word in the table's choices. */
enum conf_mode {
	CONF_MODE_SEND,
	CONF_MODE_RECEIVE
};
enum conf_removed {
	CONF_REMOVED_DELETE,
	CONF_REMOVED_KEEP,
	CONF_REMOVED_TRASH
};
enum conf_publish {
	CONF_PUBLISH_ATOMIC,
	CONF_PUBLISH_PER_FILE
};
/* log_level holds an enum log_level (log.h): debug, info, warn, error. */

/* [node]. A NULL string is a key that is not set. */
struct conf_node {
	char			*name;
	struct conf_strings	 listen;
	char			*state_dir;
	char			*key_file;
	char			*cert_file;
	char			*ca;
	char			*site;
	struct conf_strings	 local_subnet;
	uint64_t		 upload_limit;	/* Bytes/s; 0: none. */
	uint64_t		 download_limit;
	int			 lan_limits;
	uint64_t		 site_upload_limit;	/* Each other site. */
	uint64_t		 site_download_limit;
	struct conf_strings	 schedule;	/* Limit windows, in order. */
	int			 lsd;
	int			 pex;
	struct conf_strings	 tracker;
	char			*log_file;
	int			 log_level;
};

/* One [share "NAME"]. */
struct conf_share {
	char			*name;
	unsigned int		 line;		/* Of its header. */
	char			*path;
	int			 mode;		/* enum conf_mode */
	struct conf_id		 share_id;
	char			*info_hash;	/* A fixed torrent: v2 hex. */
	struct conf_id		 source;	/* Its sender's node ID. */
	struct conf_strings	 peer;
	struct conf_ids		 allow;
	int			 open;
	char			*ca;		/* NULL: the node's. */
	uint64_t		 upload_limit;	/* Bytes/s; 0: none. */
	uint64_t		 download_limit;
	int64_t			 rescan;	/* Seconds; 0: never. */
	int			 on_removed;	/* enum conf_removed */
	char			*on_complete;
	int			 publish;	/* enum conf_publish */
	char			*before_publish;
	char			*after_publish;
};

struct conf {
	char			*file;		/* As given. */
	struct conf_node	 node;
	struct conf_share	*shares;	/* In file order. */
	size_t			 nshares;
};

/* Fill c with the defaults of every [node] key and no shares. */
void	conf_init(struct conf *);
/* Free what c holds; c is left all zeros (conf_init() makes it usable). */
void	conf_free(struct conf *);
/*
 * Read and check the file at path. On success fill c (the caller frees it
 * with conf_free()) and return 0. On failure leave c as it was, return
 * CONF_ERR_IO if the file cannot be read or CONF_ERR_INVALID if it is
 * wrong, and put in *cause (the caller frees it) the first problem, as
 * "FILE:LINE: [section] key: what is wrong".
 */
int	conf_load(struct conf *, const char *, char **);
/*
 * Append the effective settings to b as INI text that conf_load() reads
 * back to the same values: every key, defaults filled in, keys that are
 * not set as comments. Returns 0.
 */
int	conf_print(const struct conf *, struct buf *);
/* The table entry for key in a section, or NULL. */
const struct conf_entry *conf_find(enum conf_section, const char *);

#endif
