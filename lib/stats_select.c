/* stats_select.c: the k-th smallest of all pairwise differences x_i - y_j (or of all Walsh
 * averages (d_i + d_j) / 2, i <= j) without materialising them, for the Hodges-Lehmann
 * estimates and their CIs at any n: O((m + n) log(m n)) time, O(m + n) memory.
 *
 * With both samples sorted, the differences form a matrix sorted along every row and
 * column (stats_internal.h). The search keeps, per row i, a window of columns
 * [lo_i, hi_i) that still holds the answer: everything left of it is smaller, everything
 * right of it larger. One staircase walk counts the elements below a pivot value in
 * O(m + n) (a row's boundary moves monotonically from one row to the next), and the
 * windows shrink to the side of the pivot that holds rank k. Pivots come two ways:
 *  - deterministic (Johnson & Mizoguchi 1978): the weighted median of the windows' middle
 *    elements, weighted by the window widths, has at least a quarter of the candidates on
 *    each side, so each such round removes a quarter or more;
 *  - sampled (Floyd & Rivest's idea, as Monahan 1984 uses random pivots): a stratified
 *    sample of the candidates gives two values that bracket rank k with high
 *    probability, and one round keeps only what lies between them (a fraction of a
 *    percent). When a sampled round removes less than a quarter, the next round is a
 *    deterministic one, so the worst case stays O(log(m n)) rounds.
 * Once no more than m + n candidates (m for Walsh averages) are left, they are copied out
 * and the answer is picked by quickselect. The sampling only chooses pivots: the answer is exact.
 *
 * Exact: every element is computed by the same expression a full materialisation uses,
 * and IEEE arithmetic is monotonic, so the rows and columns are really sorted and the
 * value returned is bit for bit the k-th of a sort. */
#include "stats_internal.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

typedef uint32_t idx; /* column indices: up to 2^32 - 1 values per sample */

#define ALWAYS_INLINE static inline __attribute__((always_inline))

ALWAYS_INLINE double elem_k(ab_pairs_kind kind, const ab_pairs *p, size_t i, size_t j) {
    switch (kind) {
        case AB_PAIRS_DIFF: return p->row[i] - p->col[j];
        case AB_PAIRS_RDIFF: return p->col[j] - p->row[i];
        default: return (p->row[i] + p->row[j]) / 2;
    }
}

static double elem(const ab_pairs *p, size_t i, size_t j) {
    return elem_k(p->kind, p, i, j);
}

static inline size_t row_start(const ab_pairs *p, size_t i) {
    return p->kind == AB_PAIRS_WALSH ? i : 0;
}

size_t ab_pairs_count(const ab_pairs *p) {
    if (p->kind == AB_PAIRS_WALSH) {
        size_t n = p->m;
        if (n && (n + 1) > SIZE_MAX / n) return 0;
        return n * (n + 1) / 2;
    }
    if (p->m && p->n > SIZE_MAX / p->m) return 0;
    return p->m * p->n;
}

/* For each row i, within its window [lo_i, hi_i] (whole rows when lo/hi are NULL), the
 * boundary after the elements < p1 (into out1) and the one after the elements <= p2 (into
 * out2; p1 <= p2); *below1 and *upto2 get their counts in the whole matrix. The counts are
 * exact when everything left of lo_i is < p1 and everything from hi_i on is > p2. The
 * boundaries of the next row lie at or left of this row's (the columns ascend with i), so
 * two pointers walk the staircase, O(m + n). out1/out2 may be NULL, or lo/hi themselves
 * (each row's window is read before its answers are written). */
ALWAYS_INLINE void count_two_k(ab_pairs_kind kind, const ab_pairs *p, const idx *lo, const idx *hi,
                               double p1, double p2, idx *out1, idx *out2, size_t *below1,
                               size_t *upto2) {
    size_t t1 = 0, t2 = 0, j1 = p->n, j2 = p->n;
    for (size_t i = 0; i < p->m; i++) {
        size_t start = kind == AB_PAIRS_WALSH ? i : 0;
        size_t a = lo ? lo[i] : start, b = hi ? hi[i] : p->n;
        if (j1 > b) j1 = b;
        if (j1 < a) j1 = a;
        while (j1 > a && elem_k(kind, p, i, j1 - 1) >= p1) j1--;
        while (j1 < b && elem_k(kind, p, i, j1) < p1) j1++;
        if (j2 > b) j2 = b;
        if (j2 < j1) j2 = j1;
        while (j2 > j1 && elem_k(kind, p, i, j2 - 1) > p2) j2--;
        while (j2 < b && elem_k(kind, p, i, j2) <= p2) j2++;
        t1 += j1 - start;
        t2 += j2 - start;
        if (out1) out1[i] = (idx)j1;
        if (out2) out2[i] = (idx)j2;
    }
    *below1 = t1;
    *upto2 = t2;
}

static void count_two(const ab_pairs *p, const idx *lo, const idx *hi, double p1, double p2,
                      idx *out1, idx *out2, size_t *below1, size_t *upto2) {
    switch (p->kind) {
        case AB_PAIRS_DIFF:
            count_two_k(AB_PAIRS_DIFF, p, lo, hi, p1, p2, out1, out2, below1, upto2);
            break;
        case AB_PAIRS_RDIFF:
            count_two_k(AB_PAIRS_RDIFF, p, lo, hi, p1, p2, out1, out2, below1, upto2);
            break;
        default: count_two_k(AB_PAIRS_WALSH, p, lo, hi, p1, p2, out1, out2, below1, upto2);
    }
}

typedef struct workspace {
    idx *lo, *hi;     /* per row: the window [lo, hi) */
    idx *pos1, *pos2; /* per row: new boundaries; pos2 also holds the weights of a
                       * deterministic round */
    int have_start;   /* every rank starts from the elements in [start1, start2] */
    double start1, start2;
    double *buf;  /* the sample, the windows' middles, the last candidates */
    size_t cap;   /* buf's size: m + n (m for Walsh averages) */
    uint64_t rng; /* xorshift state: quickselect pivots, sample offsets */
} workspace;

static uint64_t next_random(workspace *w) {
    uint64_t x = w->rng;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return w->rng = x;
}

static inline void swap_idx(idx **a, idx **b) {
    idx *t = *a;
    *a = *b;
    *b = t;
}

static inline void swap_mid(double *mid, idx *weight, size_t a, size_t b) {
    double v = mid[a];
    mid[a] = mid[b];
    mid[b] = v;
    idx t = weight[a];
    weight[a] = weight[b];
    weight[b] = t;
}

/* The smallest of mid[0..n) such that the weights of the values up to it sum to at least
 * target (1 <= target <= total weight): quickselect with random pivots and a three-way
 * partition (ties are common), expected O(n). Reorders mid/weight. */
static double weighted_select(workspace *w, double *mid, idx *weight, size_t n, size_t target) {
    size_t lo = 0, hi = n;
    while (hi - lo > 1) {
        double pv = mid[lo + next_random(w) % (hi - lo)];
        size_t lt = lo, i = lo, gt = hi, wl = 0, we = 0;
        while (i < gt) { /* [lo,lt) < pv, [lt,i) == pv, [gt,hi) > pv */
            double v = mid[i];
            if (v < pv) {
                wl += weight[i];
                swap_mid(mid, weight, lt++, i++);
            } else if (v > pv) swap_mid(mid, weight, i, --gt);
            else {
                we += weight[i];
                i++;
            }
        }
        if (target <= wl) hi = lt;
        else if (target <= wl + we) return pv;
        else {
            target -= wl + we;
            lo = gt;
        }
    }
    return mid[lo];
}

/* A deterministic round for rank r: 1 when the pivot turned out to be the answer. */
static int deterministic_round(const ab_pairs *p, size_t r, size_t active, workspace *w,
                               double *answer) {
    double *mid = w->buf;
    idx *weight = w->pos2;
    size_t rows = 0;
    for (size_t i = 0; i < p->m; i++) {
        size_t width = w->hi[i] - w->lo[i];
        if (!width) continue;
        mid[rows] = elem(p, i, w->lo[i] + (width - 1) / 2);
        weight[rows++] = (idx)width;
    }
    double pivot = weighted_select(w, mid, weight, rows, (active + 1) / 2);
    size_t below, upto;
    count_two(p, w->lo, w->hi, pivot, pivot, w->pos1, w->pos2, &below, &upto);
    if (r < below) {
        swap_idx(&w->hi, &w->pos1); /* the answer is < pivot */
    } else if (r >= upto) {
        swap_idx(&w->lo, &w->pos2); /* the answer is > pivot */
    } else {
        *answer = pivot;
        return 1;
    }
    return 0;
}

enum {
    ROUND_INSIDE,
    ROUND_BELOW,
    ROUND_ABOVE,
    ROUND_SPLIT
};

/* A sampled round for the ranks r_lo..r_hi: s candidates, one from each of s equal slices
 * of the candidates in row order; their order statistics at the ranks' relative positions,
 * -+3 standard deviations, become bounds p1 <= p2 (*bound1, *bound2). ROUND_INSIDE:
 * every rank's element lies in [p1, p2] and the windows keep that; ROUND_BELOW: every one
 * is < p1, ROUND_ABOVE: > p2, and the windows keep that side; ROUND_SPLIT (only when
 * r_lo < r_hi): none of these, nothing changes. */
static int sampled_round(const ab_pairs *p, size_t r_lo, size_t r_hi, size_t below, size_t active,
                         size_t s, workspace *w, double *bound1, double *bound2) {
    double step = (double)active / (double)s;
    size_t t = 0, cum = 0, at = 0;
    int drawn = 0;
    for (size_t i = 0; i < p->m && t < s; i++) {
        size_t width = w->hi[i] - w->lo[i];
        for (;;) {
            if (!drawn) { /* sample t's position, somewhere in slice t */
                double u = (double)(next_random(w) >> 11) * 0x1p-53;
                double x = ((double)t + u) * step;
                at = x < (double)active ? (size_t)x : active - 1;
                if (at < cum) at = cum; /* rounding */
                drawn = 1;
            }
            if (at >= cum + width) break;
            w->buf[t++] = elem(p, i, w->lo[i] + (at - cum));
            drawn = 0;
            if (t >= s) break;
        }
        cum += width;
    }
    s = t;
    double f1 = ((double)(r_lo - below) + 0.5) / (double)active;
    double f2 = ((double)(r_hi - below) + 0.5) / (double)active;
    double lo_at = floor(f1 * (double)s - 3 * sqrt(f1 * (1 - f1) * (double)s) - 1);
    double hi_at = ceil(f2 * (double)s + 3 * sqrt(f2 * (1 - f2) * (double)s) + 1);
    int has1 = lo_at >= 0, has2 = hi_at < (double)s;
    /* no bound: -inf / +inf, i.e. the windows' own ends */
    double p1 = has1 ? ab_stats_kth(w->buf, s, (size_t)lo_at) : -INFINITY;
    double p2 = has2 ? ab_stats_kth(w->buf, s, (size_t)hi_at) : INFINITY;
    size_t below1, upto2;
    count_two(p, w->lo, w->hi, p1, p2, w->pos1, w->pos2, &below1, &upto2);
    *bound1 = p1;
    *bound2 = p2;
    if (has1 && r_hi < below1) {
        swap_idx(&w->hi, &w->pos1); /* every rank is < p1 */
        return ROUND_BELOW;
    }
    if (has2 && r_lo >= upto2) {
        swap_idx(&w->lo, &w->pos2); /* every rank is > p2 */
        return ROUND_ABOVE;
    }
    if (r_lo < below1 || r_hi >= upto2) return ROUND_SPLIT;
    swap_idx(&w->lo, &w->pos1); /* p1 <= every rank <= p2 */
    swap_idx(&w->hi, &w->pos2);
    return ROUND_INSIDE;
}

/* The windows' total width (active) and the elements left of them (below). */
static void window_sizes(const ab_pairs *p, const workspace *w, size_t *active, size_t *below) {
    size_t a = 0, b = 0;
    for (size_t i = 0; i < p->m; i++) {
        a += w->hi[i] - w->lo[i];
        b += w->lo[i] - row_start(p, i);
    }
    *active = a;
    *below = b;
}

static void full_windows(const ab_pairs *p, workspace *w) {
    for (size_t i = 0; i < p->m; i++) {
        w->lo[i] = (idx)row_start(p, i);
        w->hi[i] = (idx)p->n;
    }
}

static size_t sample_size(const workspace *w) {
    size_t s = w->cap / 8 > 1024 ? w->cap / 8 : 1024;
    return s < w->cap ? s : w->cap;
}

/* The r-th smallest element (0-based). */
static double select_rank(const ab_pairs *p, size_t r, workspace *w) {
    size_t active, below;
    if (w->have_start) /* the windows of the values in [start1, start2] */
        count_two(p, NULL, NULL, w->start1, w->start2, w->lo, w->hi, &below, &active);
    else full_windows(p, w);
    size_t last_active = SIZE_MAX;
    int sampled_last = 0;
    for (;;) {
        window_sizes(p, w, &active, &below);
        if (active <= w->cap) {
            size_t c = 0;
            for (size_t i = 0; i < p->m; i++)
                for (size_t j = w->lo[i]; j < w->hi[i]; j++) w->buf[c++] = elem(p, i, j);
            return ab_stats_kth(w->buf, c, r - below);
        }
        /* sample, unless the last sampled round removed less than a quarter */
        int sample = !(sampled_last && active > last_active / 4 * 3);
        last_active = active;
        sampled_last = sample;
        if (sample) {
            double p1, p2;
            sampled_round(p, r, r, below, active, sample_size(w), w, &p1, &p2);
        } else {
            double answer;
            if (deterministic_round(p, r, active, w, &answer)) return answer;
        }
    }
}

/* The (r+1)-th smallest, given v, the r-th: v again if more than r+1 elements are <= v,
 * else the smallest element above v (the first one after each row's boundary). */
static double select_next(const ab_pairs *p, size_t r, double v, workspace *w) {
    size_t below, upto;
    count_two(p, NULL, NULL, v, v, NULL, w->pos2, &below, &upto);
    if (upto > r + 1) return v;
    double best = 0;
    int found = 0;
    for (size_t i = 0; i < p->m; i++) {
        if (w->pos2[i] >= p->n) continue;
        double e = elem(p, i, w->pos2[i]);
        if (!found || e < best) {
            best = e;
            found = 1;
        }
    }
    return found ? best : v;
}

/* One sampled round for all the ranks at once: they lie close together (a median and the
 * bounds of its CI), so it usually brackets them all between two values (x < p is
 * x <= nextafter(p, -inf) for doubles), and each selection starts from the elements
 * between those (one staircase walk) instead of from the whole matrix. */
static void shared_round(const ab_pairs *p, const size_t *ranks, size_t nranks, workspace *w) {
    size_t r_lo = ranks[0], r_hi = ranks[0];
    for (size_t k = 1; k < nranks; k++) {
        if (ranks[k] < r_lo) r_lo = ranks[k];
        if (ranks[k] > r_hi) r_hi = ranks[k];
    }
    full_windows(p, w);
    size_t active, below;
    window_sizes(p, w, &active, &below);
    if (r_lo == r_hi || active <= w->cap) return;
    double p1, p2;
    switch (sampled_round(p, r_lo, r_hi, below, active, sample_size(w), w, &p1, &p2)) {
        case ROUND_INSIDE:
            w->start1 = p1;
            w->start2 = p2;
            break;
        case ROUND_BELOW:
            w->start1 = -INFINITY;
            w->start2 = nextafter(p1, -INFINITY);
            break;
        case ROUND_ABOVE:
            w->start1 = nextafter(p2, INFINITY);
            w->start2 = INFINITY;
            break;
        default: return;
    }
    w->have_start = 1;
}

int ab_pairs_select(const ab_pairs *p, const size_t *ranks, size_t nranks, double *out) {
    size_t m = p->m, n = p->n, N = ab_pairs_count(p);
    if (m > UINT32_MAX || n > UINT32_MAX || N == 0) return -1;
    for (size_t k = 0; k < nranks; k++)
        if (ranks[k] >= N) return -1;
    if (nranks == 0) return 0;
    workspace w = {0};
    w.cap = p->kind == AB_PAIRS_WALSH ? m : m + n; /* Walsh: n == m, and m suffices */
    w.rng = 0x9e3779b97f4a7c15ull;
    idx **arrays[] = {&w.lo, &w.hi, &w.pos1, &w.pos2};
    size_t narrays = sizeof arrays / sizeof arrays[0];
    int ok = (w.buf = malloc(w.cap * sizeof *w.buf)) != NULL;
    for (size_t a = 0; a < narrays; a++)
        ok = (*arrays[a] = malloc(m * sizeof **arrays[a])) != NULL && ok;
    if (ok) {
        shared_round(p, ranks, nranks, &w);
        for (size_t k = 0; k < nranks; k++) {
            if (k > 0 && ranks[k] == ranks[k - 1]) out[k] = out[k - 1];
            else if (k > 0 && ranks[k] == ranks[k - 1] + 1)
                out[k] = select_next(p, ranks[k - 1], out[k - 1], &w);
            else out[k] = select_rank(p, ranks[k], &w);
        }
    }
    for (size_t a = 0; a < narrays; a++) free(*arrays[a]);
    free(w.buf);
    return ok ? 0 : -1;
}

int ab_pairs_hl(const ab_pairs *p, size_t k, double *ratio, double *ci_low, double *ci_high) {
    size_t N = ab_pairs_count(p);
    if (!N) return -1;
    if (k > (N + 1) / 2) k = (N + 1) / 2;
    size_t ranks[4] = {k - 1, (N - 1) / 2, N / 2, N - k};
    double v[4];
    if (ab_pairs_select(p, ranks, 4, v) < 0) return -1;
    double hl = N % 2 == 0 ? ab_stats_lerp(v[1], v[2], 0.5) : v[1];
    if (ratio) *ratio = ab_stats_clamp_finite(exp(hl));
    if (ci_low) *ci_low = ab_stats_clamp_finite(exp(v[0]));
    if (ci_high) *ci_high = ab_stats_clamp_finite(exp(v[3]));
    return 0;
}
