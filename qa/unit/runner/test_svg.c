/* test_svg.c: unit tests of the flame graph renderer (runner/flamegraph/svg*.c): frame
 * tree, frame count, widths, escaping, label truncation, colours, narrow-frame elision,
 * diff colours. */
#include <stdio.h>
#include <stdlib.h>
#include "../tap.h"
#include <string.h>
#include "flamegraph/fold.h"
#include "flamegraph/svg.h"

static size_t count(const char *hay, const char *needle) {
    size_t c = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle)) c++;
    return c;
}

static char *render(const fg_node *root, const fg_svg_options *o, long *drawn) {
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    *drawn = rn_fg_svg_render(root, o, f);
    fclose(f);
    return buf;
}

static fg_stacks *stacks(const char *const *lines, const unsigned long long *counts) {
    fg_stacks *s = rn_fg_stacks_new();
    for (size_t i = 0; lines[i]; i++) rn_fg_stacks_add(s, lines[i], counts[i]);
    return s;
}

static void test_basic(void) {
    const char *lines[] = {"app;main;work", "app;main;idle<&>\"'", "app;main", "other;x", NULL};
    const unsigned long long counts[] = {50, 25, 5, 20};
    fg_stacks *s = stacks(lines, counts);
    fg_node *root = rn_fg_tree_build(s);
    size_t depth;
    CHECK(rn_fg_tree_count(root, &depth) == 7 && depth == 3,
          "tree: 7 frames (root included), depth 3");
    CHECK(root->value == 100 && root->nkids == 2 && !strcmp(root->kids[0]->name, "app") &&
              root->kids[0]->value == 80,
          "tree: values and sorted children");
    fg_svg_options o;
    rn_fg_svg_options_init(&o);
    o.title = "T <1>";
    long drawn;
    char *svg = render(root, &o, &drawn);
    CHECK(drawn == 7 && count(svg, "<g class=\"f\">") == 7, "svg: one group per frame");
    CHECK(count(svg, "<rect x=\"10.00\" y=") >= 1 && strstr(svg, "width=\"1180.00\""),
          "svg: root spans the width");
    CHECK(strstr(svg, "width=\"590.00\"") != NULL, "svg: half the samples, half the width");
    CHECK(strstr(svg, "<title>work (50 samples, 50.00%)</title>") != NULL, "svg: hover title");
    CHECK(strstr(svg, "idle&lt;&amp;&gt;&quot;&apos;") != NULL && !strstr(svg, "idle<&"),
          "svg: names escaped");
    CHECK(strstr(svg, ">T &lt;1&gt;</text>") != NULL, "svg: title escaped");
    CHECK(strstr(svg, "<script") && strstr(svg, "function zoom"), "svg: search/zoom script");
    CHECK(!strncmp(svg, "<?xml", 5) && strstr(svg, "</svg>\n"), "svg: complete document");
    long drawn2;
    char *again = render(root, &o, &drawn2);
    CHECK(!strcmp(svg, again), "svg: deterministic");
    free(again);
    o.script = 0;
    again = render(root, &o, &drawn2);
    CHECK(!strstr(again, "<script") && drawn2 == 7, "svg: without script");
    free(again);
    free(svg);
    rn_fg_tree_free(root);
    rn_fg_stacks_free(s);
}

static void test_labels(void) {
    const char *lines[] = {"a_very_long_function_name_that_cannot_fit", "wide_function", NULL};
    const unsigned long long counts[] = {4, 96};
    fg_stacks *s = stacks(lines, counts);
    fg_node *root = rn_fg_tree_build(s);
    fg_svg_options o;
    rn_fg_svg_options_init(&o);
    long drawn;
    char *svg = render(root, &o, &drawn);
    /* 4% of 1180 px = 47.2 px: (47.2 - 6) / 7.08 = 5 characters: 3 + ".." */
    CHECK(strstr(svg, ">a_v..</text>") != NULL, "label truncated to fit with ..");
    CHECK(strstr(svg, ">wide_function</text>") != NULL, "label that fits is whole");
    free(svg);
    rn_fg_tree_free(root);
    rn_fg_stacks_free(s);
}

static void test_elision(void) {
    const char *lines[] = {"big", "tiny;deeper", NULL};
    const unsigned long long counts[] = {1000000, 1};
    fg_stacks *s = stacks(lines, counts);
    fg_node *root = rn_fg_tree_build(s);
    fg_svg_options o;
    rn_fg_svg_options_init(&o);
    long drawn;
    char *svg = render(root, &o, &drawn);
    CHECK(drawn == 2 && !strstr(svg, "tiny"),
          "frames under 0.1 px are left out with their children");
    free(svg);
    o.min_width = 0;
    svg = render(root, &o, &drawn);
    CHECK(drawn == 4, "min_width 0 draws every frame");
    free(svg);
    rn_fg_tree_free(root);
    rn_fg_stacks_free(s);
}

static void test_escape(void) {
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    rn_fg_xml_escape(f, "caf\xc3\xa9 \xff\x01 ok", 100);
    fputc('|', f);
    rn_fg_xml_escape(f, "ab\xc3\xa9", 3); /* would cut the é in half: stop before */
    fclose(f);
    CHECK(!strcmp(buf, "caf\xc3\xa9 ?? ok|ab"),
          "escape: UTF-8 kept, bad bytes and controls replaced");
    free(buf);
}

static void test_colours(void) {
    char a[32], b[32], c[32];
    rn_fg_svg_colour("main", a, sizeof a);
    rn_fg_svg_colour("main", b, sizeof b);
    rn_fg_svg_colour("other_function", c, sizeof c);
    int r, g, bl;
    CHECK(!strcmp(a, b) && strcmp(a, c), "colour: same name same colour, names differ");
    CHECK(sscanf(a, "rgb(%d,%d,%d)", &r, &g, &bl) == 3 && r >= 205 && r <= 255 && g <= 230 &&
              bl <= 55,
          "colour: warm palette");
}

static void test_diff(void) {
    const char *plines[] = {"app;main;work", "app;main;agent_upload", NULL};
    const unsigned long long pcounts[] = {60, 40};
    const char *blines[] = {"app;main;work", "app;main;gone", NULL};
    const unsigned long long bcounts[] = {90, 10};
    fg_stacks *p = stacks(plines, pcounts), *b = stacks(blines, bcounts);
    fg_node *root = rn_fg_tree_build(p);
    CHECK(rn_fg_tree_add_other(root, b) == 0 && root->other == 100, "diff: other totals");
    fg_svg_options o;
    rn_fg_svg_options_init(&o);
    o.diff = 1;
    o.other_total = 100;
    long drawn;
    char *svg = render(root, &o, &drawn);
    CHECK(drawn == 5 && !strstr(svg, "gone"), "diff: widths and frames from the profiled side");
    const char *up = strstr(svg, "<title>agent_upload");
    const char *down = strstr(svg, "<title>work");
    CHECK(up && strstr(up, "+40.00 pts") && strstr(up, "fill=\"rgb(255,45,45)\""),
          "diff: new frame deepest red");
    CHECK(down && strstr(down, "-30.00 pts") && strstr(down, "fill=\"rgb(") &&
              strstr(down, ",255)\""),
          "diff: shrunk frame blue");
    free(svg);
    rn_fg_tree_free(root);
    rn_fg_stacks_free(p);
    rn_fg_stacks_free(b);
}

int main(void) {
    test_basic();
    test_labels();
    test_elision();
    test_escape();
    test_colours();
    test_diff();
    return TAP_DONE();
}
