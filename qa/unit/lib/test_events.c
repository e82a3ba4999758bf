/* test_events.c: lib/events.c, the typed journal events: each builder writes the head
 * first and its fields in the listed order with their JSON types; optional, null and
 * absent fields; every reader gets back what its builder wrote, and nothing from fields of
 * the wrong type; a summary's merged figures; the time the results model keeps is the
 * time in the file; and doc/journal.md names every field of every type.
 * Usage: test_events [UNIT_DIR] */
#include "events.h"
#include "journal.h"
#include "results.h"
#include "../tap.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The keys of ev in their order, joined by ',' */
static const char *keys_of(json_t *ev) {
    static char buf[2048];
    size_t n = 0;
    const char *k;
    json_t *v;
    buf[0] = 0;
    json_object_foreach(ev, k, v) {
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s", n ? "," : "", k);
        if (n >= sizeof buf) break;
    }
    return buf;
}

static void run_end_round_trip(void) {
    ab_ev_run_end e = {.benchmark = "fib",
                       .variant = "fast",
                       .run = 3,
                       .seq = 17,
                       .warmup = 0,
                       .status = "ok",
                       .exit_code = 0,
                       .signal = 0,
                       .wall_s = 1.25,
                       .user_s = 1.0,
                       .sys_s = 0.125,
                       .maxrss_kb = 2048,
                       .nvcsw = 1,
                       .nivcsw = 2,
                       .minflt = 300,
                       .majflt = 4,
                       .profiles = 2,
                       .samples = 250,
                       .done = 9,
                       .total = 40,
                       .eta_s = 12.5,
                       .steal_pct = 0.5,
                       .checksum = "832040"};
    json_t *ev = ab_ev_run_end_json(&e);
    CHECK(ev != NULL, "build a run_end");
    CHECK(!strcmp(keys_of(ev), "v,type,t,benchmark,variant,run,seq,warmup,status,exit_code,"
                               "signal,wall_s,user_s,sys_s,maxrss_kb,nvcsw,nivcsw,minflt,majflt,"
                               "profiles,samples,done,total,eta_s,steal_pct,checksum"),
          "head first, then the fields in their order, requests left out: %s", keys_of(ev));
    CHECK(json_integer_value(json_object_get(ev, "v")) == AB_JOURNAL_VERSION &&
              !strcmp(ab_event_type(ev), "run_end") && ab_event_id_of(ev) == AB_EV_RUN_END &&
              ab_event_time(ev) > 1.6e9,
          "v 1, type run_end, t now (%.3f)", ab_event_time(ev));
    CHECK(json_is_integer(json_object_get(ev, "maxrss_kb")) &&
              json_is_real(json_object_get(ev, "wall_s")) &&
              json_is_false(json_object_get(ev, "warmup")) &&
              json_is_string(json_object_get(ev, "checksum")),
          "integers, reals, booleans and strings have their JSON types");

    ab_ev_run_end back;
    ab_ev_run_end_read(ev, &back);
    CHECK(!strcmp(back.benchmark, "fib") && !strcmp(back.variant, "fast") && back.run == 3 &&
              back.seq == 17 && !back.warmup && !strcmp(back.status, "ok") && back.wall_s == 1.25 &&
              back.user_s == 1.0 && back.sys_s == 0.125 && back.maxrss_kb == 2048 &&
              back.minflt == 300 && back.profiles == 2 && back.samples == 250 && back.done == 9 &&
              back.total == 40 && back.eta_s == 12.5 && back.steal_pct == 0.5 &&
              !strcmp(back.checksum, "832040"),
          "the reader gets back every field");
    CHECK(back.has.wall_s && back.has.done && back.has.checksum && !back.has.requests,
          "has: the fields present, not requests");
    json_decref(ev);

    e.checksum = NULL;
    e.requests = 7;
    e.has.requests = 1;
    ev = ab_ev_run_end_json(&e);
    CHECK(json_is_null(json_object_get(ev, "checksum")), "no checksum: written as null");
    CHECK(json_integer_value(json_object_get(ev, "requests")) == 7 &&
              !strcmp(strrchr(keys_of(ev), ',') + 1, "requests"),
          "an optional field is written, last, when has is set");
    ab_ev_run_end_read(ev, &back);
    CHECK(back.checksum == NULL && !back.has.checksum && back.has.requests && back.requests == 7,
          "null reads as absent; the optional field reads back");
    json_decref(ev);
}

static void wrong_types(void) {
    json_t *ev = json_loads("{\"v\":1,\"type\":\"run_end\",\"t\":5,\"benchmark\":3,"
                            "\"variant\":\"x\",\"wall_s\":\"fast\",\"done\":-4,\"total\":7.9,"
                            "\"warmup\":1,\"maxrss_kb\":1e300}",
                            0, NULL);
    ab_ev_run_end e;
    ab_ev_run_end_read(ev, &e);
    CHECK(!e.benchmark && !e.has.benchmark && !strcmp(e.variant, "x"),
          "a number where a string goes reads as absent");
    CHECK(!e.has.wall_s && e.wall_s == 0, "a string where a number goes reads as absent");
    CHECK(e.has.done && e.done == -4 && e.has.total && e.total == 7,
          "integers: negative kept, a real truncated (%lld)", (long long)e.total);
    CHECK(e.has.warmup && e.warmup == 1, "a number reads as a boolean (non-zero: true)");
    CHECK(e.has.maxrss_kb && e.maxrss_kb > 9e18, "a huge number is clamped, not undefined");
    CHECK(ab_event_time(ev) == 5, "t read back");
    json_decref(ev);

    ev = json_loads("{\"type\":\"what\"}", 0, NULL);
    CHECK(ab_event_id_of(ev) == AB_EV_UNKNOWN && ab_event_time(ev) == 0,
          "an unknown type; no t reads 0");
    ab_ev_run_end_read(NULL, &e);
    CHECK(!e.benchmark && !e.has.status, "reading NULL gives an empty struct");
    json_decref(ev);
}

static void other_types(void) {
    json_t *names = json_pack("[s,s]", "fib", "alloc"), *vars = json_pack("[s]", "baseline");
    json_t *argv = json_pack("[s]", "run");
    ab_ev_suite_start ss = {.suite = "s1",
                            .host = "h",
                            .seed = 42,
                            .order = "blocked",
                            .benchmarks = names,
                            .variants = vars,
                            .argv = argv,
                            .kind = "baseline"};
    json_t *ev = ab_ev_suite_start_json(&ss);
    json_decref(names);
    json_decref(vars);
    json_decref(argv);
    CHECK(!strcmp(keys_of(ev), "v,type,t,suite,host,seed,order,benchmarks,variants,warmup,runs,"
                               "min_runs,max_runs,target_ci,total_runs,slow_delay,timeout,argv,"
                               "kind"),
          "suite_start without the run's fields: %s", keys_of(ev));
    ab_ev_suite_start s2;
    ab_ev_suite_start_read(ev, &s2);
    CHECK(json_array_size(s2.benchmarks) == 2 && s2.seed == 42 && !s2.has.resumed &&
              !strcmp(s2.kind, "baseline") && s2.has.target_ci && s2.target_ci == 0,
          "suite_start read back (arrays borrowed from the event)");
    json_decref(ev);

    ab_ev_ingester g = {
        .name = "fast", .mode = "fast", .url = "http://a", .control = "http://b", .pid = 12};
    json_t *a = ab_ev_ingester_start_json(&g), *b = ab_ev_ingester_stop_json(&g);
    CHECK(ab_event_id_of(a) == AB_EV_INGESTER_START && ab_event_id_of(b) == AB_EV_INGESTER_STOP &&
              !strcmp(keys_of(b), "v,type,t,name,mode,url,control,pid"),
          "ingester_start and ingester_stop share their fields");
    json_decref(a);
    json_decref(b);

    json_t *figures = json_pack("{s:s,s:i,s:{s:f}}", "benchmark", "other", "n", 5, "wall", "median",
                                1.5);
    ab_ev_summary sm = {.benchmark = "fib", .variant = "fast", .figures = figures};
    ev = ab_ev_summary_json(&sm);
    json_decref(figures);
    CHECK(!strcmp(keys_of(ev), "v,type,t,benchmark,variant,n,wall") &&
              !strcmp(json_string_value(json_object_get(ev, "benchmark")), "fib"),
          "summary: figures merged after the typed fields, which win: %s", keys_of(ev));
    ab_ev_summary sm2;
    ab_ev_summary_read(ev, &sm2);
    CHECK(sm2.figures == ev && !strcmp(sm2.benchmark, "fib"), "summary read: figures is the event");
    json_decref(ev);

    ab_ev_error er = {.message = "no", .variant = "slow"};
    ev = ab_ev_error_json(&er);
    CHECK(!strcmp(keys_of(ev), "v,type,t,message,variant"), "error: absent strings left out");
    json_decref(ev);

    ab_ev_suite_end se = {.status = "done", .done = 4, .total = 4, .seconds = 1.0 / 0.0};
    ev = ab_ev_suite_end_json(&se);
    CHECK(ev && !json_object_get(ev, "seconds") && json_is_integer(json_object_get(ev, "done")),
          "a non-finite number is left out, not the event");
    json_decref(ev);
}

/* The results model keeps the very event the journal got, so the same "t". */
static void one_time(void) {
    char path[] = "/tmp/ab-test-events.XXXXXX";
    int fd = mkstemp(path);
    if (fd >= 0) close(fd);
    char err[256];
    ab_journal *j = ab_journal_open(path, err, sizeof err);
    ab_results *r = ab_results_new();
    ab_ev_suite_end se = {.status = "done"};
    json_t *ev = ab_ev_suite_end_json(&se);
    CHECK(j && ab_journal_put(j, ev, 1) == 0, "put a built event %s", j ? "" : err);
    ab_results_add(r, ev);
    double in_memory = r->last_update;
    json_decref(ev);
    json_t *bad = json_pack("{s:s}", "type", "x");
    CHECK(ab_journal_put(j, bad, 1) < 0, "an event without its head is refused");
    json_decref(bad);
    ab_journal_close(j);
    ab_results *back = ab_results_load(path, err, sizeof err);
    CHECK(back && back->last_update == in_memory && in_memory > 0,
          "the model's time is the file's time (%.6f, %.6f)", in_memory,
          back ? back->last_update : 0);
    ab_results_free(back);
    ab_results_free(r);
    unlink(path);
}

/* Every field of every type is documented, as `name`, in doc/journal.md. */
static void documented(const char *unit_dir) {
    char path[4096];
    snprintf(path, sizeof path, "%s/../../../doc/journal.md", unit_dir);
    FILE *f = fopen(path, "r");
    if (!CHECK(f != NULL, "open %s", path)) return;
    static char doc[1 << 17];
    size_t n = fread(doc, 1, sizeof doc - 1, f);
    doc[n] = 0;
    fclose(f);
    size_t ntypes;
    const ab_event_schema *s = ab_event_schemas(&ntypes);
    int missing = 0;
    for (size_t i = 0; i < ntypes; i++) {
        char want[128];
        snprintf(want, sizeof want, "`%s`", s[i].type);
        if (!strstr(doc, want)) {
            printf("# type %s undocumented\n", s[i].type);
            missing++;
        }
        for (size_t k = 0; k < s[i].nfields; k++) {
            if (s[i].fields[k].kind == AB_KIND_MERGE) continue;
            snprintf(want, sizeof want, "`%s`", s[i].fields[k].name);
            if (!strstr(doc, want)) {
                printf("# %s.%s undocumented\n", s[i].type, s[i].fields[k].name);
                missing++;
            }
        }
    }
    CHECK(ntypes == AB_EV_NTYPES - 1 && missing == 0,
          "doc/journal.md names all %zu types and their fields (%d missing)", ntypes, missing);
}

/* An event of a type the fast reader takes, written again by its builder (without the
 * head, whose "t" is now): two events give the same text iff every field is the same. */
static char *fields_text(ab_event_id id, const void *e) {
    json_t *ev = NULL;
    switch (id) {
        case AB_EV_RUN_START: ev = ab_ev_run_start_json(e); break;
        case AB_EV_RUN_END: ev = ab_ev_run_end_json(e); break;
        case AB_EV_BUILD: ev = ab_ev_build_json(e); break;
        case AB_EV_INGESTER_START: ev = ab_ev_ingester_start_json(e); break;
        case AB_EV_INGESTER_STOP: ev = ab_ev_ingester_stop_json(e); break;
        case AB_EV_ERROR: ev = ab_ev_error_json(e); break;
        case AB_EV_SUITE_END: ev = ab_ev_suite_end_json(e); break;
        case AB_EV_FLAMEGRAPH: ev = ab_ev_flamegraph_json(e); break;
        default: return NULL;
    }
    if (!ev) return NULL;
    json_object_del(ev, "t");
    char *text = json_dumps(ev, JSON_COMPACT | JSON_REAL_PRECISION(17));
    json_decref(ev);
    return text;
}

/* The same event read through jansson and ab_ev_TYPE_read. */
static char *json_path_text(json_t *ev, ab_event_id id) {
    ab_event_scanned j;
    memset(&j, 0, sizeof j);
    switch (id) {
        case AB_EV_RUN_START: ab_ev_run_start_read(ev, &j.e.run_start); break;
        case AB_EV_RUN_END: ab_ev_run_end_read(ev, &j.e.run_end); break;
        case AB_EV_BUILD: ab_ev_build_read(ev, &j.e.build); break;
        case AB_EV_INGESTER_START: ab_ev_ingester_start_read(ev, &j.e.ingester); break;
        case AB_EV_INGESTER_STOP: ab_ev_ingester_stop_read(ev, &j.e.ingester); break;
        case AB_EV_ERROR: ab_ev_error_read(ev, &j.e.error); break;
        case AB_EV_SUITE_END: ab_ev_suite_end_read(ev, &j.e.suite_end); break;
        case AB_EV_FLAMEGRAPH: ab_ev_flamegraph_read(ev, &j.e.flamegraph); break;
        default: return NULL;
    }
    return fields_text(id, &j.e);
}

/* One line both ways. Returns 1 when the fast reader took it, 0 when it left it to
 * jansson, -1 when it took a line jansson reads otherwise (a failure). */
static int both_ways(const char *line, size_t len) {
    char *scratch = malloc(len + 1);
    ab_event_scanned sc;
    int took = ab_event_scan(line, len, scratch, &sc);
    json_error_t err;
    json_t *ev = json_loadb(line, len, 0, &err);
    int rc = 0;
    if (took) {
        json_t *v = json_object_get(ev, "v");
        char *a = fields_text(sc.id, &sc.e);
        char *b = json_is_object(ev) && json_is_integer(v) && json_integer_value(v) == 1 &&
                          ab_event_id_of(ev) == sc.id
                      ? json_path_text(ev, sc.id)
                      : NULL;
        rc = a && b && !strcmp(a, b) && sc.t == ab_event_time(ev) ? 1 : -1;
        if (rc < 0)
            fprintf(stderr, "# differs: %.*s\n#   fast %s\n#   json %s\n", (int)len, line,
                    a ? a : "-", b ? b : "-");
        free(a);
        free(b);
    }
    json_decref(ev);
    free(scratch);
    return rc;
}

/* The fast reader of plain lines against the JSON path: every line of the fixtures, and
 * each run_end line changed in ways the writer never writes (escapes, other number forms,
 * duplicate keys, types, damage): whatever it takes, it reads exactly as jansson does. */
static void fast_reader(const char *unit_dir) {
    const char *names[] = {"suite", "done", "paired"};
    int taken = 0, left = 0, wrong = 0, mutants = 0, mutants_taken = 0;
    unsigned rng = 12345;
    for (size_t f = 0; f < sizeof names / sizeof names[0]; f++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/fixtures/%s.jsonl", unit_dir, names[f]);
        FILE *in = fopen(path, "r");
        if (!in) {
            CHECK(0, "open %s", path);
            continue;
        }
        char *line = NULL;
        size_t cap = 0;
        ssize_t got;
        while ((got = getline(&line, &cap, in)) > 0) {
            size_t len = (size_t)got;
            if (line[len - 1] == '\n') len--;
            int rc = both_ways(line, len);
            taken += rc == 1;
            left += rc == 0;
            wrong += rc < 0;
            if (!strstr(line, "\"run_end\"")) continue;
            static const char *swaps[][2] = {
                {"\"ok\"", "\"o\\u006b\""},
                {":false", ":0"},
                {":false", ":null"},
                {"\"run\":", "\"run\":1e0,\"run\":"},
                {"\"wall_s\":", "\"wall_s\":\"x\",\"wall_s\":"},
                {"\"wall_s\":", "\"wall_s\":1,\"wall_s\":\"x\",\"q\":"},
                {"\"v\":1", "\"v\":1.0"},
                {"\"v\":1", "\"v\":2"},
                {"\"maxrss_kb\":", "\"maxrss_kb\":12345678901234567890,\"z\":"},
                {"\"eta_s\":", "\"eta_s\":1e400,\"z\":"},
                {"\"eta_s\":", "\"eta_s\":-0.0e-5,\"z\":"},
                {"\"steal_pct\":", "\"steal_pct\":0.1000000000000000055511151231257827,\"z\":"},
                {"\"benchmark\":\"", "\"benchmark\":\"\xc3\xa9"},
                {"}", ",}"},
                {"{", "{\"x\":1,"},
                {"\"type\"", "\"t\":1,\"type\""},
                {",", " , "},
                {"\"samples\":", "\"samples\":[1],\"q\":"},
            };
            for (size_t k = 0; k < sizeof swaps / sizeof swaps[0]; k++) {
                char *at = strstr(line, swaps[k][0]);
                if (!at) continue;
                size_t a = strlen(swaps[k][0]), b = strlen(swaps[k][1]);
                char *m = malloc(len + b + 1);
                size_t pre = (size_t)(at - line);
                memcpy(m, line, pre);
                memcpy(m + pre, swaps[k][1], b);
                memcpy(m + pre + b, at + a, len - pre - a);
                int rc = both_ways(m, len - a + b);
                mutants++;
                mutants_taken += rc == 1;
                wrong += rc < 0;
                free(m);
            }
            for (int k = 0; k < 40; k++) { /* one byte changed at random */
                char *m = malloc(len + 1);
                memcpy(m, line, len);
                rng = rng * 1103515245 + 12345;
                size_t at = (rng >> 8) % len;
                rng = rng * 1103515245 + 12345;
                m[at] = "0123456789\"{}[],:.-eE \\atfnul\x01\xff"[(rng >> 8) % 30];
                int rc = both_ways(m, len);
                mutants++;
                mutants_taken += rc == 1;
                wrong += rc < 0;
                free(m);
            }
        }
        free(line);
        fclose(in);
    }
    CHECK(wrong == 0 && taken > 200 && left > 10,
          "the fast reader takes %d fixture lines, leaves %d to jansson, reads %d otherwise", taken,
          left, wrong);
    CHECK(mutants > 1000 && mutants_taken > 0,
          "%d changed lines: the fast reader took %d, each read as jansson reads it", mutants,
          mutants_taken);
}

int main(int argc, char **argv) {
    run_end_round_trip();
    wrong_types();
    other_types();
    one_time();
    documented(argc > 1 ? argv[1] : ".");
    fast_reader(argc > 1 ? argv[1] : ".");
    return TAP_DONE();
}
