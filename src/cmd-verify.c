/*
 * shoal verify FILE.torrent DIR: check a folder against a torrent, naming
 * every file that is missing, the wrong size or fails its hashes.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <uv.h>

#include "checker.h"
#include "cli.h"
#include "i18n.h"
#include "metainfo.h"
#include "units.h"
#include "xmalloc.h"

static int	cmd_verify_exec(const struct cmd_entry *, int, char **);

const struct cmd_entry cmd_verify_entry = {
	.name = "verify",
	.args = N_("FILE.torrent DIR [-q]"),
	.help = N_("check a folder against a torrent, file by file"),
	.exec = cmd_verify_exec,
};

struct cmd_verify_state {
	struct checker		*checker;
	struct cli_progress	*progress;
};

static void
cmd_verify_progress(void *arg, uint64_t *done, uint64_t *total)
{
	struct cmd_verify_state	*st = arg;

	checker_progress(st->checker, done, total);
}

static void
cmd_verify_done(void *arg, struct checker *c)
{
	struct cmd_verify_state	*st = arg;

	cli_progress_stop(st->progress);
	st->progress = NULL;
}

/*
 * Print one line per entry that is not as the torrent says. Counts the
 * files (and empty folders) checked and those with a problem.
 */
static void
cmd_verify_report(const struct metainfo *m, const struct checker_file *res,
    size_t counts[4])
{
	size_t	i;
	char	a[UNITS_BUFLEN], b[UNITS_BUFLEN];

	memset(counts, 0, 4 * sizeof *counts);
	for (i = 0; i < m->nfiles; i++) {
		const struct mi_file		*f = &m->files[i];
		const struct checker_file	*r = &res[i];
		int				 dir = (f->attr & MI_ATTR_DIR) != 0;

		if (f->attr & MI_ATTR_PAD)
			continue;
		counts[dir ? 2 : 0]++;
		switch (r->status) {
		case CHECKER_OK:
			continue;
		case CHECKER_MISSING:
			printf(_("missing: %s\n"), f->path);
			break;
		case CHECKER_WRONG_SIZE:
			printf(_("wrong size: %s (%s, expected %s)\n"),
			    f->path, units_size(r->actual_size, a),
			    units_size(f->length, b));
			break;
		case CHECKER_BAD:
			printf(_("bad: %s (%u of %u pieces fail their "
			    "hash)\n"), f->path, r->bad_pieces, f->npieces);
			break;
		case CHECKER_WRONG_TYPE:
			printf(_("wrong type: %s (expected a %s)\n"), f->path,
			    dir ? _("folder") : _("file"));
			break;
		case CHECKER_BAD_LINK:
			printf(_("bad symlink: %s (expected one to %s)\n"),
			    f->path, f->symlink);
			break;
		case CHECKER_UNREADABLE:
			printf(_("unreadable: %s (%s)\n"), f->path,
			    strerror(r->error));
			break;
		}
		counts[dir ? 3 : 1]++;
	}
}

static int
cmd_verify_exec(const struct cmd_entry *self, int argc, char **argv)
{
	static const struct option	longopts[] = {
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct cmd_verify_state		st;
	struct metainfo			m;
	struct stat			sb;
	char				*cause = NULL, *root;
	const char			*dir;
	char				 a[UNITS_BUFLEN];
	uv_loop_t			 loop;
	size_t				 bad, counts[4];
	int				 ch, quiet = 0;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'q':
			quiet = 1;
			break;
		case 'h':
			return (cli_help(self));
		default:
			return (cli_usage(self));
		}
	}
	if (argc - optind != 2)
		return (cli_usage(self));
	dir = argv[optind + 1];
	if (metainfo_load(&m, argv[optind], &cause) != 0) {
		cli_error("%s", cause);
		free(cause);
		return (EXIT_RUNTIME);
	}
	if (stat(dir, &sb) != 0) {
		cli_error(_("cannot read %s: %s"), dir, strerror(errno));
		metainfo_free(&m);
		return (EXIT_RUNTIME);
	}
	/* DIR is the content folder itself; a single file may be named. */
	if (m.single_file && S_ISDIR(sb.st_mode))
		xasprintf(&root, "%s/%s", dir, m.name);
	else if (!m.single_file && !S_ISDIR(sb.st_mode)) {
		cli_error(_("%s: not a folder (the torrent holds a folder)"),
		    dir);
		metainfo_free(&m);
		return (EXIT_RUNTIME);
	} else
		root = xstrdup(dir);

	memset(&st, 0, sizeof st);
	if (uv_loop_init(&loop) != 0)
		fatalx("uv_loop_init failed");
	st.checker = checker_new(&loop, &m, root, cmd_verify_done, &st);
	if (!quiet)
		st.progress = cli_progress_start(&loop, _("verifying"),
		    cmd_verify_progress, &st);
	checker_start(st.checker);
	uv_run(&loop, UV_RUN_DEFAULT);

	cmd_verify_report(&m, checker_results(st.checker), counts);
	bad = counts[1] + counts[3];
	if (bad == 0 && !quiet)
		printf(_("all %zu files verified (%s)\n"), counts[0],
		    units_size(m.total_size, a));
	else if (bad != 0 && (counts[1] != 0 || counts[3] == 0))
		printf(_("%zu of %zu files are missing or damaged\n"),
		    counts[1], counts[0]);
	if (counts[3] != 0)
		printf(_("%zu of %zu empty folders are missing\n"), counts[3],
		    counts[2]);
	checker_free(st.checker);
	uv_loop_close(&loop);
	free(root);
	metainfo_free(&m);
	return (bad == 0 ? EXIT_DONE : EXIT_RUNTIME);
}
