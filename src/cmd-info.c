/* shoal info FILE.torrent [--json]: what a torrent holds. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "cli.h"
#include "hex.h"
#include "i18n.h"
#include "json.h"
#include "metainfo.h"
#include "units.h"
#include "xmalloc.h"

static int	cmd_info_exec(const struct cmd_entry *, int, char **);

const struct cmd_entry cmd_info_entry = {
	.name = "info",
	.args = N_("FILE.torrent [--json]"),
	.help = N_("show what a torrent holds: name, files, hashes, magnet"),
	.exec = cmd_info_exec,
};

static const char *
cmd_info_type(const struct metainfo *m)
{
	switch (m->versions) {
	case MI_V1:
		return ("v1");
	case MI_V2:
		return ("v2");
	default:
		return ("hybrid");
	}
}

static void
cmd_info_attr(const struct mi_file *f, char *s)
{
	size_t	n = 0;

	if (f->attr & MI_ATTR_EXEC)
		s[n++] = 'x';
	if (f->attr & MI_ATTR_HIDDEN)
		s[n++] = 'h';
	if (f->attr & MI_ATTR_SYMLINK)
		s[n++] = 'l';
	if (f->attr & MI_ATTR_DIR)
		s[n++] = 'd';
	s[n] = '\0';
}

static void
cmd_info_json(const struct metainfo *m, const char *magnet)
{
	struct buf	b;
	char		hex[65], attr[8];
	size_t		i, nfiles = 0;
	int		first = 1;

	for (i = 0; i < m->nfiles; i++) {
		if (metainfo_is_content(&m->files[i]))
			nfiles++;
	}
	buf_init(&b);
	buf_add_str(&b, "{\"name\":");
	json_add_cstr(&b, m->name);
	buf_addf(&b, ",\"type\":\"%s\",\"size\":%llu,\"file_count\":%zu,"
	    "\"piece_length\":%u,\"pieces\":%u,\"private\":%s",
	    cmd_info_type(m), (unsigned long long)m->total_size, nfiles,
	    m->piece_length, m->npieces, m->is_private ? "true" : "false");
	if (m->versions & MI_V1) {
		hex_encode(m->ih1, 20, hex);
		buf_addf(&b, ",\"info_hash_v1\":\"%s\"", hex);
	}
	if (m->versions & MI_V2) {
		hex_encode(m->ih2, 32, hex);
		buf_addf(&b, ",\"info_hash_v2\":\"%s\"", hex);
	}
	buf_add_str(&b, ",\"magnet\":");
	json_add_cstr(&b, magnet);
	if (m->comment != NULL) {
		buf_add_str(&b, ",\"comment\":");
		json_add_cstr(&b, m->comment);
	}
	if (m->created_by != NULL) {
		buf_add_str(&b, ",\"created_by\":");
		json_add_cstr(&b, m->created_by);
	}
	if (m->creation_date != 0)
		buf_addf(&b, ",\"creation_date\":%lld",
		    (long long)m->creation_date);
	buf_addf(&b, ",\"ssl\":%s", m->ssl_cert != NULL ? "true" : "false");
	buf_add_str(&b, ",\"trackers\":[");
	for (i = 0; i < m->ntrackers; i++) {
		if (i != 0)
			buf_add_byte(&b, ',');
		json_add_cstr(&b, m->trackers[i]);
	}
	buf_add_str(&b, "],\"files\":[");
	for (i = 0; i < m->nfiles; i++) {
		const struct mi_file *f = &m->files[i];

		if (f->attr & MI_ATTR_PAD)
			continue;
		if (!first)
			buf_add_byte(&b, ',');
		first = 0;
		buf_add_str(&b, "{\"path\":");
		json_add_cstr(&b, f->path);
		cmd_info_attr(f, attr);
		buf_addf(&b, ",\"size\":%llu,\"attr\":\"%s\"",
		    (unsigned long long)f->length, attr);
		if (f->symlink != NULL) {
			buf_add_str(&b, ",\"symlink\":");
			json_add_cstr(&b, f->symlink);
		}
		if (f->mtime != 0)
			buf_addf(&b, ",\"mtime\":%lld", (long long)f->mtime);
		if (f->has_root) {
			hex_encode(f->root, 32, hex);
			buf_addf(&b, ",\"pieces_root\":\"%s\"", hex);
		}
		buf_add_byte(&b, '}');
	}
	buf_add_str(&b, "]}\n");
	fwrite(b.data, 1, b.len, stdout);
	buf_destroy(&b);
}

static void
cmd_info_text(const struct metainfo *m, const char *magnet)
{
	char		 a[UNITS_BUFLEN], hex[65], date[64], attr[8];
	size_t		 i, nfiles = 0;
	time_t		 t;
	struct tm	 tm;

	for (i = 0; i < m->nfiles; i++) {
		if (metainfo_is_content(&m->files[i]))
			nfiles++;
	}
	printf(_("Name:          %s\n"), m->name);
	printf(_("Type:          %s\n"), m->versions == MI_HYBRID ?
	    _("hybrid (v1 + v2)") : cmd_info_type(m));
	printf(_("Size:          %s (%llu bytes) in %zu files\n"),
	    units_size(m->total_size, a), (unsigned long long)m->total_size,
	    nfiles);
	printf(_("Pieces:        %u of %s\n"), m->npieces,
	    units_size(m->piece_length, a));
	if (m->versions & MI_V1) {
		hex_encode(m->ih1, 20, hex);
		printf(_("Info-hash v1:  %s\n"), hex);
	}
	if (m->versions & MI_V2) {
		hex_encode(m->ih2, 32, hex);
		printf(_("Info-hash v2:  %s\n"), hex);
	}
	printf(_("Private:       %s\n"), m->is_private ? _("yes") : _("no"));
	if (m->ssl_cert != NULL)
		printf(_("SSL torrent:   yes (peers need a certificate from its CA)\n"));
	if (m->comment != NULL)
		printf(_("Comment:       %s\n"), m->comment);
	if (m->created_by != NULL)
		printf(_("Created by:    %s\n"), m->created_by);
	if (m->creation_date != 0) {
		t = (time_t)m->creation_date;
		if (gmtime_r(&t, &tm) != NULL &&
		    strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S UTC",
		    &tm) > 0)
			printf(_("Created:       %s\n"), date);
	}
	for (i = 0; i < m->ntrackers; i++)
		printf(_("Tracker:       %s\n"), m->trackers[i]);
	printf(_("Magnet:        %s\n"), magnet);
	printf(_("Files:\n"));
	for (i = 0; i < m->nfiles; i++) {
		const struct mi_file *f = &m->files[i];

		if (f->attr & MI_ATTR_PAD)
			continue;
		cmd_info_attr(f, attr);
		if (f->attr & MI_ATTR_DIR)
			printf("  %10s  %-2s %s/\n", "", attr, f->path);
		else if (f->attr & MI_ATTR_SYMLINK)
			printf("  %10s  %-2s %s -> %s\n", "", attr, f->path,
			    f->symlink);
		else
			printf("  %10s  %-2s %s\n", units_size(f->length, a),
			    attr, f->path);
	}
}

static int
cmd_info_exec(const struct cmd_entry *self, int argc, char **argv)
{
	static const struct option	longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct metainfo			m;
	char				*cause = NULL, *magnet;
	int				 ch, json = 0;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			json = 1;
			break;
		case 'h':
			return (cli_help(self));
		default:
			return (cli_usage(self));
		}
	}
	if (argc - optind != 1)
		return (cli_usage(self));
	if (metainfo_load(&m, argv[optind], &cause) != 0) {
		cli_error("%s", cause);
		free(cause);
		return (EXIT_RUNTIME);
	}
	magnet = metainfo_magnet(&m);
	if (json)
		cmd_info_json(&m, magnet);
	else
		cmd_info_text(&m, magnet);
	free(magnet);
	metainfo_free(&m);
	return (EXIT_DONE);
}
