/* fuzz_journal.c: libFuzzer target for lib/: the input is read as journal text (line
 * splitting, JSON parsing, version checks, the fast reader of plain lines) and fed to the
 * results model, whose suite is then analysed (statistics, family, verdicts, noise); each
 * line the fast reader takes must read exactly as jansson reads it; the same bytes read as
 * doubles go through the statistics directly. Crashes, sanitizer reports, NaN/Inf from
 * finite input and a fast reading that differs are failures.
 * Built and run by `make -C lib fuzz` (FUZZ_SECONDS). */
#include "analysis.h"
#include "events.h"
#include "journal.h"
#include "results.h"
#include "stats.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void must_be_finite(double v) {
    if (!isfinite(v)) abort();
}

static void check_summary(const ab_summary *s) {
    must_be_finite(s->median);
    must_be_finite(s->mean);
    must_be_finite(s->stddev);
    must_be_finite(s->min);
    must_be_finite(s->max);
    must_be_finite(s->ci_low);
    must_be_finite(s->ci_high);
    if (s->n && (s->ci_low > s->median || s->ci_high < s->median)) abort();
}

static void check_ratio(const ab_ratio *o) {
    if (!o->valid) return;
    must_be_finite(o->ratio);
    must_be_finite(o->ci_low);
    must_be_finite(o->ci_high);
    if (!(o->p >= 0 && o->p <= 1)) abort();
}

static void journal_side(const uint8_t *data, size_t size) {
    ab_results *r = ab_results_new();
    unsigned long errors = 0;
    int events = 0;
    size_t used = ab_journal_parse_buffer((const char *)data, size, ab_results_add_cb, r, &errors,
                                          &events);
    if (used > size) abort();
    ab_analysis *a = ab_analysis_new(NULL);
    if (a && ab_analysis_update(a, r) == 0) {
        for (size_t i = 0; i < r->ncells; i++) {
            const ab_cell_analysis *ca = ab_analysis_cell(a, r->cells[i]);
            const ab_cell_stats *cs = &ca->st;
            check_summary(&cs->wall);
            check_summary(&cs->cpu);
            check_summary(&cs->rss);
            check_ratio(&cs->over_wall);
            check_ratio(&cs->over_cpu);
            check_ratio(&cs->over_rss);
            must_be_finite(cs->noise.cov);
            must_be_finite(cs->noise.drift_rho);
            if (!(cs->noise.drift_p >= 0 && cs->noise.drift_p <= 1)) abort();
            char v[48];
            ab_analysis_verdict_text(a, ca, AB_FIG_WALL, v, sizeof v);
        }
    }
    ab_analysis_free(a);
    double p = ab_results_progress(r);
    if (!(p >= 0 && p <= 100)) abort();
    ab_state_name(r->state);
    ab_results_free(r);
}

static void stats_side(const uint8_t *data, size_t size) {
    enum {
        MAXN = 24
    }; /* small enough to run fast; the exact paths are covered */
    double a[MAXN], b[MAXN];
    size_t na = 0, nb = 0, nvals = size / sizeof(double);
    for (size_t i = 0; i < nvals; i++) {
        double v;
        memcpy(&v, data + i * sizeof v, sizeof v);
        if (!isfinite(v)) continue;
        if (i % 2 == 0 && na < MAXN) a[na++] = v;
        else if (i % 2 == 1 && nb < MAXN) b[nb++] = v;
    }
    ab_summary s;
    if (ab_summarize(a, na, &s) == 0) check_summary(&s);
    double u;
    double p = ab_mann_whitney_p(a, na, b, nb, &u);
    if (!(p >= 0 && p <= 1)) abort();
    must_be_finite(u);
    double ratio, lo, hi;
    for (size_t i = 0; i < na; i++) a[i] = fabs(a[i]);
    for (size_t i = 0; i < nb; i++) b[i] = fabs(b[i]);
    if (ab_ratio_hl(a, na, b, nb, &ratio, &lo, &hi) == 0) {
        must_be_finite(ratio);
        must_be_finite(lo);
        must_be_finite(hi);
        if (lo > ratio || hi < ratio) abort();
    }
}

/* Each line both ways: what the fast reader takes must be what jansson reads. */
static void fast_side(const uint8_t *data, size_t size) {
    const char *p = (const char *)data, *end = p + size;
    char *scratch = malloc(size + 1);
    if (!scratch) return;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        ab_event_scanned sc;
        if (ab_event_scan(p, len, scratch, &sc)) {
            json_t *ev = json_loadb(p, len, 0, NULL);
            json_t *v = json_object_get(ev, "v");
            if (!json_is_object(ev) || !json_is_integer(v) || json_integer_value(v) != 1 ||
                ab_event_id_of(ev) != sc.id || ab_event_time(ev) != sc.t)
                abort();
            if (sc.id == AB_EV_RUN_END) {
                ab_ev_run_end j;
                ab_ev_run_end_read(ev, &j);
                const ab_ev_run_end *f = &sc.e.run_end;
                if (j.wall_s != f->wall_s || j.run != f->run || j.warmup != f->warmup ||
                    j.has.wall_s != f->has.wall_s || j.maxrss_kb != f->maxrss_kb ||
                    j.has.migrations != f->has.migrations || j.migrations != f->migrations ||
                    !j.status != !f->status || (j.status && strcmp(j.status, f->status)) ||
                    !j.benchmark != !f->benchmark ||
                    (j.benchmark && strcmp(j.benchmark, f->benchmark)))
                    abort();
            }
            json_decref(ev);
        }
        p += len + 1;
    }
    free(scratch);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    journal_side(data, size);
    fast_side(data, size);
    stats_side(data, size);
    return 0;
}
