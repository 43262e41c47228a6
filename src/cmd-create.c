/*
 * shoal create DIR -o FILE.torrent: hash a folder into a v2-only or hybrid
 * torrent on every core.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <uv.h>

#include "cli.h"
#include "creator.h"
#include "hex.h"
#include "i18n.h"
#include "units.h"
#include "xmalloc.h"

static int	cmd_create_exec(const struct cmd_entry *, int, char **);

const struct cmd_entry cmd_create_entry = {
	.name = "create",
	.args = N_("DIR -o FILE.torrent [--v2-only] [-p SIZE] [--comment TEXT] "
	    "[--private] [--mtime] [-t URL]... [-q]"),
	.help = N_("make a torrent (v2 or hybrid) from a folder"),
	.exec = cmd_create_exec,
};

struct cmd_create_state {
	struct creator		*creator;
	struct cli_progress	*progress;
	int			 quiet;
};

static void
cmd_create_warn(void *arg, const char *msg)
{
	struct cmd_create_state	*st = arg;

	if (!st->quiet)
		cli_error("%s", msg);
}

static void
cmd_create_progress(void *arg, uint64_t *done, uint64_t *total)
{
	struct cmd_create_state	*st = arg;

	creator_progress(st->creator, done, total);
}

static void
cmd_create_done(void *arg, struct creator *c)
{
	struct cmd_create_state	*st = arg;

	cli_progress_stop(st->progress);
	st->progress = NULL;
}

static int
cmd_create_exec(const struct cmd_entry *self, int argc, char **argv)
{
	static const struct option	 longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "v2-only", no_argument, NULL, '2' },
		{ "piece-size", required_argument, NULL, 'p' },
		{ "comment", required_argument, NULL, 'c' },
		{ "private", no_argument, NULL, 'P' },
		{ "mtime", no_argument, NULL, 'm' },
		{ "tracker", required_argument, NULL, 't' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct creator_opts		 opts;
	struct cmd_create_state		 st;
	const char			*output = NULL;
	const char			**trackers = NULL;
	size_t				 ntrackers = 0, len;
	const struct metainfo		*m;
	const uint8_t			*data;
	char				*cause = NULL, *created_by;
	char				 a[UNITS_BUFLEN], b[UNITS_BUFLEN];
	char				 hex[65];
	uv_loop_t			 loop;
	size_t				 i, nfiles = 0;
	int				 ch, r = EXIT_DONE;

	memset(&opts, 0, sizeof opts);
	memset(&st, 0, sizeof st);
	opts.versions = MI_HYBRID;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "o:p:t:qh", longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'o':
			output = optarg;
			break;
		case '2':
			opts.versions = MI_V2;
			break;
		case 'p':
			if (cli_parse_piece_length(optarg,
			    &opts.piece_length) != 0) {
				cli_error(_("bad piece size \"%s\": give a "
				    "power of two from 16K to 128M"), optarg);
				free(trackers);
				return (EXIT_USAGE);
			}
			break;
		case 'c':
			opts.comment = optarg;
			break;
		case 'P':
			opts.is_private = 1;
			break;
		case 'm':
			opts.mtime = 1;
			break;
		case 't':
			trackers = xreallocarray(trackers, ntrackers + 1,
			    sizeof *trackers);
			trackers[ntrackers++] = optarg;
			break;
		case 'q':
			st.quiet = 1;
			break;
		case 'h':
			free(trackers);
			return (cli_help(self));
		default:
			free(trackers);
			return (cli_usage(self));
		}
	}
	if (argc - optind != 1 || output == NULL) {
		free(trackers);
		return (cli_usage(self));
	}
	opts.path = argv[optind];
	opts.trackers = trackers;
	opts.ntrackers = ntrackers;
	xasprintf(&created_by, "shoal %s", PACKAGE_VERSION);
	opts.created_by = created_by;
	opts.creation_date = (int64_t)time(NULL);

	if (uv_loop_init(&loop) != 0)
		fatalx("uv_loop_init failed");
	st.creator = creator_new(&loop, &opts, cmd_create_warn,
	    cmd_create_done, &st);
	if (!st.quiet)
		st.progress = cli_progress_start(&loop, _("hashing"),
		    cmd_create_progress, &st);
	creator_start(st.creator);
	uv_run(&loop, UV_RUN_DEFAULT);

	if (creator_error(st.creator) != NULL) {
		cli_error("%s", creator_error(st.creator));
		r = EXIT_RUNTIME;
		goto out;
	}
	data = creator_torrent(st.creator, &len);
	if (cli_write_file(output, data, len, &cause) != 0) {
		cli_error("%s", cause);
		free(cause);
		r = EXIT_RUNTIME;
		goto out;
	}
	m = creator_metainfo(st.creator);
	for (i = 0; i < m->nfiles; i++) {
		if (metainfo_is_content(&m->files[i]))
			nfiles++;
	}
	if (!st.quiet) {
		printf(_("%s: %s in %zu files, %u pieces of %s, %s\n"), output,
		    units_size(m->total_size, a), nfiles, m->npieces,
		    units_size(m->piece_length, b), m->versions == MI_V2 ?
		    _("v2") : _("hybrid"));
		if (m->versions & MI_V1) {
			hex_encode(m->ih1, 20, hex);
			printf(_("info-hash v1: %s\n"), hex);
		}
		hex_encode(m->ih2, 32, hex);
		printf(_("info-hash v2: %s\n"), hex);
	}

out:
	creator_free(st.creator);
	uv_loop_close(&loop);
	free(created_by);
	free(trackers);
	return (r);
}
