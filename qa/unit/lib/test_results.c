/* test_results.c: lib/results.c over the journal fixtures (fixtures/NAME.jsonl: two
 * benchmarks x four variants, warm-ups, failures, corrupt lines, a SIGKILL and resume, an
 * incomplete last line), compared with what qa/gen-stats-vectors derived from the same
 * files with numpy/scipy (vectors/fixture-*.txt); then the state machine event by event.
 * Usage: test_results UNIT_DIR */
#include "analysis.h"
#include "journal.h"
#include "results.h"
#include "../tap.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TOL 1e-9

static int agree(double got, double want) {
    if (got == want) return 1;
    double s = fabs(want) > 1e-12 ? fabs(want) : 1e-12;
    return isfinite(got) && fabs(got - want) <= TOL * s;
}

static int summary_agrees(const ab_summary *s, const double w[8]) {
    return agree(s->median, w[0]) && agree(s->mean, w[1]) && agree(s->stddev, w[2]) &&
           agree(s->min, w[3]) && agree(s->max, w[4]) && agree(s->ci_low, w[5]) &&
           agree(s->ci_high, w[6]) && s->outliers == (size_t)w[7];
}

static const ab_summary *metric_summary(const ab_cell_stats *st, const char *m) {
    return !strcmp(m, "wall") ? &st->wall : !strcmp(m, "cpu") ? &st->cpu : &st->rss;
}

static const ab_ratio *metric_ratio(const ab_cell_stats *st, const char *m) {
    return !strcmp(m, "wall") ? &st->over_wall : !strcmp(m, "cpu") ? &st->over_cpu : &st->over_rss;
}

/* Compare a model with vectors/fixture-NAME.txt, one ok line per vector line. */
static void check_against_vectors(const ab_results *r, const char *dir, const char *name) {
    ab_analysis *an = ab_analysis_new(NULL);
    CHECK(an && ab_analysis_update(an, r) == 0, "%s: analysis of the suite", name);
    char path[4096];
    snprintf(path, sizeof path, "%s/vectors/fixture-%s.txt", dir, name);
    FILE *f = fopen(path, "r");
    if (!CHECK(f != NULL, "%s: open %s", name, path)) return;
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, f) > 0) {
        if (line[0] == '#') continue;
        line[strcspn(line, "\n")] = 0;
        char b[64], v[64], m[16], st[32], cb[64], cv[64];
        unsigned long done, total, failed, errors, bad, ncells;
        size_t n, fl, np;
        unsigned long long prof, samp;
        double w[8], nz[2];
        if (sscanf(line,
                   "suite %31s done %lu total %lu failed %lu errors %lu bad %lu cells %lu "
                   "current %63s %63s",
                   st, &done, &total, &failed, &errors, &bad, &ncells, cb, cv) == 9) {
            int cur = !strcmp(cb, "-") ? r->benchmark == NULL
                                       : r->benchmark && !strcmp(r->benchmark, cb) && r->variant &&
                                             !strcmp(r->variant, cv);
            CHECK(!strcmp(ab_state_name(r->state), st) && r->runs_done == done &&
                      r->runs_total == total && r->runs_failed == failed && r->errors == errors &&
                      r->bad_lines == bad && r->ncells == ncells && cur,
                  "%s: suite %s done %lu/%lu failed %lu errors %lu bad lines %lu cells %zu "
                  "current %s/%s (want %s)",
                  name, ab_state_name(r->state), r->runs_done, r->runs_total, r->runs_failed,
                  r->errors, r->bad_lines, r->ncells, r->benchmark ? r->benchmark : "-",
                  r->variant ? r->variant : "-", line);
        } else if (sscanf(line,
                          "cell %63s %63s n %zu failed %zu no_profiles %zu profiles %llu "
                          "samples %llu last_wall %lf",
                          b, v, &n, &fl, &np, &prof, &samp, &w[0]) == 8) {
            ab_cell *c = ab_results_find(r, b, v);
            CHECK(c && c->n == n && c->failed == fl && c->no_profiles == np &&
                      c->profiles == prof && c->samples == samp && c->last_wall == w[0] &&
                      c->is_baseline == !strcmp(v, "baseline"),
                  "%s: cell %s/%s n=%zu failed=%zu no_profiles=%zu profiles=%llu", name, b, v,
                  c ? c->n : 0, c ? c->failed : 0, c ? c->no_profiles : 0, c ? c->profiles : 0);
        } else if (sscanf(line, "stat %63s %63s %15s %lf %lf %lf %lf %lf %lf %lf %lf", b, v, m,
                          &w[0], &w[1], &w[2], &w[3], &w[4], &w[5], &w[6], &w[7]) == 11) {
            ab_cell *c = ab_results_find(r, b, v);
            ab_cell_stats cs = {0};
            if (c) cs = ab_analysis_cell(an, c)->st; /* the suite's analysis (family) */
            const ab_summary *s = metric_summary(&cs, m);
            CHECK(c && summary_agrees(s, w),
                  "%s: %s/%s %s median %.9g [%.9g, %.9g] sd %.6g "
                  "outliers %zu agrees with numpy/scipy",
                  name, b, v, m, s->median, s->ci_low, s->ci_high, s->stddev, s->outliers);
        } else if (sscanf(line, "over %63s %63s %15s %lf %lf %lf %lf %31s %lf %lf %lf", b, v, m,
                          &w[0], &w[1], &w[2], &w[3], st, &w[4], &w[5], &w[6]) == 11) {
            ab_cell *c = ab_results_find(r, b, v);
            ab_cell_stats cs = {0};
            if (c) cs = ab_analysis_cell(an, c)->st; /* the suite's analysis (family) */
            const ab_ratio *o = metric_ratio(&cs, m);
            CHECK(c && o->valid && agree(o->ratio, w[0]) && agree(o->ci_low, w[1]) &&
                      agree(o->ci_high, w[2]) && agree(o->p, w[3]) &&
                      !strcmp(ab_pairing_name(o->pairing), st) &&
                      agree(o->ci_level.coverage, w[4]) && o->ci_level.nominal == (int)w[5] &&
                      o->ci_level.need == (size_t)w[6],
                  "%s: %s/%s %s overhead %.6f [%.6f, %.6f] p=%.6g %s, coverage %.4f agrees with "
                  "scipy",
                  name, b, v, m, o->ratio, o->ci_low, o->ci_high, o->p, ab_pairing_name(o->pairing),
                  o->ci_level.coverage);
        } else if (sscanf(line, "verdict %63s %63s %lf %lf %31[a-z/_ ]", b, v, &w[0], &w[1], st) ==
                   5) {
            ab_cell *c = ab_results_find(r, b, v);
            const ab_cell_analysis *ca = ab_analysis_cell(an, c);
            char text[48], want[32];
            snprintf(want, sizeof want, "%s", st);
            for (char *q = want; *q; q++)
                if (*q == '_') *q = ' ';
            if (ca) ab_analysis_verdict_text(an, ca, AB_FIG_WALL, text, sizeof text);
            int same_word = ca && (!strcmp(text, want) || (!strcmp(want, "too few runs") &&
                                                           !strncmp(text, "too few runs", 12)));
            CHECK(ca && ca->in_family[AB_FIG_WALL] == (int)w[0] &&
                      (!ca->in_family[AB_FIG_WALL] || agree(ca->p_adjusted[AB_FIG_WALL], w[1])) &&
                      same_word,
                  "%s: %s/%s Holm p %.6g, verdict %s (want %s)", name, b, v,
                  ca ? ca->p_adjusted[AB_FIG_WALL] : -1, ca ? text : "-", want);
        } else if (sscanf(line, "noise %63s %63s %lf %lf %lf %lf %lf %lf %lf %lf %lf %lf", b, v,
                          &w[0], &w[1], &w[2], &w[3], &w[4], &w[5], &w[6], &w[7], &nz[0],
                          &nz[1]) == 12) {
            ab_cell *c = ab_results_find(r, b, v);
            ab_cell_stats cs = {0};
            if (c) cs = ab_analysis_cell(an, c)->st; /* the suite's analysis (family) */
            const ab_noise *q = &cs.noise;
            CHECK(c && agree(q->steal_median, w[0]) && agree(q->steal_max, w[1]) &&
                      q->migrations_n == (size_t)w[2] && agree(q->migrations_median, w[3]) &&
                      agree(q->migrations_max, w[4]) && agree(q->migrations_per_s, w[5]) &&
                      agree(q->cov, w[6]) && q->drift_valid == (int)w[7] &&
                      agree(q->drift_rho, nz[0]) && agree(q->drift_p, nz[1]),
                  "%s: %s/%s steal %.2f/%.2f%%, migrations %zu %.1f/%.1f, CoV %.4f, drift rho %.4f "
                  "p %.6g agree with numpy/scipy",
                  name, b, v, q->steal_median, q->steal_max, q->migrations_n, q->migrations_median,
                  q->migrations_max, q->cov, q->drift_rho, q->drift_p);
        } else if (sscanf(line, "over %63s %63s %15s none", b, v, m) == 3) {
            ab_cell *c = ab_results_find(r, b, v);
            ab_cell_stats cs = {0};
            if (c) cs = ab_analysis_cell(an, c)->st; /* the suite's analysis (family) */
            CHECK(c && !metric_ratio(&cs, m)->valid, "%s: %s/%s %s has no overhead", name, b, v, m);
        } else {
            CHECK(0, "%s: unreadable vector line: %s", name, line);
        }
    }
    free(line);
    fclose(f);
    ab_analysis_free(an);
}

static void fixtures(const char *dir) {
    const char *names[] = {"suite", "done"};
    for (size_t i = 0; i < 2; i++) {
        char path[4096], err[256] = "";
        snprintf(path, sizeof path, "%s/fixtures/%s.jsonl", dir, names[i]);
        ab_results *r = ab_results_load(path, err, sizeof err);
        if (!CHECK(r != NULL, "load fixture %s %s", names[i], err)) continue;
        check_against_vectors(r, dir, names[i]);
        CHECK(r->suite && !strcmp(r->suite, "20261123-110102-4f2a") && r->host &&
                  !strcmp(r->host, "bench1") && r->suite_start &&
                  !json_is_true(json_object_get(r->suite_start, "resumed")) && r->started > 1.7e9 &&
                  r->last_update > r->started,
              "%s: suite id, host, first suite_start kept", names[i]);
        CHECK(r->ncells == 8 && !strcmp(r->cells[0]->benchmark, "fib") &&
                  !strcmp(r->cells[0]->variant, "baseline") &&
                  !strcmp(r->cells[7]->benchmark, "alloc") && !strcmp(r->cells[7]->variant, "down"),
              "%s: cells in the planned order (benchmark-major)", names[i]);
        CHECK(r->nbaseline == 1 && !strcmp(r->baseline[0]->kind, "cpu") &&
                  !strcmp(r->baseline[0]->name, "triad_mb_s") && r->baseline[0]->value == 10234.5 &&
                  !strcmp(r->baseline[0]->unit, "MB/s"),
              "%s: host baseline figure", names[i]);
        int live = 0;
        for (size_t g = 0; g < r->ningesters; g++) live += r->ingesters[g]->live;
        if (i == 0) {
            CHECK(r->ningesters == 3 && live == 3 && !strcmp(r->ingesters[1]->name, "slow") &&
                      !strcmp(r->ingesters[1]->control, "http://127.0.0.1:40414"),
                  "suite: 3 ingesters live after the resume");
            CHECK(r->eta_s > 0 && ab_results_progress(r) == 100.0 * 39 / 40,
                  "suite: eta %.3f s, progress %.2f%%", r->eta_s, ab_results_progress(r));
        } else {
            CHECK(r->ningesters == 3 && live == 0, "done: ingesters stopped");
            CHECK(r->eta_s == 0 && ab_results_progress(r) == 100, "done: eta 0, progress 100");
        }
        ab_results_free(r);
    }
    /* a shuffled suite of 8 rounds, failures, a round twice: the paired analysis */
    char path[4096], err[256] = "";
    snprintf(path, sizeof path, "%s/fixtures/paired.jsonl", dir);
    ab_results *r = ab_results_load(path, err, sizeof err);
    if (CHECK(r != NULL, "load fixture paired %s", err)) check_against_vectors(r, dir, "paired");
    ab_results_free(r);
    CHECK(ab_results_load("/nonexistent/journal.jsonl", err, sizeof err) == NULL &&
              strstr(err, "cannot read journal"),
          "a missing journal: %s", err);
}

/* Grow a journal in odd-sized chunks while polling it: the model ends up as the bulk load. */
static void incremental(const char *dir) {
    char src[4096], tmpl[] = "/tmp/ab-test-results.XXXXXX";
    snprintf(src, sizeof src, "%s/fixtures/done.jsonl", dir);
    int fd = mkstemp(tmpl);
    FILE *in = fopen(src, "r");
    if (!CHECK(fd >= 0 && in, "copy fixture to %s", tmpl)) return;
    ab_results *r = ab_results_new();
    ab_journal_reader *rd = ab_journal_reader_new(tmpl);
    char buf[97];
    size_t got;
    int states_seen = 0;
    ab_state last = AB_STATE_IDLE;
    while ((got = fread(buf, 1, sizeof buf, in)) > 0) {
        if (write(fd, buf, got) != (ssize_t)got) break;
        if (ab_journal_reader_poll(rd, ab_results_add_cb, r) < 0) break;
        if (r->state != last) {
            states_seen |= 1 << r->state;
            last = r->state;
        }
    }
    fclose(in);
    close(fd);
    char err[256];
    ab_results *bulk = ab_results_load(src, err, sizeof err);
    int same = bulk && r->ncells == bulk->ncells && r->runs_done == bulk->runs_done &&
               r->runs_failed == bulk->runs_failed && r->state == bulk->state;
    for (size_t i = 0; same && i < r->ncells; i++) {
        same = r->cells[i]->n == bulk->cells[i]->n &&
               !memcmp(r->cells[i]->wall, bulk->cells[i]->wall, r->cells[i]->n * sizeof(double));
    }
    CHECK(same, "polling a growing journal builds the same model as loading it at once");
    CHECK(states_seen ==
              ((1 << AB_STATE_BUILDING) | (1 << AB_STATE_RUNNING) | (1 << AB_STATE_DONE)),
          "states went building -> running -> done (mask %#x)", states_seen);
    CHECK(ab_journal_reader_errors(rd) == 3, "3 bad lines counted while polling");
    ab_results_free(bulk);
    ab_results_free(r);
    ab_journal_reader_free(rd);
    unlink(tmpl);
}

static void feed(ab_results *r, const char *json) {
    json_error_t e;
    json_t *ev = json_loads(json, 0, &e);
    if (!ev) fprintf(stderr, "bad test json: %s: %s\n", json, e.text);
    ab_results_add(r, ev);
    json_decref(ev);
}

static void state_machine(void) {
    ab_results *r = ab_results_new();
    CHECK(r->state == AB_STATE_IDLE && !strcmp(ab_state_name(r->state), "idle") &&
              ab_results_progress(r) == 0,
          "a new model is idle, progress 0");
    feed(r, "{\"v\":1,\"type\":\"suite_start\",\"t\":10,\"suite\":\"s\",\"benchmarks\":[\"b\"],"
            "\"variants\":[\"baseline\",\"fast\"],\"total_runs\":4}");
    CHECK(r->state == AB_STATE_BUILDING && r->runs_total == 4 && r->ncells == 2 &&
              r->benchmark == NULL,
          "suite_start: building, 2 planned cells, total 4");
    feed(r, "{\"v\":1,\"type\":\"build\",\"t\":11,\"benchmark\":\"b\",\"status\":\"ok\"}");
    CHECK(r->state == AB_STATE_BUILDING, "build keeps building");
    feed(r, "{\"v\":1,\"type\":\"run_start\",\"t\":12,\"benchmark\":\"b\",\"variant\":\"fast\","
            "\"run\":0,\"warmup\":true,\"done\":0,\"total\":4}");
    CHECK(r->state == AB_STATE_RUNNING && r->benchmark && !strcmp(r->variant, "fast"),
          "run_start: running, current b/fast");
    feed(r, "{\"v\":1,\"type\":\"run_end\",\"t\":13,\"benchmark\":\"b\",\"variant\":\"fast\","
            "\"run\":0,\"warmup\":true,\"status\":\"ok\",\"wall_s\":9,\"profiles\":5,"
            "\"done\":0,\"total\":4}");
    ab_cell *fast = ab_results_find(r, "b", "fast");
    CHECK(fast && fast->n == 0 && fast->profiles == 0, "warm-up runs count nowhere");
    feed(r, "{\"v\":1,\"type\":\"run_end\",\"t\":14,\"benchmark\":\"b\",\"variant\":\"fast\","
            "\"run\":1,\"warmup\":false,\"status\":\"ok\",\"wall_s\":1.5,\"user_s\":1,"
            "\"sys_s\":0.25,\"maxrss_kb\":1000,\"profiles\":2,\"samples\":50,\"done\":1,"
            "\"total\":4,\"eta_s\":4.5}");
    double cpu[1];
    ab_cell_values(fast, AB_FIG_CPU, cpu);
    CHECK(fast->n == 1 && cpu[0] == 1.25 && fast->rss_kb[0] == 1000 && fast->profiles == 2 &&
              r->runs_done == 1 && r->eta_s == 4.5 && ab_results_progress(r) == 25,
          "an ok run: cpu = user + sys, done 1/4, eta, progress 25%%");
    feed(r, "{\"v\":1,\"type\":\"run_end\",\"t\":15,\"benchmark\":\"b\",\"variant\":\"fast\","
            "\"run\":2,\"warmup\":false,\"status\":\"ok\",\"done\":2,\"total\":4}");
    CHECK(fast->n == 1 && fast->failed == 1 && r->runs_failed == 1,
          "an ok run without wall_s counts as failed");
    feed(r, "{\"v\":1,\"type\":\"run_end\",\"t\":16,\"benchmark\":\"b\",\"variant\":\"fast\","
            "\"run\":3,\"status\":\"no_profiles\",\"wall_s\":1,\"done\":3,\"total\":4}");
    CHECK(fast->failed == 2 && fast->no_profiles == 1, "no_profiles is a failed run, flagged");
    feed(r, "{\"v\":1,\"type\":\"run_end\",\"t\":17,\"benchmark\":\"new\",\"variant\":\"x\","
            "\"run\":1,\"status\":\"ok\",\"wall_s\":2}");
    CHECK(r->ncells == 3 && ab_results_find(r, "new", "x")->n == 1,
          "a cell not planned is added on first appearance");
    ab_cell_stats cs;
    ab_results_cell_stats(r, fast, &cs);
    CHECK(!cs.over_wall.valid && cs.wall.n == 1, "no overhead without baseline runs");
    feed(r, "{\"v\":1,\"type\":\"ingester_start\",\"t\":18,\"name\":\"fast\",\"mode\":\"fast\","
            "\"url\":\"http://127.0.0.1:1\",\"control\":\"http://127.0.0.1:2\"}");
    CHECK(r->ningesters == 1 && r->ingesters[0]->live, "ingester_start: live");
    feed(r, "{\"v\":1,\"type\":\"ingester_stop\",\"t\":19,\"name\":\"fast\"}");
    CHECK(r->ningesters == 1 && !r->ingesters[0]->live &&
              !strcmp(r->ingesters[0]->url, "http://127.0.0.1:1"),
          "ingester_stop: stopped, kept");
    feed(r, "{\"v\":1,\"type\":\"baseline\",\"t\":20,\"kind\":\"disk\",\"name\":\"iops\","
            "\"value\":5}");
    feed(r, "{\"v\":1,\"type\":\"baseline\",\"t\":21,\"kind\":\"disk\",\"name\":\"iops\","
            "\"value\":7,\"unit\":\"1/s\"}");
    CHECK(r->nbaseline == 1 && r->baseline[0]->value == 7 && !strcmp(r->baseline[0]->unit, "1/s"),
          "a repeated baseline figure is updated, not duplicated");
    feed(r, "{\"v\":1,\"type\":\"error\",\"t\":22,\"message\":\"x\"}");
    feed(r, "{\"v\":1,\"type\":\"something_new\",\"t\":23}");
    feed(r, "{\"v\":1,\"type\":\"run_end\",\"t\":24}");
    feed(r, "{\"v\":1,\"t\":30}");
    ab_results_add(r, NULL);
    CHECK(r->errors == 1 && r->ncells == 3 && r->last_update == 24,
          "error counted; unknown types and incomplete events ignored");
    feed(r, "{\"v\":1,\"type\":\"suite_end\",\"t\":25,\"status\":\"interrupted\",\"done\":3,"
            "\"total\":4}");
    CHECK(r->state == AB_STATE_INTERRUPTED && r->eta_s == 0 && ab_results_progress(r) == 75,
          "suite_end interrupted: state, eta 0, progress 75%%");
    feed(r, "{\"v\":1,\"type\":\"ingester_start\",\"t\":26,\"name\":\"fast\"}");
    feed(r, "{\"v\":1,\"type\":\"suite_start\",\"t\":27,\"suite\":\"s\",\"resumed\":true,"
            "\"benchmarks\":[\"b\"],\"variants\":[\"baseline\",\"fast\"],\"total_runs\":4}");
    CHECK(r->state == AB_STATE_BUILDING && fast->n == 1 && fast->failed == 2 && r->started == 10 &&
              !r->ingesters[0]->live,
          "a resumed suite_start keeps the runs, marks ingesters gone");
    feed(r, "{\"v\":1,\"type\":\"suite_end\",\"t\":28,\"status\":\"failed\"}");
    CHECK(r->state == AB_STATE_FAILED && !strcmp(ab_state_name(r->state), "failed"),
          "suite_end failed");
    feed(r, "{\"v\":1,\"type\":\"suite_end\",\"t\":29,\"status\":\"done\"}");
    CHECK(r->state == AB_STATE_DONE && ab_results_progress(r) == 100, "suite_end done: 100%%");
    CHECK(!strcmp(ab_state_name((ab_state)42), "unknown"), "ab_state_name of a bad value");
    ab_results_free(r);
}

/* Overheads come out right on a constructed cell: profiled runs exactly 10% slower. */
static void overhead(void) {
    ab_results *r = ab_results_new();
    char ev[512];
    const double base[] = {1.00, 1.02, 0.99, 1.01, 1.03, 0.98, 1.00, 1.02};
    for (int i = 0; i < 8; i++) {
        for (int prof = 0; prof < 2; prof++) {
            double w = base[i] * (prof ? 1.1 : 1.0);
            snprintf(ev, sizeof ev,
                     "{\"v\":1,\"type\":\"run_end\",\"t\":%d,\"benchmark\":\"b\","
                     "\"variant\":\"%s\",\"run\":%d,\"status\":\"ok\",\"wall_s\":%.17g,"
                     "\"user_s\":%.17g,\"sys_s\":0,\"maxrss_kb\":%d}",
                     i, prof ? "fast" : "baseline", i + 1, w, w, 1000 + (prof ? 100 : 0));
            feed(r, ev);
        }
    }
    ab_cell_stats cs;
    ab_results_cell_stats(r, ab_results_find(r, "b", "fast"), &cs);
    CHECK(cs.over_wall.valid && fabs(cs.over_wall.ratio - 1.1) < 1e-12 &&
              cs.over_wall.ci_low < 1.1 && cs.over_wall.ci_high > 1.1 && cs.over_wall.p < 0.05,
          "wall overhead of a 10%% slower variant: %.6f [%.6f, %.6f] p=%.4g", cs.over_wall.ratio,
          cs.over_wall.ci_low, cs.over_wall.ci_high, cs.over_wall.p);
    CHECK(cs.over_rss.valid && fabs(cs.over_rss.ratio - 1.1) < 1e-12 &&
              cs.over_rss.ci_low == cs.over_rss.ratio && cs.over_rss.p < 0.001,
          "rss overhead of constant samples: exactly 1.1, p %.3g", cs.over_rss.p);
    ab_results_cell_stats(r, ab_results_find(r, "b", "baseline"), &cs);
    CHECK(!cs.over_wall.valid && cs.wall.n == 8, "the baseline has no overhead of its own");
    ab_results_free(r);
}

/* v2: a service's figures, each with its own n; the overhead of each exactly as the wall
 * time's; exit delays of blocked runs make a censored median; v1 runs have none. */
static void figures(void) {
    ab_results *r = ab_results_new();
    char ev[768];
    for (int i = 0; i < 8; i++) {
        for (int prof = 0; prof < 2; prof++) {
            double k = 1 + i * 0.01, thr = 1000 * k * (prof ? 0.9 : 1),
                   p99 = 0.002 * k * (prof ? 1.5 : 1);
            int blocked = prof && i < 5;
            snprintf(ev, sizeof ev,
                     "{\"v\":2,\"type\":\"run_end\",\"t\":%d,\"benchmark\":\"s\","
                     "\"variant\":\"%s\",\"run\":%d,\"status\":\"ok\",\"wall_s\":5,\"user_s\":4,"
                     "\"sys_s\":0,\"maxrss_kb\":1000,\"kind\":\"service\",\"throughput_rps\":%.17g,"
                     "\"latency_p99_s\":%.17g,\"rate_rps\":600,\"exit_delay_s\":%g,"
                     "\"exit_blocked\":%s%s}",
                     i, prof ? "hang" : "baseline", i + 1, thr, p99,
                     blocked ? 2.0 + i * 0.001 : 0.001 * k, blocked ? "true" : "false",
                     i == 7 ? ",\"cpu_per_request_s\":0.0001" : "");
            feed(r, ev);
        }
    }
    feed(r, "{\"v\":1,\"type\":\"run_end\",\"t\":9,\"benchmark\":\"b\",\"variant\":\"baseline\","
            "\"run\":1,\"status\":\"ok\",\"wall_s\":1}");
    ab_cell *c = ab_results_find(r, "s", "hang"), *b = ab_results_find(r, "b", "baseline");
    CHECK(c && c->is_service && c->rate_rps == 600 && c->v2[AB_V2_THROUGHPUT].n == 8 &&
              c->v2[AB_V2_CPU_PER_REQUEST].n == 1 && c->v2[AB_V2_LATENCY_P50].n == 0 &&
              c->exit_blocked == 5 && fabs(c->blocked_min - 2.0) < 1e-12,
          "a service cell: its figures, each with its own n; 5 blocked exits");
    CHECK(b && !b->is_service && b->v2[AB_V2_EXIT_DELAY].n == 0, "a v1 run has no v2 figure");
    ab_cell_stats cs;
    ab_results_cell_stats(r, c, &cs);
    const ab_ratio *t = &cs.over_v2[AB_V2_THROUGHPUT], *l = &cs.over_v2[AB_V2_LATENCY_P99];
    CHECK(t->valid && fabs(t->ratio - 0.9) < 1e-12 && t->ci_high < 1 && t->p < 0.05 && l->valid &&
              fabs(l->ratio - 1.5) < 1e-12 && l->ci_low > 1,
          "overheads: throughput x%.4f, p99 x%.4f", t->ratio, l->ratio);
    CHECK(!cs.over_v2[AB_V2_CPU_PER_REQUEST].valid && cs.v2[AB_V2_CPU_PER_REQUEST].n == 1,
          "one value: a summary, no overhead");
    CHECK(ab_v2fig_censored(c, &cs.v2[AB_V2_EXIT_DELAY], AB_V2_EXIT_DELAY) &&
              cs.v2[AB_V2_EXIT_DELAY].median >= 2.0,
          "the exit delay's median is a lower bound (%.4f)", cs.v2[AB_V2_EXIT_DELAY].median);
    ab_results_cell_stats(r, ab_results_find(r, "s", "baseline"), &cs);
    CHECK(!ab_v2fig_censored(ab_results_find(r, "s", "baseline"), &cs.v2[AB_V2_EXIT_DELAY],
                             AB_V2_EXIT_DELAY) &&
              !strcmp(ab_v2fig_name(AB_V2_LATENCY_P99), "latency_p99_s"),
          "the baseline's is not; figure names are the run_end fields");
    ab_results_free(r);
}

/* Profile accuracy: verified runs' errors, bounds and shares; unverified runs counted
 * with their reason, never in the error; lost samples summed over every measured run. */
static void profile(void) {
    ab_results *r = ab_results_new();
    char ev[1024];
    const double errs[] = {4, 2, 6, 3, 5};
    for (int i = 0; i < 5; i++) {
        snprintf(ev, sizeof ev,
                 "{\"v\":1,\"type\":\"run_end\",\"t\":%d,\"benchmark\":\"m\","
                 "\"variant\":\"fast\",\"run\":%d,\"status\":\"ok\",\"wall_s\":1,"
                 "\"profile_status\":\"verified\",\"profile_error_pct\":%g,"
                 "\"profile_bound_pct\":%g,\"profile_samples\":400,"
                 "\"profile_shares\":{\"a\":{\"truth\":60,\"share\":%g},"
                 "\"(other)\":{\"truth\":40,\"share\":%g}},"
                 "\"agent_samples\":400,\"samples_lost\":%d,\"decode_errors\":0}",
                 i, i + 1, errs[i], 10.0 + i, 60 - errs[i], 40 + errs[i], i == 2 ? 100 : 0);
        feed(r, ev);
    }
    feed(r, "{\"v\":1,\"type\":\"run_end\",\"t\":9,\"benchmark\":\"m\",\"variant\":\"fast\","
            "\"run\":6,\"status\":\"ok\",\"wall_s\":1,\"profile_status\":"
            "\"unverified: the ingester could not decode 1 upload\",\"profile_error_pct\":1,"
            "\"agent_samples\":400,\"samples_lost\":30,\"decode_errors\":1}");
    feed(r, "{\"v\":1,\"type\":\"run_end\",\"t\":10,\"benchmark\":\"m\",\"variant\":\"fast\","
            "\"run\":7,\"status\":\"crashed\",\"agent_samples\":10,\"samples_lost\":10}");
    feed(r, "{\"v\":1,\"type\":\"run_end\",\"t\":11,\"benchmark\":\"m\",\"variant\":\"fast\","
            "\"run\":8,\"status\":\"ok\",\"wall_s\":1}");
    ab_cell *c = ab_results_find(r, "m", "fast");
    const ab_cell_profile *p = &c->profile;
    CHECK(c->n == 7 && p->n == 7 && p->verified == 5 && p->unverified == 1 &&
              !strcmp(p->unverified_why, "unverified: the ingester could not decode 1 upload"),
          "5 verified runs, 1 unverified with its reason, series aligned with the 7 ok runs");
    CHECK(isnan(p->error[5]) && isnan(p->error[6]) && p->error[0] == 4,
          "the unverified run's error is never counted");
    CHECK(p->lost_runs == 7 && p->agent_samples == 2410 && p->samples_lost == 140 &&
              p->decode_errors == 1,
          "lost samples and decode errors summed over measured runs");
    ab_profile_stats ps;
    ab_results_profile_stats(c, &ps);
    CHECK(ps.error.n == 5 && ps.error.median == 4 && ps.error.min == 2 && ps.bound == 12 &&
              ps.nfn == 2 && !strcmp(p->fn[0], "a") && p->truth[0] == 60 && ps.share[0] == 56 &&
              ps.share[1] == 44,
          "median error 4, median bound 12, median shares 56/44");
    feed(r, "{\"v\":1,\"type\":\"run_end\",\"t\":12,\"benchmark\":\"q\",\"variant\":\"fast\","
            "\"run\":1,\"status\":\"ok\",\"wall_s\":1}");
    ab_results_profile_stats(ab_results_find(r, "q", "fast"), &ps);
    CHECK(ps.error.n == 0 && ps.nfn == 0 && ps.bound == 0, "a cell without a truth has no figures");
    ab_results_free(r);
}

/* A suite of 100k ok runs (50k a variant) still has every overhead: Hodges-Lehmann over
 * 2.5e9 pairs without materialising them (the O(n1 n2) code needed 20 GB and gave none).
 * Also the small-n flag: 2 runs a variant give a CI of real coverage 2/3. */
static void overhead_at_scale(void) {
    ab_results *r = ab_results_new();
    char ev[512];
    unsigned long long seed = 7;
    const int runs = 50000;
    for (int i = 1; i <= runs; i++) {
        for (int prof = 0; prof < 2; prof++) {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            double noise = 1 + 0.02 * ((double)(seed >> 11) * 0x1p-53 - 0.5);
            double w = noise * (prof ? 1.03 : 1.0);
            snprintf(ev, sizeof ev,
                     "{\"v\":1,\"type\":\"run_end\",\"benchmark\":\"b\","
                     "\"variant\":\"%s\",\"run\":%d,\"status\":\"ok\",\"wall_s\":%.17g,"
                     "\"user_s\":%.17g,\"sys_s\":0.01,\"maxrss_kb\":%d}",
                     prof ? "fast" : "baseline", i, w, 0.9 * w, 20480 + (int)(seed % 64));
            feed(r, ev);
        }
    }
    ab_cell_stats cs;
    ab_results_cell_stats(r, ab_results_find(r, "b", "fast"), &cs);
    CHECK(cs.wall.n == (size_t)runs && cs.over_wall.valid && cs.over_cpu.valid &&
              cs.over_rss.valid && fabs(cs.over_wall.ratio - 1.03) < 0.001 &&
              cs.over_wall.ci_low < cs.over_wall.ratio &&
              cs.over_wall.ratio < cs.over_wall.ci_high && cs.over_wall.ci_level.nominal,
          "100k runs: wall overhead %.5f [%.5f, %.5f], cpu and rss present", cs.over_wall.ratio,
          cs.over_wall.ci_low, cs.over_wall.ci_high);
    ab_results_free(r);

    r = ab_results_new();
    for (int i = 1; i <= 2; i++)
        for (int prof = 0; prof < 2; prof++) {
            snprintf(ev, sizeof ev,
                     "{\"v\":1,\"type\":\"run_end\",\"benchmark\":\"b\","
                     "\"variant\":\"%s\",\"run\":%d,\"status\":\"ok\",\"wall_s\":%g}",
                     prof ? "fast" : "baseline", i, 1 + 0.1 * i + 0.5 * prof);
            feed(r, ev);
        }
    ab_results_cell_stats(r, ab_results_find(r, "b", "fast"), &cs);
    CHECK(cs.over_wall.valid && !cs.over_wall.ci_level.nominal && cs.over_wall.ci_level.need == 4 &&
              fabs(cs.over_wall.ci_level.coverage - 2.0 / 3) < 1e-12 && !cs.wall.ci_level.nominal &&
              cs.wall.ci_level.coverage == 0.5,
          "2 runs a variant: overhead CI covers 67%%, need 4; median CI 50%%");
    ab_results_free(r);
}

int main(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : ".";
    profile();
    fixtures(dir);
    incremental(dir);
    state_machine();
    overhead();
    figures();
    overhead_at_scale();
    return TAP_DONE();
}
