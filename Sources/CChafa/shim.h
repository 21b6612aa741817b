#ifndef SOCCER_CCHAFA_SHIM_H
#define SOCCER_CCHAFA_SHIM_H

#include <chafa.h>

/// Frees a GString and its text; glib may define g_string_free as a macro Swift cannot call.
static inline void soccer_gstring_free(GString *string) { g_string_free(string, TRUE); }

#endif
