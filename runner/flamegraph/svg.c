/* flamegraph/svg.c: draws a frame tree as an SVG flame graph: root at the bottom, one <g
 * class="f"> per frame holding a <title> (hover text), a <rect> sized by samples and a
 * <text> label truncated to fit. Output is deterministic for a given input. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "svg.h"

#define PAD     10.0
#define TOP     60.0
#define BOTTOM  30.0
#define FONT_PX 12.0
#define CHAR_PX 7.08 /* average Verdana glyph at 12 px */

void rn_fg_svg_options_init(fg_svg_options *o) {
    memset(o, 0, sizeof *o);
    o->title = "Flame Graph";
    o->width = 1200;
    o->frame_height = 16;
    o->min_width = 0.1;
    o->script = 1;
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t avail) {
    size_t n = s[0] >= 0xF0 && s[0] <= 0xF4 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC2 ? 2 : 0;
    if (s[0] >= 0xF5 || n == 0 || n > avail) return 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xC0) != 0x80) return 0;
    return n;
}

void rn_fg_xml_escape(FILE *out, const char *str, size_t maxbytes) {
    const unsigned char *s = (const unsigned char *)str;
    size_t total = strlen(str), len = total, i = 0;
    if (maxbytes < len) len = maxbytes;
    while (i < len) {
        unsigned char c = s[i];
        if (c < 0x80) {
            switch (c) {
                case '&': fputs("&amp;", out); break;
                case '<': fputs("&lt;", out); break;
                case '>': fputs("&gt;", out); break;
                case '"': fputs("&quot;", out); break;
                case '\'': fputs("&apos;", out); break;
                default: fputc(c < 0x20 || c == 0x7f ? '?' : c, out);
            }
            i++;
            continue;
        }
        size_t n = utf8_len(s + i, total - i);
        if (n == 0) {
            fputc('?', out);
            i++;
            continue;
        }
        if (i + n > len) break; /* never cut a character in half */
        fwrite(s + i, 1, n, out);
        i += n;
    }
}

static uint32_t name_hash(const char *s, uint32_t seed) {
    uint32_t h = 2166136261u ^ seed;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

void rn_fg_svg_colour(const char *name, char *out, size_t outlen) {
    double v1 = (name_hash(name, 1) % 1000) / 1000.0;
    double v2 = (name_hash(name, 2) % 1000) / 1000.0;
    double v3 = (name_hash(name, 3) % 1000) / 1000.0;
    snprintf(out, outlen, "rgb(%d,%d,%d)", 205 + (int)(50 * v3), (int)(230 * v1), (int)(55 * v2));
}

/* Diff colour: white for no change, deeper red (more) or blue (less) as |delta| grows. */
static void diff_colour(double delta, double max_abs, char *out, size_t outlen) {
    double f = max_abs > 0 ? delta / max_abs : 0;
    if (f > 1) f = 1;
    if (f < -1) f = -1;
    int fade = (int)(210 * (1 - (f < 0 ? -f : f)));
    if (f >= 0) snprintf(out, outlen, "rgb(255,%d,%d)", 45 + fade, 45 + fade);
    else snprintf(out, outlen, "rgb(%d,%d,255)", 45 + fade, 45 + fade);
}

typedef struct render {
    const fg_svg_options *o;
    FILE *out;
    double scale; /* px per sample */
    double total, other_total, max_abs;
    double ybase; /* y of the root frame */
    long drawn;
} render;

static double share_delta(const render *r, const fg_node *n) {
    double p = r->total > 0 ? n->value / r->total : 0;
    double b = r->other_total > 0 ? n->other / r->other_total : 0;
    return p - b;
}

static void max_delta(render *r, const fg_node *n) {
    double d = share_delta(r, n);
    if (d < 0) d = -d;
    if (d > r->max_abs) r->max_abs = d;
    for (size_t i = 0; i < n->nkids; i++) max_delta(r, n->kids[i]);
}

static void draw(render *r, const fg_node *n, size_t depth, double x) {
    double w = n->value * r->scale;
    if (w < r->o->min_width) return;
    double px = PAD + x, y = r->ybase - (double)depth * r->o->frame_height;
    char fill[64];
    FILE *out = r->out;
    fputs("<g class=\"f\"><title>", out);
    rn_fg_xml_escape(out, n->name, SIZE_MAX);
    fprintf(out, " (%llu sample%s, %.2f%%", n->value, n->value == 1 ? "" : "s",
            r->total > 0 ? 100.0 * n->value / r->total : 0.0);
    if (r->o->diff) {
        double d = share_delta(r, n);
        fprintf(out, "; baseline %.2f%%; %+.2f pts",
                r->other_total > 0 ? 100.0 * n->other / r->other_total : 0.0, 100 * d);
        diff_colour(d, r->max_abs, fill, sizeof fill);
    } else {
        rn_fg_svg_colour(n->name, fill, sizeof fill);
    }
    fprintf(out,
            ")</title><rect x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%d\" "
            "fill=\"%s\" rx=\"2\" ry=\"2\"/><text x=\"%.2f\" y=\"%.1f\">",
            px, y, w, r->o->frame_height - 1, fill, px + 3, y + r->o->frame_height - 4.5);
    long fit = (long)((w - 6) / CHAR_PX);
    size_t len = strlen(n->name);
    if (fit >= 3) {
        if ((long)len <= fit) rn_fg_xml_escape(out, n->name, len);
        else {
            rn_fg_xml_escape(out, n->name, (size_t)fit - 2);
            fputs("..", out);
        }
    }
    fputs("</text></g>\n", out);
    r->drawn++;
    double kx = x;
    for (size_t i = 0; i < n->nkids; i++) {
        draw(r, n->kids[i], depth + 1, kx);
        kx += n->kids[i]->value * r->scale;
    }
}

long rn_fg_svg_render(const fg_node *root, const fg_svg_options *o, FILE *out) {
    size_t depth;
    rn_fg_tree_count(root, &depth);
    double height = TOP + (double)(depth + 1) * o->frame_height + BOTTOM;
    render r = {
        .o = o, .out = out, .total = (double)root->value, .other_total = (double)o->other_total};
    r.scale = root->value ? (o->width - 2 * PAD) / (double)root->value : 0;
    r.ybase = TOP + (double)depth * o->frame_height;
    if (o->diff) max_delta(&r, root);

    fprintf(out,
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
            "<svg version=\"1.1\" width=\"%d\" height=\"%.0f\" viewBox=\"0 0 %d %.0f\" "
            "xmlns=\"http://www.w3.org/2000/svg\"%s>\n",
            o->width, height, o->width, height, o->script ? " onload=\"init(evt)\"" : "");
    fputs("<defs><linearGradient id=\"bg\" y1=\"0\" y2=\"1\" x1=\"0\" x2=\"0\">"
          "<stop stop-color=\"#eeeeee\" offset=\"5%\"/>"
          "<stop stop-color=\"#eeeeb0\" offset=\"95%\"/></linearGradient></defs>\n"
          "<style type=\"text/css\">\n"
          "text { font-family: Verdana, sans-serif; font-size: 12px; fill: #000; }\n"
          "#title { text-anchor: middle; font-size: 17px; }\n"
          "#subtitle { text-anchor: middle; fill: #555; }\n"
          "#search, #unzoom { cursor: pointer; fill: #333; }\n"
          "#search { text-anchor: end; }\n"
          ".hide { display: none; }\n"
          ".f:hover rect { stroke: #000; stroke-width: 0.5; cursor: pointer; }\n"
          "</style>\n",
          out);
    if (o->script)
        fprintf(out, "<script type=\"text/ecmascript\"><![CDATA[\n%s]]></script>\n",
                rn_fg_svg_script);
    fprintf(out, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%.0f\" fill=\"url(#bg)\"/>\n",
            o->width, height);
    fprintf(out, "<text id=\"title\" x=\"%.1f\" y=\"24\">", o->width / 2.0);
    rn_fg_xml_escape(out, o->title ? o->title : "Flame Graph", SIZE_MAX);
    fputs("</text>\n", out);
    if (o->subtitle) {
        fprintf(out, "<text id=\"subtitle\" x=\"%.1f\" y=\"42\">", o->width / 2.0);
        rn_fg_xml_escape(out, o->subtitle, SIZE_MAX);
        fputs("</text>\n", out);
    }
    if (o->script)
        fprintf(out,
                "<text id=\"unzoom\" class=\"hide\" x=\"%.1f\" y=\"24\">Reset Zoom</text>\n"
                "<text id=\"search\" x=\"%.1f\" y=\"24\">Search</text>\n",
                PAD, o->width - PAD);
    fprintf(out, "<text id=\"details\" x=\"%.1f\" y=\"%.0f\"> </text>\n", PAD, height - 10);
    fputs("<g id=\"frames\">\n", out);
    if (root->value) draw(&r, root, 0, 0);
    fputs("</g>\n</svg>\n", out);
    if (fflush(out) != 0 || ferror(out)) return -1;
    return r.drawn;
}

long rn_fg_svg_render_file(const fg_node *root, const fg_svg_options *o, const char *path,
                           char *err, size_t errlen) {
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f) {
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
        return -1;
    }
    long drawn = rn_fg_svg_render(root, o, f);
    if (fclose(f) != 0) drawn = -1;
    if (drawn < 0 || rename(tmp, path) != 0) {
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
        remove(tmp);
        return -1;
    }
    return drawn;
}
