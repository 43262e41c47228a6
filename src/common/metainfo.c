/*
 * Reading and writing .torrent files. A torrent comes from anyone, so the
 * parser checks everything a later stage would trust: path components,
 * sizes and their sums, piece counts, hash lengths, and for v2 that every
 * piece layer hashes up to its file's pieces root. The writer produces
 * exactly what libtorrent 2.0.8 produces for the same folder (v2-only and
 * hybrid, with BEP 47 pad files and a tail pad), so info-hashes agree.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bencode.h"
#include "hex.h"
#include "merkle.h"
#include "metainfo.h"
#include "sha.h"
#include "xmalloc.h"

void
metainfo_init(struct metainfo *m)
{
	memset(m, 0, sizeof *m);
}

void
metainfo_free(struct metainfo *m)
{
	size_t	i;

	for (i = 0; i < m->nfiles; i++) {
		free(m->files[i].path);
		free(m->files[i].symlink);
		free(m->files[i].layer);
	}
	free(m->files);
	for (i = 0; i < m->ntrackers; i++)
		free(m->trackers[i]);
	free(m->trackers);
	free(m->name);
	free(m->pieces);
	free(m->ssl_cert);
	free(m->comment);
	free(m->created_by);
	free(m->info);
	metainfo_init(m);
}

int
metainfo_is_content(const struct mi_file *f)
{
	return ((f->attr & (MI_ATTR_PAD | MI_ATTR_DIR)) == 0);
}

static struct mi_file *
mi_add_file(struct mi_file **files, size_t *n)
{
	struct mi_file	*f;

	if ((*n & (*n - 1)) == 0 || *n == 0)
		*files = xreallocarray(*files, *n == 0 ? 8 : *n * 2,
		    sizeof **files);
	f = &(*files)[(*n)++];
	memset(f, 0, sizeof *f);
	return (f);
}

static void
mi_free_files(struct mi_file *files, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		free(files[i].path);
		free(files[i].symlink);
		free(files[i].layer);
	}
	free(files);
}

/*
 * Check one path component from the torrent. It must be usable as a file
 * name as it stands: we never rewrite names, we refuse them.
 */
static int
mi_check_component(const uint8_t *s, size_t len, const char *where,
    char **cause)
{
	if (len == 0)
		return (xfail(cause, "%s has an empty path component",
		    where));
	if ((len == 1 && s[0] == '.') || (len == 2 && s[0] == '.' &&
	    s[1] == '.'))
		return (xfail(cause, "%s has a path component \"%.*s\"",
		    where, (int)len, s));
	if (memchr(s, '/', len) != NULL)
		return (xfail(cause, "%s has a path component with a slash",
		    where));
	if (memchr(s, '\0', len) != NULL)
		return (xfail(cause, "%s has a path component with a NUL "
		    "byte", where));
	if (len > 255)
		return (xfail(cause, "%s has a path component longer than "
		    "255 bytes", where));
	return (0);
}

/* Join a bencoded list of components into a checked relative path. */
static int
mi_parse_path_list(const struct benc *list, const char *where, char **out,
    char **cause)
{
	const struct benc	*c;
	struct buf		 b;
	uint32_t		 i;

	if (list == NULL || list->type != BENC_LIST || list->count == 0)
		return (xfail(cause, "%s has no path", where));
	if (list->count > MI_MAX_PATH_DEPTH)
		return (xfail(cause, "%s has a path nested too deep", where));
	buf_init(&b);
	for (i = 0, c = benc_first(list); i < list->count;
	    i++, c = benc_next(c)) {
		if (c->type != BENC_STR) {
			buf_destroy(&b);
			return (xfail(cause, "%s has a path component that "
			    "is not a string", where));
		}
		if (mi_check_component(c->s, c->slen, where, cause) != 0) {
			buf_destroy(&b);
			return (-1);
		}
		if (i != 0)
			buf_add_byte(&b, '/');
		buf_add(&b, c->s, c->slen);
	}
	if (b.len > MI_MAX_PATH) {
		buf_destroy(&b);
		return (xfail(cause, "%s has a path longer than %d bytes",
		    where, MI_MAX_PATH));
	}
	*out = (char *)buf_steal(&b, NULL);
	return (0);
}

static unsigned
mi_parse_attr(const struct benc *attr)
{
	unsigned	a = 0;
	size_t		i;

	if (attr == NULL || attr->type != BENC_STR)
		return (0);
	for (i = 0; i < attr->slen; i++) {
		switch (attr->s[i]) {
		case 'p':
			a |= MI_ATTR_PAD;
			break;
		case 'x':
			a |= MI_ATTR_EXEC;
			break;
		case 'h':
			a |= MI_ATTR_HIDDEN;
			break;
		case 'l':
			a |= MI_ATTR_SYMLINK;
			break;
		}
	}
	return (a);
}

static int
mi_get_length(const struct benc *d, const char *where, uint64_t *out,
    char **cause)
{
	const struct benc	*v = benc_dict_get(d, "length");

	if (v == NULL || v->type != BENC_INT)
		return (xfail(cause, "%s has no length", where));
	if (v->i < 0)
		return (xfail(cause, "%s has a negative length", where));
	/* Pieces <= 2^21 of <= 2^27 bytes: nothing real is near 2^48. */
	if ((uint64_t)v->i > (1ULL << 48))
		return (xfail(cause, "%s is too large", where));
	*out = (uint64_t)v->i;
	return (0);
}

static int
mi_get_symlink(const struct benc *d, const char *where, char **out,
    char **cause)
{
	const struct benc	*v = benc_dict_get(d, "symlink path");

	if (v == NULL)
		return (xfail(cause, "%s is a symlink without a target",
		    where));
	return (mi_parse_path_list(v, where, out, cause));
}

static uint64_t
mi_align(uint64_t v, uint32_t piece_length)
{
	return ((v + piece_length - 1) / piece_length * piece_length);
}

/* Parse the v1 part: "length" (single file) or "files". */
static int
mi_parse_v1(struct metainfo *m, const struct benc *info,
    struct mi_file **files, size_t *nfiles, uint64_t *span, char **cause)
{
	const struct benc	*list, *e;
	struct mi_file		*f;
	uint64_t		 pos = 0;
	uint32_t		 i;
	char			 where[64];

	if ((list = benc_dict_get(info, "files")) != NULL) {
		if (list->type != BENC_LIST)
			return (xfail(cause, "\"files\" is not a list"));
		if (list->count == 0)
			return (xfail(cause, "the torrent has no files"));
		if (list->count > MI_MAX_FILES)
			return (xfail(cause, "the torrent has more than %d "
			    "files", MI_MAX_FILES));
		for (i = 0, e = benc_first(list); i < list->count;
		    i++, e = benc_next(e)) {
			snprintf(where, sizeof where, "file %u", i);
			if (e->type != BENC_DICT)
				return (xfail(cause, "%s is not a "
				    "dictionary", where));
			f = mi_add_file(files, nfiles);
			f->attr = mi_parse_attr(benc_dict_get(e, "attr"));
			if (mi_get_length(e, where, &f->length, cause) != 0)
				return (-1);
			if (f->attr & MI_ATTR_PAD) {
				xasprintf(&f->path, ".pad/%llu",
				    (unsigned long long)f->length);
				f->attr = MI_ATTR_PAD;
			} else if (mi_parse_path_list(benc_dict_get(e, "path"),
			    where, &f->path, cause) != 0)
				return (-1);
			if ((f->attr & MI_ATTR_SYMLINK) &&
			    mi_get_symlink(e, where, &f->symlink, cause) != 0)
				return (-1);
			if (benc_dict_get_type(e, "mtime", BENC_INT) != NULL)
				f->mtime = benc_dict_get(e, "mtime")->i;
			if (f->attr & MI_ATTR_SYMLINK)
				f->length = 0;
			f->offset = pos;
			if (pos + f->length < pos || pos + f->length >
			    (1ULL << 48))
				return (xfail(cause, "the torrent is too "
				    "large"));
			pos += f->length;
		}
	} else {
		f = mi_add_file(files, nfiles);
		f->path = xstrdup(m->name);
		f->attr = mi_parse_attr(benc_dict_get(info, "attr")) &
		    ~MI_ATTR_PAD;
		if (mi_get_length(info, "the file", &f->length, cause) != 0)
			return (-1);
		if (benc_dict_get_type(info, "mtime", BENC_INT) != NULL)
			f->mtime = benc_dict_get(info, "mtime")->i;
		if ((f->attr & MI_ATTR_SYMLINK) &&
		    mi_get_symlink(info, "the file", &f->symlink, cause) != 0)
			return (-1);
		pos = f->length;
		m->single_file = 1;
	}
	*span = pos;
	return (0);
}

struct mi_tree_walk {
	struct mi_file	**files;
	size_t		 *nfiles;
	uint32_t	  piece_length;
	uint64_t	  pos;		/* Next aligned position. */
	uint64_t	  end;		/* End of the last non-empty file. */
	uint64_t	  npieces;
	struct buf	  path;
	char		**cause;
};

static int
mi_tree_file(struct mi_tree_walk *tw, const struct benc *props)
{
	struct mi_file		*f;
	const struct benc	*v;
	const char		*path = (const char *)tw->path.data;
	char			 where[MI_MAX_PATH + 16];

	snprintf(where, sizeof where, "file \"%s\"", path);
	if (props->type != BENC_DICT)
		return (xfail(tw->cause, "%s has no properties", where));
	if (*tw->nfiles >= MI_MAX_FILES)
		return (xfail(tw->cause, "the torrent has more than %d "
		    "files", MI_MAX_FILES));
	f = mi_add_file(tw->files, tw->nfiles);
	f->path = xstrdup(path);
	f->attr = mi_parse_attr(benc_dict_get(props, "attr"));
	if (f->attr & MI_ATTR_PAD)
		return (xfail(tw->cause, "%s is a pad file, which a v2 file "
		    "tree cannot hold", where));
	if (mi_get_length(props, where, &f->length, tw->cause) != 0)
		return (-1);
	if ((v = benc_dict_get_type(props, "mtime", BENC_INT)) != NULL)
		f->mtime = v->i;
	if (f->attr & MI_ATTR_SYMLINK) {
		if (mi_get_symlink(props, where, &f->symlink, tw->cause) != 0)
			return (-1);
		f->length = 0;
	}
	if (f->length > 0) {
		static const uint8_t	zero[32];

		v = benc_dict_get(props, "pieces root");
		if (v == NULL || v->type != BENC_STR || v->slen != 32)
			return (xfail(tw->cause, "%s has no valid pieces root",
			    where));
		if (memcmp(v->s, zero, 32) == 0)
			return (xfail(tw->cause, "%s has an all-zero pieces "
			    "root", where));
		memcpy(f->root, v->s, 32);
		f->has_root = 1;
		f->offset = tw->pos;
		f->first_piece = (uint32_t)(tw->pos / tw->piece_length);
		f->npieces = (uint32_t)((f->length + tw->piece_length - 1) /
		    tw->piece_length);
		tw->npieces += f->npieces;
		if (tw->npieces > MI_MAX_PIECES)
			return (xfail(tw->cause, "the torrent has more than "
			    "%u pieces", MI_MAX_PIECES));
		tw->end = tw->pos + f->length;
		tw->pos = mi_align(tw->end, tw->piece_length);
	} else
		f->offset = tw->pos;
	return (0);
}

static int
mi_tree_dir(struct mi_tree_walk *tw, const struct benc *dir, unsigned depth)
{
	const struct benc	*k, *v;
	size_t			 saved = tw->path.len;
	uint32_t		 i;

	if (depth > MI_MAX_PATH_DEPTH)
		return (xfail(tw->cause, "the file tree is nested too deep"));
	if (dir->count == 0 && depth > 0) {
		struct mi_file	*f;

		if (*tw->nfiles >= MI_MAX_FILES)
			return (xfail(tw->cause, "the torrent has more than "
			    "%d files", MI_MAX_FILES));
		f = mi_add_file(tw->files, tw->nfiles);
		f->path = xstrdup((const char *)tw->path.data);
		f->attr = MI_ATTR_DIR;
		f->offset = tw->pos;
		return (0);
	}
	for (i = 0, k = benc_first(dir); i < dir->count; i++,
	    k = benc_next(v)) {
		v = benc_next(k);
		if (v->type != BENC_DICT)
			return (xfail(tw->cause, "the file tree has an entry "
			    "that is not a dictionary"));
		if (k->slen == 0)
			return (xfail(tw->cause, "the file tree has a file "
			    "with siblings or at its root"));
		tw->path.len = saved;
		if (saved != 0)
			buf_add_byte(&tw->path, '/');
		if (mi_check_component(k->s, k->slen, "the file tree",
		    tw->cause) != 0)
			return (-1);
		buf_add(&tw->path, k->s, k->slen);
		if (tw->path.len > MI_MAX_PATH)
			return (xfail(tw->cause, "the file tree has a path "
			    "longer than %d bytes", MI_MAX_PATH));
		/* A file is a dict whose only key is the empty string. */
		if (v->count >= 1 && benc_first(v)->slen == 0) {
			if (v->count != 1)
				return (xfail(tw->cause, "file \"%s\" has "
				    "siblings inside its own entry",
				    tw->path.data));
			if (mi_tree_file(tw, benc_next(benc_first(v))) != 0)
				return (-1);
		} else if (mi_tree_dir(tw, v, depth + 1) != 0)
			return (-1);
	}
	tw->path.len = saved;
	buf_cstr(&tw->path);
	return (0);
}

static int
mi_parse_v2(struct metainfo *m, const struct benc *info,
    struct mi_file **files, size_t *nfiles, uint64_t *span, char **cause)
{
	const struct benc	*tree;
	struct mi_tree_walk	 tw;
	int			 r;

	tree = benc_dict_get(info, "file tree");
	if (tree == NULL || tree->type != BENC_DICT)
		return (xfail(cause, "the torrent has no file tree"));
	if (tree->count == 0)
		return (xfail(cause, "the torrent has no files"));
	memset(&tw, 0, sizeof tw);
	tw.files = files;
	tw.nfiles = nfiles;
	tw.piece_length = m->piece_length;
	tw.cause = cause;
	buf_init(&tw.path);
	buf_cstr(&tw.path);
	r = mi_tree_dir(&tw, tree, 0);
	buf_destroy(&tw.path);
	if (r != 0)
		return (-1);
	*span = tw.end;
	if (*nfiles == 1 && strcmp((*files)[0].path, m->name) == 0 &&
	    !((*files)[0].attr & MI_ATTR_DIR))
		m->single_file = 1;
	return (0);
}

static int
mi_path_cmp(const void *a, const void *b)
{
	return (strcmp(*(char *const *)a, *(char *const *)b));
}

/*
 * Refuse two entries with the same path, and a file that is also a
 * directory of another entry ("a" and "a/b"): writing either would clobber
 * the other.
 */
static int
mi_check_collisions(const struct metainfo *m, char **cause)
{
	char	**paths, *p, *slash;
	size_t	  n = 0, i;
	int	  r = 0;

	paths = xreallocarray(NULL, m->nfiles + 1, sizeof *paths);
	for (i = 0; i < m->nfiles; i++) {
		if (!(m->files[i].attr & MI_ATTR_PAD))
			paths[n++] = m->files[i].path;
	}
	qsort(paths, n, sizeof *paths, mi_path_cmp);
	for (i = 0; i + 1 < n && r == 0; i++) {
		if (strcmp(paths[i], paths[i + 1]) == 0)
			r = xfail(cause, "the torrent lists \"%s\" twice",
			    paths[i]);
	}
	for (i = 0; i < n && r == 0; i++) {
		p = xstrdup(paths[i]);
		while ((slash = strrchr(p, '/')) != NULL) {
			*slash = '\0';
			if (bsearch(&p, paths, n, sizeof *paths,
			    mi_path_cmp) != NULL) {
				r = xfail(cause, "the torrent has \"%s\" both "
				    "as a file and as a directory", p);
				break;
			}
		}
		free(p);
	}
	for (i = 0; i < m->nfiles && r == 0; i++) {
		const char *f = m->files[i].path;

		if (!(m->files[i].attr & MI_ATTR_PAD) && !m->single_file &&
		    (strcmp(f, ".shoal") == 0 || strncmp(f, ".shoal/", 7) == 0))
			r = xfail(cause, "the torrent has a file under "
			    ".shoal, which shoal reserves for its own state");
	}
	free(paths);
	return (r);
}

/*
 * Merge the v1 file list (with pads) and the v2 file tree of a hybrid,
 * checking they describe the same files at the same offsets
 * (libtorrent's files_compatible).
 */
static int
mi_merge_hybrid(struct metainfo *m, struct mi_file *v1, size_t n1,
    struct mi_file *v2, size_t n2, char **cause)
{
	size_t	i = 0, j = 0;

	m->files = NULL;
	m->nfiles = 0;
	while (i < n1 || j < n2) {
		struct mi_file	*out;

		/* Pads first: they sit right after their file. */
		if (i < n1 && (v1[i].attr & MI_ATTR_PAD)) {
			out = mi_add_file(&m->files, &m->nfiles);
			*out = v1[i];
			memset(&v1[i++], 0, sizeof *v1);
			continue;
		}
		if (j < n2 && (v2[j].attr & MI_ATTR_DIR)) {
			out = mi_add_file(&m->files, &m->nfiles);
			*out = v2[j];
			memset(&v2[j++], 0, sizeof *v2);
			continue;
		}
		if (i >= n1 || j >= n2)
			return (xfail(cause, "the v1 and v2 parts list "
			    "different numbers of files"));
		if (strcmp(v1[i].path, v2[j].path) != 0 && !m->single_file)
			return (xfail(cause, "the v1 and v2 parts disagree "
			    "on file %zu (\"%s\" and \"%s\")", j, v1[i].path,
			    v2[j].path));
		if (v1[i].length != v2[j].length)
			return (xfail(cause, "the v1 and v2 parts disagree "
			    "on the size of \"%s\"", v2[j].path));
		if (v2[j].length > 0 && v1[i].offset != v2[j].offset)
			return (xfail(cause, "the v1 and v2 parts disagree "
			    "on where \"%s\" starts (a pad file is missing "
			    "or wrong)", v2[j].path));
		if ((v1[i].symlink == NULL) != (v2[j].symlink == NULL) ||
		    (v1[i].symlink != NULL &&
		    strcmp(v1[i].symlink, v2[j].symlink) != 0))
			return (xfail(cause, "the v1 and v2 parts disagree "
			    "on the symlink \"%s\"", v2[j].path));
		out = mi_add_file(&m->files, &m->nfiles);
		*out = v2[j];
		out->offset = v1[i].offset;
		memset(&v2[j++], 0, sizeof *v2);
		i++;
	}
	return (0);
}

/* Fill first_piece/npieces from offsets (v1 pieces may span files). */
static void
mi_set_piece_ranges(struct metainfo *m)
{
	size_t	i;

	for (i = 0; i < m->nfiles; i++) {
		struct mi_file	*f = &m->files[i];

		if (f->length == 0) {
			f->first_piece = (uint32_t)(f->offset / m->piece_length);
			f->npieces = 0;
			continue;
		}
		f->first_piece = (uint32_t)(f->offset / m->piece_length);
		f->npieces = (uint32_t)((f->offset + f->length - 1) /
		    m->piece_length - f->first_piece + 1);
	}
}

static int
mi_parse_info_dict(struct metainfo *m, const struct benc *info,
    const uint8_t *raw, size_t rawlen, char **cause)
{
	const struct benc	*v, *mv;
	struct mi_file		*v1 = NULL, *v2 = NULL;
	size_t			 n1 = 0, n2 = 0;
	uint64_t		 span1 = 0, span2 = 0, npieces;
	struct benc_doc		 strict;

	if (info == NULL || info->type != BENC_DICT)
		return (xfail(cause, "the torrent has no info dictionary"));
	if (rawlen > MI_MAX_INFO_SIZE)
		return (xfail(cause, "the info dictionary is larger than "
		    "30 MiB"));

	if ((mv = benc_dict_get(info, "meta version")) != NULL) {
		if (mv->type != BENC_INT)
			return (xfail(cause, "\"meta version\" is not an "
			    "integer"));
		if (mv->i > 2)
			return (xfail(cause, "the torrent uses metainfo "
			    "version %lld, newer than this shoal understands",
			    (long long)mv->i));
		if (mv->i != 2)
			return (xfail(cause, "the torrent has an unknown "
			    "metainfo version %lld", (long long)mv->i));
		/* v2 info dicts must be canonical (libtorrent agrees). */
		if (benc_decode(&strict, raw, rawlen, NULL, 0, NULL) != 0)
			return (xfail(cause, "the v2 info dictionary is not "
			    "in canonical bencoding"));
		benc_doc_free(&strict);
		m->versions |= MI_V2;
	}
	if (benc_dict_get(info, "pieces") != NULL)
		m->versions |= MI_V1;
	if (m->versions == 0)
		return (xfail(cause, "the torrent has neither v1 pieces nor "
		    "a v2 file tree"));

	v = benc_dict_get(info, "name");
	if (v == NULL || v->type != BENC_STR)
		return (xfail(cause, "the torrent has no name"));
	if (mi_check_component(v->s, v->slen, "the torrent name", cause) != 0)
		return (-1);
	m->name = xstrndup((const char *)v->s, v->slen);

	v = benc_dict_get(info, "piece length");
	if (v == NULL || v->type != BENC_INT)
		return (xfail(cause, "the torrent has no piece length"));
	if (v->i < MI_MIN_PIECE_LENGTH || v->i > MI_MAX_PIECE_LENGTH ||
	    (v->i & (v->i - 1)) != 0) {
		/* v1 allows any size; we need whole 16 KiB blocks. */
		if ((m->versions & MI_V2) || v->i <= 0 ||
		    v->i > MI_MAX_PIECE_LENGTH || v->i % MI_MIN_PIECE_LENGTH)
			return (xfail(cause, "the piece length %lld is not "
			    "a power of two from 16 KiB to 128 MiB",
			    (long long)v->i));
	}
	m->piece_length = (uint32_t)v->i;

	if ((v = benc_dict_get(info, "private")) != NULL &&
	    v->type == BENC_INT && v->i == 1)
		m->is_private = 1;
	if ((v = benc_dict_get(info, "ssl-cert")) != NULL &&
	    v->type == BENC_STR && v->slen > 0)
		m->ssl_cert = xstrndup((const char *)v->s, v->slen);

	if ((m->versions & MI_V1) &&
	    mi_parse_v1(m, info, &v1, &n1, &span1, cause) != 0)
		goto fail;
	if (m->versions & MI_V2) {
		int single_v1 = m->single_file;

		m->single_file = 0;
		if (mi_parse_v2(m, info, &v2, &n2, &span2, cause) != 0)
			goto fail;
		if (m->versions & MI_V1) {
			/* v1 says which; v2 must agree when v1 says single. */
			if (single_v1 && !m->single_file) {
				xfail(cause, "the v1 and v2 parts disagree "
				    "on whether this is a single file");
				goto fail;
			}
			m->single_file = single_v1;
		}
	}

	if (m->versions == MI_HYBRID) {
		if (mi_merge_hybrid(m, v1, n1, v2, n2, cause) != 0)
			goto fail;
		mi_free_files(v1, n1);
		mi_free_files(v2, n2);
		v1 = v2 = NULL;
		n1 = n2 = 0;
		m->span = span1;
		if (span1 < span2 || span1 - span2 >= m->piece_length) {
			xfail(cause, "the v1 and v2 parts disagree on the "
			    "size of the torrent");
			goto fail;
		}
	} else if (m->versions == MI_V1) {
		m->files = v1;
		m->nfiles = n1;
		m->span = span1;
		v1 = NULL;
		n1 = 0;
	} else {
		m->files = v2;
		m->nfiles = n2;
		m->span = span2;
		v2 = NULL;
		n2 = 0;
	}
	mi_set_piece_ranges(m);

	npieces = (m->span + m->piece_length - 1) / m->piece_length;
	if (npieces > MI_MAX_PIECES) {
		xfail(cause, "the torrent has more than %u pieces",
		    MI_MAX_PIECES);
		goto fail;
	}
	m->npieces = (uint32_t)npieces;
	if (m->versions & MI_V1) {
		v = benc_dict_get(info, "pieces");
		if (v->type != BENC_STR || v->slen != npieces * 20) {
			xfail(cause, "the torrent's v1 piece hashes do not "
			    "match its size (%llu pieces)",
			    (unsigned long long)npieces);
			goto fail;
		}
		m->pieces = xmemdup(v->s, v->slen);
	}
	for (size_t i = 0; i < m->nfiles; i++) {
		if (metainfo_is_content(&m->files[i]))
			m->total_size += m->files[i].length;
	}
	if (mi_check_collisions(m, cause) != 0)
		goto fail;

	m->info = xmemdup(raw, rawlen);
	m->info_len = rawlen;
	if (m->versions & MI_V1)
		sha1(raw, rawlen, m->ih1);
	if (m->versions & MI_V2)
		sha256(raw, rawlen, m->ih2);
	return (0);

fail:
	mi_free_files(v1, n1);
	mi_free_files(v2, n2);
	return (-1);
}

/* Attach piece layers to the files that need them and check each one. */
static int
mi_parse_layers(struct metainfo *m, const struct benc *layers, char **cause)
{
	size_t	i, need = 0, have = 0;

	if (layers != NULL && layers->type != BENC_DICT)
		return (xfail(cause, "\"piece layers\" is not a dictionary"));
	for (i = 0; i < m->nfiles; i++) {
		struct mi_file		*f = &m->files[i];
		const struct benc	*v;
		uint8_t			 root[32];
		uint32_t		 np;

		if (!f->has_root || f->length <= m->piece_length)
			continue;
		need++;
		if (layers == NULL)
			continue;
		v = benc_dict_getn(layers, f->root, 32);
		np = (uint32_t)((f->length + m->piece_length - 1) /
		    m->piece_length);
		if (v == NULL)
			return (xfail(cause, "the piece layer of \"%s\" is "
			    "missing", f->path));
		if (v->type != BENC_STR || v->slen != (size_t)np * 32)
			return (xfail(cause, "the piece layer of \"%s\" does "
			    "not match its size", f->path));
		merkle_root_from_layer(v->s, np, m->piece_length, root);
		if (memcmp(root, f->root, 32) != 0)
			return (xfail(cause, "the piece layer of \"%s\" does "
			    "not hash to its pieces root", f->path));
		f->layer = xmemdup(v->s, v->slen);
		have++;
	}
	m->has_layers = have == need;
	return (0);
}

int
metainfo_parse_info(struct metainfo *m, const uint8_t *p, size_t len,
    char **cause)
{
	struct benc_doc	doc;
	int		r;

	metainfo_init(m);
	if (cause != NULL)
		*cause = NULL;
	if (benc_decode(&doc, p, len, NULL, BENC_LENIENT, cause) != 0)
		return (-1);
	r = mi_parse_info_dict(m, benc_root(&doc), p, len, cause);
	if (r == 0)
		r = mi_parse_layers(m, NULL, cause);
	benc_doc_free(&doc);
	if (r != 0)
		metainfo_free(m);
	return (r);
}

static void
mi_add_tracker(struct metainfo *m, const struct benc *v)
{
	size_t	i;

	if (v == NULL || v->type != BENC_STR || v->slen == 0 ||
	    v->slen > 1024 || memchr(v->s, '\0', v->slen) != NULL ||
	    m->ntrackers >= 64)
		return;
	for (i = 0; i < m->ntrackers; i++) {
		if (strlen(m->trackers[i]) == v->slen &&
		    memcmp(m->trackers[i], v->s, v->slen) == 0)
			return;
	}
	m->trackers = xreallocarray(m->trackers, m->ntrackers + 1,
	    sizeof *m->trackers);
	m->trackers[m->ntrackers++] = xstrndup((const char *)v->s, v->slen);
}

int
metainfo_parse(struct metainfo *m, const uint8_t *p, size_t len, char **cause)
{
	struct benc_doc		 doc;
	const struct benc	*root, *info, *v, *tier, *t;
	uint32_t		 i, j;
	int			 r;

	metainfo_init(m);
	if (cause != NULL)
		*cause = NULL;
	if (len > MI_MAX_TORRENT_SIZE)
		return (xfail(cause, "the torrent is larger than 64 MiB"));
	if (benc_decode(&doc, p, len, NULL, BENC_LENIENT, cause) != 0)
		return (-1);
	root = benc_root(&doc);
	if (root->type != BENC_DICT) {
		benc_doc_free(&doc);
		return (xfail(cause, "the torrent is not a dictionary"));
	}
	info = benc_dict_get(root, "info");
	if (info == NULL || info->type != BENC_DICT) {
		benc_doc_free(&doc);
		return (xfail(cause, "the torrent has no info dictionary"));
	}
	r = mi_parse_info_dict(m, info, p + info->off, info->len, cause);
	if (r == 0 && (m->versions & MI_V2))
		r = mi_parse_layers(m, benc_dict_get(root, "piece layers"),
		    cause);
	if (r != 0) {
		benc_doc_free(&doc);
		metainfo_free(m);
		return (-1);
	}

	mi_add_tracker(m, benc_dict_get(root, "announce"));
	if ((v = benc_dict_get_type(root, "announce-list", BENC_LIST)) != NULL) {
		for (i = 0, tier = benc_first(v); i < v->count;
		    i++, tier = benc_next(tier)) {
			if (tier->type != BENC_LIST)
				continue;
			for (j = 0, t = benc_first(tier); j < tier->count;
			    j++, t = benc_next(t))
				mi_add_tracker(m, t);
		}
	}
	if ((v = benc_dict_get_type(root, "comment", BENC_STR)) != NULL)
		m->comment = xstrndup((const char *)v->s, v->slen);
	if ((v = benc_dict_get_type(root, "created by", BENC_STR)) != NULL)
		m->created_by = xstrndup((const char *)v->s, v->slen);
	if ((v = benc_dict_get_type(root, "creation date", BENC_INT)) != NULL)
		m->creation_date = v->i;
	benc_doc_free(&doc);
	return (0);
}

int
metainfo_load(struct metainfo *m, const char *path, char **cause)
{
	FILE		*fp;
	struct stat	 st;
	uint8_t		*data;
	size_t		 n;
	char		*why = NULL;
	int		 r;

	metainfo_init(m);
	if ((fp = fopen(path, "rb")) == NULL)
		return (xfail(cause, "%s: %s", path, strerror(errno)));
	if (fstat(fileno(fp), &st) != 0 || !S_ISREG(st.st_mode)) {
		fclose(fp);
		return (xfail(cause, "%s: not a regular file", path));
	}
	if (st.st_size > MI_MAX_TORRENT_SIZE) {
		fclose(fp);
		return (xfail(cause, "%s: the torrent is larger than 64 MiB",
		    path));
	}
	data = xmalloc((size_t)st.st_size + 1);
	n = fread(data, 1, (size_t)st.st_size + 1, fp);
	if (ferror(fp)) {
		r = xfail(cause, "%s: %s", path, strerror(errno));
		fclose(fp);
		free(data);
		return (r);
	}
	fclose(fp);
	if (n == 0) {
		free(data);
		return (xfail(cause, "%s: the file is empty", path));
	}
	r = metainfo_parse(m, data, n, &why);
	if (r != 0) {
		xfail(cause, "%s: %s", path, why);
		free(why);
	}
	free(data);
	return (r);
}

uint32_t
metainfo_auto_piece_length(uint64_t total)
{
	uint64_t	pl = MI_MIN_PIECE_LENGTH;

	/* About 1500 pieces: small piece layers, fine-grained swarming. */
	while (pl < 16 * 1024 * 1024 && total / pl > 1500)
		pl <<= 1;
	return ((uint32_t)pl);
}

int
metainfo_layout(struct metainfo *m, char **cause)
{
	struct mi_file	*out = NULL, *f;
	size_t		 nout = 0, i, ncontent = 0;
	uint64_t	 pos = 0, end = 0, npieces;
	char		 padpath[64];

	for (i = 0; i < m->nfiles; i++) {
		if (metainfo_is_content(&m->files[i]))
			ncontent++;
	}
	for (i = 0; i < m->nfiles; i++) {
		f = mi_add_file(&out, &nout);
		*f = m->files[i];
		f->offset = pos;
		if (!metainfo_is_content(f) || f->length == 0)
			continue;
		end = pos + f->length;
		pos = mi_align(end, m->piece_length);
		if (pos > (1ULL << 48)) {
			free(out);
			return (xfail(cause, "the folder is too large"));
		}
		/*
		 * v1 needs an explicit pad file to reach the boundary. Like
		 * libtorrent 2.0.8: after every non-empty file, the last one
		 * included, unless the torrent holds only one file.
		 */
		if ((m->versions & MI_V1) && pos != end && ncontent > 1) {
			f = mi_add_file(&out, &nout);
			snprintf(padpath, sizeof padpath, ".pad/%llu",
			    (unsigned long long)(pos - end));
			f->path = xstrdup(padpath);
			f->length = pos - end;
			f->offset = end;
			f->attr = MI_ATTR_PAD;
		}
	}
	free(m->files);
	m->files = out;
	m->nfiles = nout;
	if ((m->versions & MI_V1) && ncontent > 1)
		m->span = pos;
	else
		m->span = end;
	npieces = (m->span + m->piece_length - 1) / m->piece_length;
	if (npieces > MI_MAX_PIECES)
		return (xfail(cause, "the folder needs %llu pieces, more "
		    "than %u; choose a larger piece size",
		    (unsigned long long)npieces, MI_MAX_PIECES));
	m->npieces = (uint32_t)npieces;
	m->total_size = 0;
	for (i = 0; i < m->nfiles; i++) {
		if (metainfo_is_content(&m->files[i]))
			m->total_size += m->files[i].length;
	}
	mi_set_piece_ranges(m);
	return (0);
}

static void
mi_put_attr(struct benc_writer *w, unsigned attr)
{
	char	s[8];
	size_t	n = 0;

	/* libtorrent's order: p, h, x, l. */
	if (attr & MI_ATTR_PAD)
		s[n++] = 'p';
	if (attr & MI_ATTR_HIDDEN)
		s[n++] = 'h';
	if (attr & MI_ATTR_EXEC)
		s[n++] = 'x';
	if (attr & MI_ATTR_SYMLINK)
		s[n++] = 'l';
	if (n == 0)
		return;
	benc_put_key(w, "attr");
	benc_put_str(w, s, n);
}

static void
mi_put_path_list(struct benc_writer *w, const char *path)
{
	const char	*p = path, *slash;

	benc_open_list(w);
	while ((slash = strchr(p, '/')) != NULL) {
		benc_put_str(w, p, (size_t)(slash - p));
		p = slash + 1;
	}
	benc_put_cstr(w, p);
	benc_close(w);
}

/* The properties of one file in the v2 tree: the value under key "". */
static void
mi_put_v2_props(struct benc_writer *w, const struct mi_file *f, int flags)
{
	benc_open_dict(w);
	mi_put_attr(w, f->attr);
	benc_put_key(w, "length");
	benc_put_int(w, (int64_t)f->length);
	if ((flags & MI_ENCODE_MTIME) && f->mtime != 0) {
		benc_put_key(w, "mtime");
		benc_put_int(w, f->mtime);
	}
	if (f->length > 0) {
		benc_put_key(w, "pieces root");
		benc_put_str(w, f->root, 32);
	}
	if (f->attr & MI_ATTR_SYMLINK) {
		benc_put_key(w, "symlink path");
		mi_put_path_list(w, f->symlink);
	}
	benc_close(w);
}

/*
 * Write the entries under prefix (plen bytes, ending in '/' unless empty)
 * as one level of the file tree, starting at *i. Entries are in tree
 * order, so each subdirectory's entries are contiguous.
 */
static void
mi_put_tree(struct benc_writer *w, const struct metainfo *m, size_t *i,
    const char *prefix, size_t plen, int flags)
{
	benc_open_dict(w);
	while (*i < m->nfiles) {
		const struct mi_file	*f = &m->files[*i];
		const char		*rest, *slash;

		if (f->attr & MI_ATTR_PAD) {
			(*i)++;
			continue;
		}
		if (strncmp(f->path, prefix, plen) != 0)
			break;
		rest = f->path + plen;
		if ((slash = strchr(rest, '/')) == NULL) {
			benc_put_key(w, rest);
			if (f->attr & MI_ATTR_DIR) {
				benc_open_dict(w);
				benc_close(w);
			} else {
				benc_open_dict(w);
				benc_put_key(w, "");
				mi_put_v2_props(w, f, flags);
				benc_close(w);
			}
			(*i)++;
		} else {
			char	*sub = xstrndup(f->path,
			    (size_t)(slash - f->path) + 1);

			benc_put_keyn(w, rest, (size_t)(slash - rest));
			mi_put_tree(w, m, i, sub, strlen(sub), flags);
			free(sub);
		}
	}
	benc_close(w);
}

static void
mi_put_v1_file(struct benc_writer *w, const struct mi_file *f, int flags)
{
	benc_open_dict(w);
	mi_put_attr(w, f->attr);
	benc_put_key(w, "length");
	benc_put_int(w, (int64_t)f->length);
	if ((flags & MI_ENCODE_MTIME) && f->mtime != 0 &&
	    !(f->attr & MI_ATTR_PAD)) {
		benc_put_key(w, "mtime");
		benc_put_int(w, f->mtime);
	}
	benc_put_key(w, "path");
	if (f->attr & MI_ATTR_PAD) {
		char	n[32];

		snprintf(n, sizeof n, "%llu", (unsigned long long)f->length);
		benc_open_list(w);
		benc_put_cstr(w, ".pad");
		benc_put_cstr(w, n);
		benc_close(w);
	} else
		mi_put_path_list(w, f->path);
	if (f->attr & MI_ATTR_SYMLINK) {
		benc_put_key(w, "symlink path");
		mi_put_path_list(w, f->symlink);
	}
	benc_close(w);
}

static int
mi_root_cmp(const void *a, const void *b)
{
	const struct mi_file	*fa = *(const struct mi_file *const *)a;
	const struct mi_file	*fb = *(const struct mi_file *const *)b;

	return (memcmp(fa->root, fb->root, 32));
}

int
metainfo_encode(const struct metainfo *m, int flags, struct buf *out,
    char **cause)
{
	struct benc_writer	 w;
	const struct mi_file	*single = NULL;
	const struct mi_file	**big = NULL;
	size_t			 i, nbig = 0;
	int			 r;

	for (i = 0; i < m->nfiles; i++) {
		if (m->single_file && metainfo_is_content(&m->files[i]))
			single = &m->files[i];
	}
	benc_writer_init(&w, out);
	benc_open_dict(&w);
	if (m->ntrackers > 0) {
		benc_put_key(&w, "announce");
		benc_put_cstr(&w, m->trackers[0]);
		if (m->ntrackers > 1) {
			benc_put_key(&w, "announce-list");
			benc_open_list(&w);
			for (i = 0; i < m->ntrackers; i++) {
				benc_open_list(&w);
				benc_put_cstr(&w, m->trackers[i]);
				benc_close(&w);
			}
			benc_close(&w);
		}
	}
	if (m->comment != NULL) {
		benc_put_key(&w, "comment");
		benc_put_cstr(&w, m->comment);
	}
	if (m->created_by != NULL) {
		benc_put_key(&w, "created by");
		benc_put_cstr(&w, m->created_by);
	}
	if (m->creation_date != 0) {
		benc_put_key(&w, "creation date");
		benc_put_int(&w, m->creation_date);
	}

	benc_put_key(&w, "info");
	benc_open_dict(&w);
	if (single != NULL && (m->versions & MI_V1))
		mi_put_attr(&w, single->attr);
	if (m->versions & MI_V2) {
		size_t	idx = 0;

		benc_put_key(&w, "file tree");
		mi_put_tree(&w, m, &idx, "", 0, flags);
	}
	if ((m->versions & MI_V1) && single == NULL) {
		benc_put_key(&w, "files");
		benc_open_list(&w);
		for (i = 0; i < m->nfiles; i++) {
			if (!(m->files[i].attr & MI_ATTR_DIR))
				mi_put_v1_file(&w, &m->files[i], flags);
		}
		benc_close(&w);
	}
	if ((m->versions & MI_V1) && single != NULL) {
		benc_put_key(&w, "length");
		benc_put_int(&w, (int64_t)single->length);
	}
	if (m->versions & MI_V2) {
		benc_put_key(&w, "meta version");
		benc_put_int(&w, 2);
	}
	if ((m->versions & MI_V1) && single != NULL &&
	    (flags & MI_ENCODE_MTIME) && single->mtime != 0) {
		benc_put_key(&w, "mtime");
		benc_put_int(&w, single->mtime);
	}
	benc_put_key(&w, "name");
	benc_put_cstr(&w, m->name);
	benc_put_key(&w, "piece length");
	benc_put_int(&w, m->piece_length);
	if (m->versions & MI_V1) {
		benc_put_key(&w, "pieces");
		benc_put_str(&w, m->pieces, (size_t)m->npieces * 20);
	}
	if (m->is_private) {
		benc_put_key(&w, "private");
		benc_put_int(&w, 1);
	}
	if (m->ssl_cert != NULL) {
		benc_put_key(&w, "ssl-cert");
		benc_put_cstr(&w, m->ssl_cert);
	}
	if ((m->versions & MI_V1) && single != NULL &&
	    (single->attr & MI_ATTR_SYMLINK)) {
		benc_put_key(&w, "symlink path");
		mi_put_path_list(&w, single->symlink);
	}
	benc_close(&w);

	if (m->versions & MI_V2) {
		big = xreallocarray(NULL, m->nfiles + 1, sizeof *big);
		for (i = 0; i < m->nfiles; i++) {
			const struct mi_file *f = &m->files[i];

			if (f->has_root && f->length > m->piece_length) {
				if (f->layer == NULL) {
					free(big);
					return (xfail(cause, "no piece layer "
					    "for \"%s\"", f->path));
				}
				big[nbig++] = f;
			}
		}
		qsort(big, nbig, sizeof *big, mi_root_cmp);
		if (nbig > 0) {
			benc_put_key(&w, "piece layers");
			benc_open_dict(&w);
			for (i = 0; i < nbig; i++) {
				/* Identical files share one entry. */
				if (i > 0 && memcmp(big[i]->root,
				    big[i - 1]->root, 32) == 0)
					continue;
				benc_put_keyn(&w, big[i]->root, 32);
				benc_put_str(&w, big[i]->layer,
				    (size_t)big[i]->npieces * 32);
			}
			benc_close(&w);
		}
		free(big);
	}
	benc_close(&w);
	r = benc_writer_finish(&w);
	if (r != 0)
		return (xfail(cause, "internal error: the torrent would not "
		    "be canonical"));
	return (0);
}

static void
mi_urlencode(struct buf *b, const char *s)
{
	static const char	hexd[] = "0123456789ABCDEF";
	const uint8_t		*p;

	for (p = (const uint8_t *)s; *p != '\0'; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p) != NULL)
			buf_add_byte(b, *p);
		else {
			buf_add_byte(b, '%');
			buf_add_byte(b, (uint8_t)hexd[*p >> 4]);
			buf_add_byte(b, (uint8_t)hexd[*p & 0xf]);
		}
	}
}

char *
metainfo_magnet(const struct metainfo *m)
{
	struct buf	b;
	char		hex[65];
	size_t		i;

	buf_init(&b);
	buf_add_str(&b, "magnet:?");
	if (m->versions & MI_V2) {
		hex_encode(m->ih2, 32, hex);
		buf_addf(&b, "xt=urn:btmh:1220%s", hex);
	}
	if (m->versions & MI_V1) {
		hex_encode(m->ih1, 20, hex);
		buf_addf(&b, "%sxt=urn:btih:%s",
		    (m->versions & MI_V2) ? "&" : "", hex);
	}
	buf_add_str(&b, "&dn=");
	mi_urlencode(&b, m->name);
	for (i = 0; i < m->ntrackers; i++) {
		buf_add_str(&b, "&tr=");
		mi_urlencode(&b, m->trackers[i]);
	}
	return ((char *)buf_steal(&b, NULL));
}

const struct mi_file *
metainfo_file_at(const struct metainfo *m, uint64_t off)
{
	size_t	lo = 0, hi = m->nfiles, i;

	/* The last entry that starts at or before off. */
	while (lo < hi) {
		size_t	mid = lo + (hi - lo) / 2;

		if (m->files[mid].offset <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (i = lo; i > 0; i--) {
		const struct mi_file *f = &m->files[i - 1];

		if (f->length == 0)
			continue;
		if (off >= f->offset && off < f->offset + f->length)
			return (f);
		break;
	}
	return (NULL);
}

uint32_t
metainfo_piece_size(const struct metainfo *m, uint32_t index)
{
	uint64_t		 start = (uint64_t)index * m->piece_length;
	uint64_t		 end;
	const struct mi_file	*f;

	if (index >= m->npieces)
		return (0);
	if (m->versions & MI_V1)
		end = m->span;
	else {
		if ((f = metainfo_file_at(m, start)) == NULL)
			return (0);
		end = f->offset + f->length;
	}
	if (end - start > m->piece_length)
		return (m->piece_length);
	return ((uint32_t)(end - start));
}
