/* flamegraph/render.h: writing a flame graph's two files, FILE.svg and FILE.folded, from
 * stacks. */
#ifndef AB_RUNNER_FG_RENDER_H
#define AB_RUNNER_FG_RENDER_H

#include <stddef.h>
#include "fold.h"

/* Render s to svg_path (titled, with subtitle, with or without the search/zoom script)
 * and, when folded_path is not NULL, write the folded text there. Returns the number of
 * frame rectangles drawn, or -1 with err. */
long rn_fg_write_graph(fg_stacks *s, const char *svg_path, const char *folded_path,
                       const char *title, const char *subtitle, int script, char *err,
                       size_t errlen);

/* "x/y.svg" -> "x/y.folded"; other names get ".folded" appended. */
void rn_fg_folded_path_for(const char *svg_path, char *out, size_t outlen);

/* Read a folded file into s. Returns 0, or -1 with err (missing, unreadable). */
int rn_fg_read_folded_file(const char *path, fg_stacks *s, fg_fold_stats *st, char *err,
                           size_t errlen);

#endif
