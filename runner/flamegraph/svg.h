/* flamegraph/svg.h: flame graph rendering: a tree of frames built from folded stacks, drawn
 * as an SVG (one rectangle per frame sized by its samples, root at the bottom, truncated
 * labels, <title> hover text, colours derived from the frame name, an optional search/zoom
 * script). A differential variant colours frames by the change of their share against a
 * second set of stacks. */
#ifndef AB_RUNNER_FG_SVG_H
#define AB_RUNNER_FG_SVG_H

#include <stddef.h>
#include <stdio.h>
#include "fold.h"

typedef struct fg_node {
    char *name;
    unsigned long long value; /* samples in this frame and above it */
    unsigned long long other; /* diff: the same path's samples in the other set */
    struct fg_node **kids;    /* sorted by name once built */
    size_t nkids, cap;
} fg_node;

/* Tree with an "all" root holding every stack of s. NULL when out of memory. */
fg_node *rn_fg_tree_build(fg_stacks *s);
/* Add other's samples to the ->other field of paths that exist in the tree (others are
 * ignored: widths come from the tree's own stacks). Returns 0 or -1. */
int rn_fg_tree_add_other(fg_node *root, fg_stacks *other);
void rn_fg_tree_free(fg_node *root);
/* Number of nodes (frames, root included) and the deepest depth (root = 0). */
size_t rn_fg_tree_count(const fg_node *root, size_t *max_depth);

typedef struct fg_svg_options {
    const char *title;
    const char *subtitle;           /* may be NULL */
    int width;                      /* image width, px (1200) */
    int frame_height;               /* px per frame (16) */
    double min_width;               /* frames narrower than this (px) are left out (0.1) */
    int script;                     /* embed the search/zoom script (1) */
    int diff;                       /* colour by ->other: red more, blue less (0) */
    unsigned long long other_total; /* diff: total samples of the other set */
} fg_svg_options;

void rn_fg_svg_options_init(fg_svg_options *o);

/* Render the tree to out. Returns the number of frame rectangles drawn, or -1 on a write
 * error. */
long rn_fg_svg_render(const fg_node *root, const fg_svg_options *o, FILE *out);
/* Render into path (written to path.tmp, then renamed). Returns frames drawn or -1. */
long rn_fg_svg_render_file(const fg_node *root, const fg_svg_options *o, const char *path,
                           char *err, size_t errlen);

/* XML text escaping that also keeps the output valid UTF-8 (bad bytes become '?').
 * At most maxbytes input bytes are written (cut at a character boundary). */
void rn_fg_xml_escape(FILE *out, const char *s, size_t maxbytes);
/* The frame colour, deterministic from the name ("rgb(r,g,b)"). */
void rn_fg_svg_colour(const char *name, char *out, size_t outlen);

extern const char rn_fg_svg_script[]; /* svg_script.c */

#endif
