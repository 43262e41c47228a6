/* Shared plumbing of the command-line verbs. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "file.h"
#include "i18n.h"
#include "identity.h"
#include "metainfo.h"
#include "units.h"
#include "xmalloc.h"

void
cli_error(const char *fmt, ...)
{
	va_list	ap;

	fputs("shoal: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int
cli_help(const struct cmd_entry *e)
{
	printf(_("usage: shoal %s %s\n"), e->name, _(e->args));
	return (EXIT_DONE);
}

int
cli_usage(const struct cmd_entry *e)
{
	fprintf(stderr, _("usage: shoal %s %s\n"), e->name, _(e->args));
	return (EXIT_USAGE);
}

int
cli_parse_piece_length(const char *s, uint32_t *out)
{
	uint64_t	v;

	if (units_parse_size(s, &v) != 0 || v < MI_MIN_PIECE_LENGTH ||
	    v > MI_MAX_PIECE_LENGTH || (v & (v - 1)) != 0)
		return (-1);
	*out = (uint32_t)v;
	return (0);
}

int
cli_write_file(const char *path, const void *data, size_t len, char **cause)
{
	char		*tmp;
	int		 fd, saved;

	xasprintf(&tmp, "%s.tmp.XXXXXX", path);
	if ((fd = mkstemp(tmp)) == -1) {
		xasprintf(cause, _("cannot write %s: %s"), path,
		    strerror(errno));
		free(tmp);
		return (-1);
	}
	if (file_write_sync(fd, data, len, 0644) != 0)
		goto fail;
	if (close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) != 0)
		goto fail;
	free(tmp);
	return (0);

fail:
	saved = errno;
	if (fd != -1)
		close(fd);
	unlink(tmp);
	free(tmp);
	xasprintf(cause, _("cannot write %s: %s"), path, strerror(saved));
	return (-1);
}

struct cli_progress {
	uv_timer_t		 timer;
	char			*label;
	cli_progress_get	 get;
	void			*arg;
	uint64_t		 start_ms;
	int			 shown;
};

static void
cli_progress_draw(uv_timer_t *t)
{
	struct cli_progress	*p = t->data;
	uint64_t		 done, total, ms;
	double			 rate;
	char			 a[UNITS_BUFLEN], b[UNITS_BUFLEN];
	char			 r[UNITS_BUFLEN], e[UNITS_BUFLEN];

	p->get(p->arg, &done, &total);
	if (total == 0)
		return;
	ms = uv_now(t->loop) - p->start_ms;
	rate = ms == 0 ? 0 : (double)done * 1000.0 / (double)ms;
	fputs("\r\033[K", stderr);
	fprintf(stderr, _("%s  %s of %s  %3.0f%%  %s  ETA %s"),
	    p->label, units_size(done, a), units_size(total, b),
	    100.0 * (double)done / (double)total, units_rate(rate, r),
	    units_duration(rate > 0 ? (int64_t)((double)(total - done) /
	    rate) : -1, e));
	fflush(stderr);
	p->shown = 1;
}

struct cli_progress *
cli_progress_start(uv_loop_t *loop, const char *label, cli_progress_get get,
    void *arg)
{
	struct cli_progress	*p;

	if (!isatty(STDERR_FILENO))
		return (NULL);
	p = xcalloc(1, sizeof *p);
	p->label = xstrdup(label);
	p->get = get;
	p->arg = arg;
	p->start_ms = uv_now(loop);
	uv_timer_init(loop, &p->timer);
	p->timer.data = p;
	/* Five redraws a second: smooth enough, cheap. */
	uv_timer_start(&p->timer, cli_progress_draw, 200, 200);
	return (p);
}

static void
cli_progress_closed(uv_handle_t *h)
{
	struct cli_progress	*p = h->data;

	free(p->label);
	free(p);
}

void
cli_progress_stop(struct cli_progress *p)
{
	if (p == NULL)
		return;
	if (p->shown) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
	uv_timer_stop(&p->timer);
	uv_close((uv_handle_t *)&p->timer, cli_progress_closed);
}

/*
 * A folder under the user's home for the XDG variable var (used when it
 * holds an absolute path, as the XDG spec says) or home/fallback.
 */
static char *
cli_xdg_path(const char *var, const char *fallback, const char *leaf,
    const char *what)
{
	const char	*base = getenv(var), *home;
	struct passwd	*pw;
	char		*path;

	if (base != NULL && base[0] == '/') {
		xasprintf(&path, "%s/%s", base, leaf);
		return (path);
	}
	home = getenv("HOME");
	if (home == NULL || home[0] == '\0') {
		if ((pw = getpwuid(getuid())) == NULL || pw->pw_dir == NULL ||
		    pw->pw_dir[0] == '\0') {
			cli_error(_("cannot find a home folder for the %s: set "
			    "HOME or %s"), what, var);
			return (NULL);
		}
		home = pw->pw_dir;
	}
	xasprintf(&path, "%s/%s/%s", home, fallback, leaf);
	return (path);
}

/* Return the state folder to use, allocated. */
char *
cli_state_dir(const char *opt)
{
	if (opt != NULL)
		return (xstrdup(opt));
	return (cli_xdg_path("XDG_STATE_HOME", ".local/state", "shoal",
	    _("state folder")));
}

/* Return the config file to use, allocated. */
char *
cli_config_file(const char *opt)
{
	if (opt != NULL)
		return (xstrdup(opt));
	return (cli_xdg_path("XDG_CONFIG_HOME", ".config", "shoal/shoal.conf",
	    _("config file")));
}

/* Make path and its missing parents (mkdir -p), each with mode. */
int
cli_mkdirs(const char *path, mode_t mode, char **cause)
{
	struct stat	 sb;
	char		*copy, *p;
	int		 saved;

	if (*path == '\0') {
		xasprintf(cause, _("cannot make a folder with an empty "
		    "name"));
		return (-1);
	}
	copy = xstrdup(path);
	for (p = copy + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		if (p[-1] != '/') {
			saved = *p;
			*p = '\0';
			if (mkdir(copy, mode) != 0 && errno != EEXIST)
				goto fail;
			*p = (char)saved;
		}
		if (*p == '\0')
			break;
	}
	if (stat(path, &sb) != 0)
		goto fail;
	if (!S_ISDIR(sb.st_mode)) {
		xasprintf(cause, _("cannot make the folder %s: %s"), path,
		    strerror(ENOTDIR));
		free(copy);
		return (-1);
	}
	free(copy);
	return (0);

fail:
	saved = errno;
	xasprintf(cause, _("cannot make the folder %s: %s"), copy,
	    strerror(saved));
	free(copy);
	return (-1);
}

/* Create path with O_EXCL and write data into it. */
int
cli_write_new_file(const char *path, const void *data, size_t len,
    mode_t mode, char **cause)
{
	int		 fd, saved;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    mode)) == -1) {
		xasprintf(cause, _("cannot write %s: %s"), path,
		    strerror(errno));
		return (-1);
	}
	if (file_write_sync(fd, data, len, mode) != 0)
		goto fail;
	if (close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	return (0);

fail:
	saved = errno;
	if (fd != -1)
		close(fd);
	unlink(path);
	xasprintf(cause, _("cannot write %s: %s"), path, strerror(saved));
	return (-1);
}

/* Load node.key and node.crt from the state folder dir. */
int
cli_identity_load(const char *dir, struct identity *ident, char **cause)
{
	struct stat	 sb;
	char		*keypath, *certpath;
	int		 r;

	xasprintf(&keypath, "%s/%s", dir, IDENTITY_KEY_FILE);
	xasprintf(&certpath, "%s/%s", dir, IDENTITY_CERT_FILE);
	if (stat(keypath, &sb) != 0 && errno == ENOENT) {
		xasprintf(cause, _("no identity in %s: run shoal init"), dir);
		r = -1;
	} else
		r = identity_load(ident, keypath, certpath, cause);
	free(certpath);
	free(keypath);
	return (r);
}
