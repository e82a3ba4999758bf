/* flamegraph/diff.c: the differential view of two captures (baseline and profiled variant):
 * an SVG with the profiled graph's widths, coloured by how each frame's share of samples
 * changed (red: more in profiled, blue: less), and a text table of the frames with the
 * largest extra inclusive share. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "render.h"
#include "flamegraph.h"
#include "svg.h"

#define TOP_FRAMES 25

/* Inclusive samples per function name: each distinct name in a stack counts once. */
static fg_stacks *inclusive_by_name(fg_stacks *s) {
    fg_stacks *names = rn_fg_stacks_new();
    if (!names) return NULL;
    size_t n;
    const fg_stack_entry *e = rn_fg_stacks_sorted(s, &n);
    char **seen = NULL;
    size_t cap = 0;
    for (size_t i = 0; i < n; i++) {
        char *copy = strdup(e[i].stack);
        if (!copy) goto fail;
        size_t nseen = 0;
        for (char *save = NULL, *f = strtok_r(copy, ";", &save); f;
             f = strtok_r(NULL, ";", &save)) {
            int dup = 0;
            for (size_t k = 0; k < nseen && !dup; k++) dup = !strcmp(seen[k], f);
            if (dup) continue;
            if (nseen == cap) {
                cap = cap ? cap * 2 : 64;
                char **ns = realloc(seen, cap * sizeof *ns);
                if (!ns) {
                    free(copy);
                    goto fail;
                }
                seen = ns;
            }
            seen[nseen++] = f;
            if (rn_fg_stacks_add(names, f, e[i].count) < 0) {
                free(copy);
                goto fail;
            }
        }
        free(copy);
    }
    free(seen);
    return names;
fail:
    free(seen);
    rn_fg_stacks_free(names);
    return NULL;
}

typedef struct row {
    const char *name;
    double prof, base, extra;
} row;

static int cmp_row(const void *a, const void *b) {
    const row *x = a, *y = b;
    if (x->extra != y->extra) return x->extra < y->extra ? 1 : -1;
    return strcmp(x->name, y->name);
}

static unsigned long long lookup(const fg_stack_entry *e, size_t n, const char *name) {
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(e[mid].stack, name);
        if (c == 0) return e[mid].count;
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return 0;
}

static int write_table(fg_stacks *base, fg_stacks *prof, const char *base_path,
                       const char *prof_path, const char *title, const char *path, char *err,
                       size_t errlen) {
    fg_stacks *bn = inclusive_by_name(base), *pn = inclusive_by_name(prof);
    row *rows = NULL;
    int rc = -1;
    if (!bn || !pn) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    size_t nb, np;
    const fg_stack_entry *be = rn_fg_stacks_sorted(bn, &nb);
    const fg_stack_entry *pe = rn_fg_stacks_sorted(pn, &np);
    rows = calloc(np + nb + 1, sizeof *rows);
    if (!rows) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    double bt = (double)rn_fg_stacks_total(base), pt = (double)rn_fg_stacks_total(prof);
    size_t nr = 0;
    for (size_t i = 0; i < np; i++) { /* frames of the profiled run */
        double b = bt > 0 ? 100.0 * lookup(be, nb, pe[i].stack) / bt : 0;
        double p = pt > 0 ? 100.0 * pe[i].count / pt : 0;
        rows[nr++] = (row){pe[i].stack, p, b, p - b};
    }
    for (size_t i = 0; i < nb; i++) /* and those only the baseline has */
        if (!lookup(pe, np, be[i].stack))
            rows[nr++] = (row){be[i].stack, 0, bt > 0 ? 100.0 * be[i].count / bt : 0,
                               bt > 0 ? -100.0 * be[i].count / bt : 0};
    qsort(rows, nr, sizeof *rows, cmp_row);
    FILE *f = fopen(path, "w");
    if (!f) {
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
        goto out;
    }
    fprintf(f,
            "# %s\n# baseline: %s (%.0f samples)\n# profiled: %s (%.0f samples)\n"
            "# frames by extra share of samples (inclusive), in percentage points\n"
            "%10s %10s %10s  %s\n",
            title, base_path, bt, prof_path, pt, "extra_pts", "profiled%", "baseline%", "frame");
    size_t shown = 0;
    for (size_t i = 0; i < nr && shown < TOP_FRAMES; i++) {
        if (rows[i].extra <= 0) break;
        fprintf(f, "%+10.2f %10.2f %10.2f  %s\n", rows[i].extra, rows[i].prof, rows[i].base,
                rows[i].name);
        shown++;
    }
    if (shown == 0) fprintf(f, "# no frame has a larger share in the profiled capture\n");
    rc = fclose(f) == 0 ? 0 : -1;
    if (rc < 0) snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
out:
    free(rows);
    rn_fg_stacks_free(bn);
    rn_fg_stacks_free(pn);
    return rc;
}

int rn_fg_diff(const char *baseline_folded, const char *profiled_folded, const char *outdir,
               const char *label, const char *title, char *err, size_t errlen) {
    if (!label || !*label || strchr(label, '/')) {
        snprintf(err, errlen, "bad label '%s'", label ? label : "");
        return -1;
    }
    fg_stacks *base = rn_fg_stacks_new(), *prof = rn_fg_stacks_new();
    fg_node *root = NULL;
    int rc = -1;
    fg_fold_stats st = {0};
    if (!base || !prof) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    if (rn_fg_read_folded_file(baseline_folded, base, &st, err, errlen) < 0 ||
        rn_fg_read_folded_file(profiled_folded, prof, &st, err, errlen) < 0)
        goto out;
    if (rn_fg_stacks_total(prof) == 0) {
        snprintf(err, errlen, "no samples in %s", profiled_folded);
        goto out;
    }
    if (!(root = rn_fg_tree_build(prof)) || rn_fg_tree_add_other(root, base) < 0) {
        snprintf(err, errlen, "out of memory building the frame tree");
        goto out;
    }
    char svg[4096], txt[4096], sub[256];
    snprintf(svg, sizeof svg, "%s/%s.diff.svg", outdir, label);
    snprintf(txt, sizeof txt, "%s/%s.diff.txt", outdir, label);
    snprintf(sub, sizeof sub,
             "red: larger share than in the baseline, blue: smaller; "
             "widths: profiled (%llu samples; baseline %llu)",
             rn_fg_stacks_total(prof), rn_fg_stacks_total(base));
    fg_svg_options o;
    rn_fg_svg_options_init(&o);
    o.title = title && *title ? title : "Differential flame graph";
    o.subtitle = sub;
    o.diff = 1;
    o.other_total = rn_fg_stacks_total(base);
    if (rn_fg_svg_render_file(root, &o, svg, err, errlen) < 0) goto out;
    rc = write_table(base, prof, baseline_folded, profiled_folded, o.title, txt, err, errlen);
out:
    rn_fg_tree_free(root);
    rn_fg_stacks_free(base);
    rn_fg_stacks_free(prof);
    return rc;
}
