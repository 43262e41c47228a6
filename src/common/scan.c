/*
 * The folder walk behind "shoal create" and, later, every rescan of a
 * share. It reads directories with the plain POSIX calls and keeps symlinks
 * as symlinks (rsync -a does the same) when their target resolves inside
 * the folder; anything else that is not a file or a directory is left out
 * with a warning.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "scan.h"
#include "xmalloc.h"

struct scan {
	struct metainfo	*m;
	scan_warn_cb	 warn;
	void		*arg;
	char		**cause;
	const char	*root;
};

static void
scan_warn(struct scan *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
scan_warn(struct scan *s, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	if (s->warn == NULL)
		return;
	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	s->warn(s->arg, msg);
	free(msg);
}

static int
scan_name_cmp(const void *a, const void *b)
{
	return (strcmp(*(char *const *)a, *(char *const *)b));
}

static struct mi_file *
scan_add(struct metainfo *m)
{
	struct mi_file	*f;

	if (m->nfiles >= MI_MAX_FILES)
		return (NULL);
	m->files = xreallocarray(m->files, m->nfiles + 1, sizeof *m->files);
	f = &m->files[m->nfiles++];
	memset(f, 0, sizeof *f);
	return (f);
}

/*
 * Resolve a symlink's target lexically against the link's directory (rel,
 * relative to the root). Returns the target relative to the root, or NULL
 * if it is absolute or climbs out.
 */
char *
scan_link_target(const char *rel, const char *target)
{
	char		**parts = NULL;
	size_t		  n = 0, i;
	char		 *copy, *tok, *save, *slash;
	struct buf	  b;

	if (target[0] == '/' || target[0] == '\0')
		return (NULL);
	copy = xstrdup(rel);
	if ((slash = strrchr(copy, '/')) != NULL)
		*slash = '\0';
	else
		copy[0] = '\0';
	parts = xreallocarray(NULL, strlen(rel) + strlen(target) + 2,
	    sizeof *parts);
	for (tok = strtok_r(copy, "/", &save); tok != NULL;
	    tok = strtok_r(NULL, "/", &save))
		parts[n++] = tok;
	{
		char	*t = xstrdup(target);
		char	*save2;

		for (tok = strtok_r(t, "/", &save2); tok != NULL;
		    tok = strtok_r(NULL, "/", &save2)) {
			if (strcmp(tok, ".") == 0)
				continue;
			if (strcmp(tok, "..") == 0) {
				if (n == 0) {
					free(t);
					free(copy);
					free(parts);
					return (NULL);
				}
				n--;
				continue;
			}
			parts[n++] = tok;
		}
		buf_init(&b);
		for (i = 0; i < n; i++) {
			if (i != 0)
				buf_add_byte(&b, '/');
			buf_add_str(&b, parts[i]);
		}
		free(t);
	}
	free(copy);
	free(parts);
	if (b.len == 0) {
		buf_destroy(&b);
		return (NULL);	/* The root itself. */
	}
	return ((char *)buf_steal(&b, NULL));
}

/* Walk the directory at full path dir, whose path below the root is rel. */
static int
scan_dir(struct scan *s, const char *dir, const char *rel, unsigned depth)
{
	DIR		 *d;
	struct dirent	 *de;
	char		**names = NULL, *full = NULL, *sub = NULL;
	size_t		  nnames = 0, i, before = s->m->nfiles;
	struct stat	  st;
	struct mi_file	 *f;
	int		  r = 0;

	if (depth > MI_MAX_PATH_DEPTH) {
		xasprintf(s->cause, "%s: folders nested more than %d deep",
		    dir, MI_MAX_PATH_DEPTH);
		return (-1);
	}
	if ((d = opendir(dir)) == NULL) {
		xasprintf(s->cause, "cannot read folder %s: %s", dir,
		    strerror(errno));
		return (-1);
	}
	for (;;) {
		errno = 0;
		if ((de = readdir(d)) == NULL)
			break;
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (depth == 0 && strcmp(de->d_name, ".shoal") == 0)
			continue;
		names = xreallocarray(names, nnames + 1, sizeof *names);
		names[nnames++] = xstrdup(de->d_name);
	}
	if (errno != 0) {
		xasprintf(s->cause, "cannot read folder %s: %s", dir,
		    strerror(errno));
		r = -1;
	}
	closedir(d);
	if (nnames > 0)		/* An empty folder: names is NULL. */
		qsort(names, nnames, sizeof *names, scan_name_cmp);

	for (i = 0; i < nnames && r == 0; i++) {
		free(full);
		free(sub);
		xasprintf(&full, "%s/%s", dir, names[i]);
		if (*rel == '\0')
			sub = xstrdup(names[i]);
		else
			xasprintf(&sub, "%s/%s", rel, names[i]);
		if (strlen(sub) > MI_MAX_PATH || strlen(names[i]) > 255) {
			scan_warn(s, "%s: the name is too long, left out", full);
			continue;
		}
		if (lstat(full, &st) != 0) {
			xasprintf(s->cause, "cannot read %s: %s", full,
			    strerror(errno));
			r = -1;
			break;
		}
		if (S_ISDIR(st.st_mode)) {
			r = scan_dir(s, full, sub, depth + 1);
			continue;
		}
		if (S_ISLNK(st.st_mode)) {
			char	target[PATH_MAX], *resolved;
			ssize_t	n = readlink(full, target, sizeof target - 1);

			if (n < 0) {
				xasprintf(s->cause, "cannot read symlink %s: "
				    "%s", full, strerror(errno));
				r = -1;
				break;
			}
			target[n] = '\0';
			if ((resolved = scan_link_target(sub, target)) ==
			    NULL) {
				scan_warn(s, "%s: the symlink points outside "
				    "the folder, left out", full);
				continue;
			}
			if ((f = scan_add(s->m)) == NULL)
				goto too_many;
			f->path = xstrdup(sub);
			f->attr = MI_ATTR_SYMLINK;
			f->symlink = resolved;
			f->mtime = st.st_mtime;
			continue;
		}
		if (!S_ISREG(st.st_mode)) {
			scan_warn(s, "%s: not a regular file, left out", full);
			continue;
		}
		if ((f = scan_add(s->m)) == NULL)
			goto too_many;
		f->path = xstrdup(sub);
		f->length = (uint64_t)st.st_size;
		f->mtime = st.st_mtime;
		if (st.st_mode & S_IXUSR)
			f->attr |= MI_ATTR_EXEC;
	}
	if (r == 0 && depth > 0 && s->m->nfiles == before) {
		if ((f = scan_add(s->m)) == NULL)
			goto too_many;
		f->path = xstrdup(rel);
		f->attr = MI_ATTR_DIR;
	}
	goto out;

too_many:
	xasprintf(s->cause, "%s: more than %d files", s->root, MI_MAX_FILES);
	r = -1;
out:
	free(full);
	free(sub);
	for (i = 0; i < nnames; i++)
		free(names[i]);
	free(names);
	return (r);
}

int
scan_path(const char *path, struct metainfo *m, scan_warn_cb warn, void *arg,
    char **cause)
{
	struct scan	 s;
	struct stat	 st;
	char		*copy, *base, *end;
	struct mi_file	*f;

	*cause = NULL;
	if (stat(path, &st) != 0) {
		xasprintf(cause, "cannot read %s: %s", path, strerror(errno));
		return (-1);
	}
	copy = xstrdup(path);
	/* The name is the last component, ignoring trailing slashes. */
	end = copy + strlen(copy);
	while (end > copy + 1 && end[-1] == '/')
		*--end = '\0';
	base = strrchr(copy, '/') != NULL ? strrchr(copy, '/') + 1 : copy;
	if (*base == '\0' || strcmp(base, ".") == 0 ||
	    strcmp(base, "..") == 0) {
		char	cwd[PATH_MAX];

		free(copy);
		if (realpath(path, cwd) == NULL) {
			xasprintf(cause, "cannot read %s: %s", path,
			    strerror(errno));
			return (-1);
		}
		copy = xstrdup(cwd);
		base = strrchr(copy, '/') + 1;
		if (*base == '\0') {
			free(copy);
			xasprintf(cause, "%s: the root folder cannot be "
			    "shared as a whole", path);
			return (-1);
		}
	}
	m->name = xstrdup(base);
	free(copy);

	if (S_ISREG(st.st_mode)) {
		m->single_file = 1;
		f = scan_add(m);
		f->path = xstrdup(m->name);
		f->length = (uint64_t)st.st_size;
		f->mtime = st.st_mtime;
		if (st.st_mode & S_IXUSR)
			f->attr |= MI_ATTR_EXEC;
		return (0);
	}
	if (!S_ISDIR(st.st_mode)) {
		xasprintf(cause, "%s: not a folder or a regular file", path);
		return (-1);
	}
	memset(&s, 0, sizeof s);
	s.m = m;
	s.warn = warn;
	s.arg = arg;
	s.cause = cause;
	s.root = path;
	return (scan_dir(&s, path, "", 0));
}
