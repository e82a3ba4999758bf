/* fuzz_journal.c: libFuzzer target for lib/: the input is read as journal text (line
 * splitting, JSON parsing, version checks) and fed to the results model, whose cells then
 * get their statistics; the same bytes read as doubles go through the statistics directly.
 * Crashes, sanitizer reports, and NaN/Inf from finite input are failures.
 * Built and run by `make -C lib fuzz` (FUZZ_SECONDS). */
#include "journal.h"
#include "results.h"
#include "stats.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void must_be_finite(double v)
{
    if (!isfinite(v)) abort();
}

static void check_summary(const ab_summary *s)
{
    must_be_finite(s->median); must_be_finite(s->mean); must_be_finite(s->stddev);
    must_be_finite(s->min); must_be_finite(s->max);
    must_be_finite(s->ci_low); must_be_finite(s->ci_high);
    if (s->n && (s->ci_low > s->median || s->ci_high < s->median)) abort();
}

static void check_ratio(const ab_ratio *o)
{
    if (!o->valid) return;
    must_be_finite(o->ratio); must_be_finite(o->ci_low); must_be_finite(o->ci_high);
    if (!(o->p >= 0 && o->p <= 1)) abort();
}

static void journal_side(const uint8_t *data, size_t size)
{
    ab_results *r = ab_results_new();
    unsigned long errors = 0;
    int events = 0;
    size_t used = ab_journal_parse_buffer((const char *)data, size, ab_results_add_cb, r,
                                          &errors, &events);
    if (used > size) abort();
    for (size_t i = 0; i < r->ncells; i++) {
        ab_cell_stats cs;
        ab_results_cell_stats(r, r->cells[i], &cs);
        check_summary(&cs.wall); check_summary(&cs.cpu); check_summary(&cs.rss);
        check_ratio(&cs.over_wall); check_ratio(&cs.over_cpu); check_ratio(&cs.over_rss);
    }
    double p = ab_results_progress(r);
    if (!(p >= 0 && p <= 100)) abort();
    ab_state_name(r->state);
    ab_results_free(r);
}

static void stats_side(const uint8_t *data, size_t size)
{
    enum { MAXN = 24 };   /* small enough to run fast; the exact paths are covered */
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
        must_be_finite(ratio); must_be_finite(lo); must_be_finite(hi);
        if (lo > ratio || hi < ratio) abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    journal_side(data, size);
    stats_side(data, size);
    return 0;
}
