/* flamegraph/render.c: the files of one flame graph: SVG via the renderer, folded text
 * beside it. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "render.h"
#include "svg.h"

void rn_fg_folded_path_for(const char *svg_path, char *out, size_t outlen) {
    size_t n = strlen(svg_path);
    if (n > 4 && !strcmp(svg_path + n - 4, ".svg"))
        snprintf(out, outlen, "%.*s.folded", (int)(n - 4), svg_path);
    else snprintf(out, outlen, "%s.folded", svg_path);
}

long rn_fg_write_graph(fg_stacks *s, const char *svg_path, const char *folded_path,
                       const char *title, const char *subtitle, int script, char *err,
                       size_t errlen) {
    if (folded_path && rn_fg_stacks_write_file(s, folded_path, err, errlen) < 0) return -1;
    fg_node *root = rn_fg_tree_build(s);
    if (!root) {
        snprintf(err, errlen, "out of memory building the frame tree");
        return -1;
    }
    fg_svg_options o;
    rn_fg_svg_options_init(&o);
    o.title = title;
    o.subtitle = subtitle;
    o.script = script;
    long drawn = rn_fg_svg_render_file(root, &o, svg_path, err, errlen);
    rn_fg_tree_free(root);
    return drawn;
}

int rn_fg_read_folded_file(const char *path, fg_stacks *s, fg_fold_stats *st, char *err,
                           size_t errlen) {
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    int rc = rn_fg_fold_read_folded(s, f, st);
    fclose(f);
    if (rc < 0) snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
    return rc;
}
