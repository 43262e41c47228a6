/*
 * Message translation. Everything a person reads in the CLI or the TUI is
 * wrapped in _(); log lines and protocol strings are not.
 */
#ifndef SHOAL_I18N_H
#define SHOAL_I18N_H

#ifdef ENABLE_NLS
#include <libintl.h>
#define _(s)	gettext(s)
#else
#define _(s)	(s)
#endif
#define N_(s)	(s)

#endif
