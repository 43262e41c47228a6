/*
 * The folder walk: tree order, attributes, symlinks kept when they stay
 * inside and left out with a warning when they do not, empty directories,
 * the reserved .shoal directory; single files; errors naming the path.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../test.h"

#include "metainfo.h"
#include "scan.h"

static char	root[64];

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

static const char *
at(const char *rel)
{
	static char	path[4][512];
	static int	n;

	n = (n + 1) % 4;
	snprintf(path[n], sizeof path[n], "%s/%s", root, rel);
	return (path[n]);
}

static int
make_file(const char *rel, size_t len, mode_t mode)
{
	char	buf[64];
	int	fd;
	size_t	i;

	if ((fd = open(at(rel), O_WRONLY | O_CREAT | O_TRUNC, mode)) == -1)
		return (-1);
	for (i = 0; i < sizeof buf; i++)
		buf[i] = (char)('a' + i % 26);
	while (len > 0) {
		size_t	n = len < sizeof buf ? len : sizeof buf;

		if (write(fd, buf, n) != (ssize_t)n) {
			close(fd);
			return (-1);
		}
		len -= n;
	}
	/* The umask must not decide the execute bits. */
	if (fchmod(fd, mode) != 0) {
		close(fd);
		return (-1);
	}
	return (close(fd));
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return (remove(path));
}

struct warnings {
	char	*msg[16];
	size_t	 n;
};

static void
on_warn(void *arg, const char *msg)
{
	struct warnings	*w = arg;

	if (w->n < sizeof w->msg / sizeof w->msg[0])
		w->msg[w->n] = strdup(msg);
	w->n++;
}

/* 1 if a warning names the path (below root) and contains what. */
static int
warned(const struct warnings *w, const char *rel, const char *what)
{
	size_t	i;

	for (i = 0; i < w->n && i < 16; i++) {
		if (strstr(w->msg[i], at(rel)) != NULL &&
		    strstr(w->msg[i], what) != NULL)
			return (1);
	}
	return (0);
}

/*
 * The tree:
 *   B                 2 bytes (upper case sorts before lower case)
 *   a/dirlink ->      ../deep (a symlink to a directory inside)
 *   a/inner.txt       5 bytes
 *   a/link-in ->      ../b.txt
 *   a.txt             3 bytes
 *   b.txt             10 bytes, mode 755
 *   deep/x/y/z.bin    1 byte
 *   dot-link ->       . (the root itself: left out)
 *   empty/            an empty directory
 *   out-abs ->        /etc/passwd (left out)
 *   out-rel ->        ../../etc (left out)
 *   pipe              a FIFO (left out)
 *   sub/.shoal/keep   0 bytes (only the top .shoal is reserved)
 *   sub/only-out ->   /tmp (left out; sub/ still has .shoal/keep)
 *   .shoal/state      skipped without a word
 */
static int
make_tree(void)
{
	static const char *const dirs[] = { "a", "deep", "deep/x",
	    "deep/x/y", "empty", "sub", "sub/.shoal", ".shoal" };
	size_t	i;

	for (i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
		if (mkdir(at(dirs[i]), 0755) != 0)
			return (-1);
	}
	if (make_file("B", 2, 0644) != 0 ||
	    make_file("a/inner.txt", 5, 0644) != 0 ||
	    make_file("a.txt", 3, 0600) != 0 ||
	    make_file("b.txt", 10, 0755) != 0 ||
	    make_file("deep/x/y/z.bin", 1, 0400) != 0 ||
	    make_file("sub/.shoal/keep", 0, 0644) != 0 ||
	    make_file(".shoal/state", 100, 0644) != 0)
		return (-1);
	if (symlink("../deep", at("a/dirlink")) != 0 ||
	    symlink("../b.txt", at("a/link-in")) != 0 ||
	    symlink(".", at("dot-link")) != 0 ||
	    symlink("/etc/passwd", at("out-abs")) != 0 ||
	    symlink("../../etc", at("out-rel")) != 0 ||
	    symlink("/tmp", at("sub/only-out")) != 0)
		return (-1);
	if (mkfifo(at("pipe"), 0644) != 0)
		return (-1);
	return (0);
}

struct want {
	const char	*path;
	uint64_t	 length;
	unsigned	 attr;
	const char	*symlink;
};

static void
test_folder(void)
{
	static const struct want	 want[] = {
		{ "B", 2, 0, NULL },
		{ "a/dirlink", 0, MI_ATTR_SYMLINK, "deep" },
		{ "a/inner.txt", 5, 0, NULL },
		{ "a/link-in", 0, MI_ATTR_SYMLINK, "b.txt" },
		{ "a.txt", 3, 0, NULL },
		{ "b.txt", 10, MI_ATTR_EXEC, NULL },
		{ "deep/x/y/z.bin", 1, 0, NULL },
		{ "empty", 0, MI_ATTR_DIR, NULL },
		{ "sub/.shoal/keep", 0, 0, NULL },
	};
	struct metainfo		 m;
	struct warnings		 w;
	char			*cause = NULL, slashed[80];
	const char		*base;
	size_t			 i, n = sizeof want / sizeof want[0];
	int			 r;

	memset(&w, 0, sizeof w);
	metainfo_init(&m);
	r = scan_path(root, &m, on_warn, &w, &cause);
	if (!CHECK_MSG(r == 0, "scanning the folder succeeds")) {
		printf("# %s\n", cause);
		free(cause);
		return;
	}
	CHECK(cause == NULL);
	base = strrchr(root, '/') + 1;
	CHECK_STR(m.name, base);
	CHECK_INT(m.single_file, 0);
	if (CHECK_INT(m.nfiles, n)) {
		for (i = 0; i < n; i++) {
			const struct mi_file	*f = &m.files[i];
			int			 ok;

			ok = strcmp(f->path, want[i].path) == 0 &&
			    f->length == want[i].length &&
			    f->attr == want[i].attr;
			if (want[i].symlink == NULL)
				ok = ok && f->symlink == NULL;
			else
				ok = ok && f->symlink != NULL &&
				    strcmp(f->symlink, want[i].symlink) == 0;
			CHECK_MSG(ok, label("entry %zu is %s (%llu bytes, attr "
			    "%u%s%s)", i, want[i].path,
			    (unsigned long long)want[i].length, want[i].attr,
			    want[i].symlink != NULL ? " -> " : "",
			    want[i].symlink != NULL ? want[i].symlink : ""));
		}
	} else {
		for (i = 0; i < m.nfiles; i++)
			printf("# got %s attr %u\n", m.files[i].path,
			    m.files[i].attr);
	}
	/* Regular files carry their mtime. */
	CHECK(m.nfiles > 0 && m.files[0].mtime > 0);

	/* Everything left out was warned about, naming the path. */
	CHECK_INT(w.n, 5);
	CHECK_MSG(warned(&w, "out-abs", "outside"),
	    "a symlink to /etc/passwd is left out with a warning");
	CHECK_MSG(warned(&w, "out-rel", "outside"),
	    "a symlink to ../../etc is left out with a warning");
	CHECK_MSG(warned(&w, "sub/only-out", "outside"),
	    "a symlink to /tmp in a subfolder is left out with a warning");
	CHECK_MSG(warned(&w, "dot-link", "outside"),
	    "a symlink to the folder itself is left out with a warning");
	CHECK_MSG(warned(&w, "pipe", "not a regular file"),
	    "a FIFO is left out with a warning");
	for (i = 0; i < w.n && i < 16; i++) {
		CHECK_MSG(strstr(w.msg[i], ".shoal/state") == NULL,
		    "nothing said about the top .shoal directory");
		free(w.msg[i]);
	}
	metainfo_free(&m);

	/* Without a warn callback the walk is the same. */
	metainfo_init(&m);
	CHECK(scan_path(root, &m, NULL, NULL, &cause) == 0);
	CHECK_INT(m.nfiles, n);
	metainfo_free(&m);

	/* A trailing slash does not change the name. */
	snprintf(slashed, sizeof slashed, "%s/", root);
	metainfo_init(&m);
	if (CHECK(scan_path(slashed, &m, NULL, NULL, &cause) == 0)) {
		CHECK_STR(m.name, base);
		CHECK_INT(m.nfiles, n);
		CHECK(m.nfiles == n && strcmp(m.files[0].path, "B") == 0);
	}
	free(cause);
	metainfo_free(&m);
}

static void
test_single_and_errors(void)
{
	struct metainfo	 m;
	char		*cause = NULL;
	const char	*path;

	metainfo_init(&m);
	if (CHECK(scan_path(at("b.txt"), &m, NULL, NULL, &cause) == 0)) {
		CHECK_INT(m.single_file, 1);
		CHECK_STR(m.name, "b.txt");
		CHECK_INT(m.nfiles, 1);
		CHECK(m.nfiles == 1 && strcmp(m.files[0].path, "b.txt") == 0 &&
		    m.files[0].length == 10 &&
		    m.files[0].attr == MI_ATTR_EXEC);
	}
	metainfo_free(&m);

	metainfo_init(&m);
	if (CHECK(scan_path(at("a.txt"), &m, NULL, NULL, &cause) == 0))
		CHECK(m.nfiles == 1 && m.files[0].attr == 0 &&
		    m.files[0].length == 3);
	metainfo_free(&m);

	/* A folder inside: its own name, its own files. */
	metainfo_init(&m);
	if (CHECK(scan_path(at("deep"), &m, NULL, NULL, &cause) == 0)) {
		CHECK_STR(m.name, "deep");
		CHECK(m.nfiles == 1 && strcmp(m.files[0].path, "x/y/z.bin") ==
		    0);
	}
	metainfo_free(&m);

	/* An empty folder scans to nothing (the caller refuses that). */
	metainfo_init(&m);
	if (CHECK(scan_path(at("empty"), &m, NULL, NULL, &cause) == 0))
		CHECK_INT(m.nfiles, 0);
	metainfo_free(&m);

	/* A path that does not exist: the cause names it. */
	path = at("no-such-thing");
	metainfo_init(&m);
	CHECK(scan_path(path, &m, NULL, NULL, &cause) == -1);
	CHECK_MSG(cause != NULL && strstr(cause, path) != NULL,
	    "the cause names the missing path");
	CHECK_MSG(cause != NULL && strstr(cause, strerror(ENOENT)) != NULL,
	    "the cause says it does not exist");
	free(cause);
	cause = NULL;
	metainfo_free(&m);

	/* A FIFO given as the path. */
	path = at("pipe");
	metainfo_init(&m);
	CHECK(scan_path(path, &m, NULL, NULL, &cause) == -1);
	CHECK(cause != NULL && strstr(cause, path) != NULL &&
	    strstr(cause, "not a folder or a regular file") != NULL);
	free(cause);
	cause = NULL;
	metainfo_free(&m);

	/* The root of the file system cannot be shared. */
	metainfo_init(&m);
	CHECK(scan_path("/", &m, NULL, NULL, &cause) == -1);
	CHECK(cause != NULL && strstr(cause, "root folder") != NULL);
	free(cause);
	metainfo_free(&m);
}

static void
check_link(const char *rel, const char *target, const char *want)
{
	char	*got = scan_link_target(rel, target);

	if (want == NULL)
		CHECK_MSG(got == NULL, label("link %s -> %s is refused", rel,
		    target));
	else if (!CHECK_MSG(got != NULL && strcmp(got, want) == 0,
	    label("link %s -> %s is %s", rel, target, want)))
		printf("# got %s\n", got == NULL ? "(null)" : got);
	free(got);
}

static void
test_link_target(void)
{
	check_link("link", "x", "x");
	check_link("a/link", "x", "a/x");
	check_link("a/link", "../x", "x");
	check_link("a/b/link", "../../x", "x");
	check_link("a/b/link", "./c/../d", "a/b/d");
	check_link("a/link", "x//y/", "a/x/y");
	check_link("a/link", "./.", "a");
	check_link("a/link", "../a/../b/c", "b/c");

	/* Leaving the root, lexically or by being absolute. */
	check_link("link", "../x", NULL);
	check_link("a/link", "../../x", NULL);
	check_link("a/b/link", "../../../x", NULL);
	check_link("a/link", "../a/../..", NULL);
	check_link("link", "/etc/passwd", NULL);
	check_link("a/link", "/", NULL);
	check_link("link", "", NULL);
	/* The root itself is not a file to link to. */
	check_link("link", ".", NULL);
	check_link("a/link", "..", NULL);
}

int
main(void)
{
	snprintf(root, sizeof root, "/tmp/shoal-test-scan-XXXXXX");
	if (mkdtemp(root) == NULL) {
		perror("mkdtemp");
		return (1);
	}
	if (CHECK_MSG(make_tree() == 0, "the test tree is made")) {
		test_folder();
		test_single_and_errors();
	}
	test_link_target();
	CHECK_INT(nftw(root, rm_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
	CHECK_INT(access(root, F_OK), -1);
	return (test_done());
}
