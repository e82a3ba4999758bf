/* test_server_counters.c: the latency histogram, the hash table, the counters API and the
 * /stats document it gives (read back with lib's reader), and the --store aggregation
 * and its files. */
#include "counters.h"
#include "ingester_stats.h"
#include "../tap.h"
#include "store.h"
#include "strmap.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(void) {
    latency_hist h = {0};
    CHECK(ing_latency_quantile_ms(&h, 0.5) == 0, "empty histogram: 0");
    for (int i = 1; i <= 1000; i++) ing_latency_record(&h, (uint64_t)i * 1000000); /* 1..1000 ms */
    double p50 = ing_latency_quantile_ms(&h, 0.5), p99 = ing_latency_quantile_ms(&h, 0.99);
    CHECK(p50 >= 500 && p50 <= 500 * 1.1, "p50 of 1..1000 ms: %.1f", p50);
    CHECK(p99 >= 990 && p99 <= 1000, "p99 (capped at max): %.1f", p99);
    CHECK(ing_latency_quantile_ms(&h, 1) == 1000, "p100 is the max");
    latency_hist tiny = {0};
    ing_latency_record(&tiny, 10);
    CHECK(ing_latency_quantile_ms(&tiny, 0.5) == 0.00001, "sub-microsecond: exact max");
    ing_latency_record(&tiny, (uint64_t)1e13);
    CHECK(tiny.buckets[LAT_BUCKETS - 1] == 1, "very slow goes in the last bucket");

    ab_strmap m = {0};
    char key[32];
    for (int i = 0; i < 5000; i++) {
        snprintf(key, sizeof key, "k%d", i);
        ab_strmap_upsert(&m, key, strlen(key), NULL)->val.u = (uint64_t)i;
    }
    int good = m.len == 5000;
    for (int i = 0; i < 5000; i++) {
        snprintf(key, sizeof key, "k%d", i);
        ab_strmap_entry *e = ab_strmap_find(&m, key, strlen(key));
        good &= e && e->val.u == (uint64_t)i;
    }
    CHECK(good, "5000 keys inserted and found");
    CHECK(ab_strmap_find(&m, "nope", 4) == NULL, "absent key");
    ab_strmap_free(&m);

    ing_counters c;
    ing_counters_init(&c);
    ing_counts n1 = {.profiles = 1, .samples = 2, .value = 15, .frames = 5};
    uint64_t r1 = ing_counters_request(&c), r2 = ing_counters_request(&c),
             r3 = ing_counters_request(&c);
    CHECK(r1 != 0 && r2 != r1 && r3 != r2, "each counted request gets its own serial, never 0");
    ing_counters_app_request(&c, "a", r1, 100);
    ing_counters_app_request(&c, "a", r1, 100);
    ing_counters_profile(&c, r1, "a", "folded", "cpu", &n1);
    ing_counters_profile(&c, r2, "a", "pprof", "cpu", &n1);
    ing_counters_profile(&c, r2, "b", "pprof", "cpu", &n1);
    ing_counters_decode_error(&c, "b");
    ing_counters_answer(&c, 200, 1000000);
    ing_counters_answer(&c, 422, 2000000);
    ing_counters_answer(&c, 503, 4000000);
    ing_counters_reset(&c);
    ing_counters_dropped(&c);
    ing_counters_conn_opened(&c);
    ing_counters_conn_opened(&c);
    ing_counters_conn_closed(&c);
    ing_counters_conn_refused(&c);
    ing_counters_conn_timed_out(&c);
    ing_counters_received(&c, 300);
    ing_counters_decoded(&c, &(ing_decoded){.body_bytes = 700});
    size_t len = 0;
    counters_doc_info info = {
        .mode = "fast", .uptime_s = 1.5, .listen = "127.0.0.1:1", .with_apps = 1};
    char *doc = ing_counters_stats_document(&c, &info, &len);
    ab_ingester_stats st;
    char why[256] = "";
    CHECK(doc && ab_ingester_stats_read(doc, len, &st, why, sizeof why) == 0,
          "the document reads with lib's reader (%s)", why);
    CHECK(st.req_total == 3 && st.req_2xx == 1 && st.req_4xx == 1 && st.req_5xx == 1 &&
              st.req_reset == 1 && st.req_dropped == 2,
          "requests: total, by class, reset, dropped "
          "(a refused connection's request too)");
    CHECK(st.conn_open == 1 && st.conn_accepted == 2 && st.conn_rejected == 1 &&
              st.conn_timed_out == 1,
          "connections: open, accepted, rejected, timed out");
    CHECK(st.bytes_received == 300 && st.bytes_decompressed == 700, "bytes received, decompressed");
    CHECK(st.profiles == 3 && st.decode_errors == 1 && st.sample_value == 45,
          "totals: 3 profiles, value 45, 1 decode error");
    CHECK(st.lat_max == 4.0 && st.lat_p50 > 1.0 && st.lat_p50 <= 2.0 * 1.1,
          "latency of the answers: max 4 ms, p50 near 2 ms (%g)", st.lat_p50);
    CHECK(strcmp(st.mode, "fast") == 0 && strcmp(st.listen, "127.0.0.1:1") == 0 &&
              st.uptime_s == 1.5,
          "mode, listen, uptime");
    json_t *j = doc ? json_loadb(doc, len, 0, NULL) : NULL;
    free(doc);
    json_t *a = json_object_get(json_object_get(j, "apps"), "a");
    CHECK(json_integer_value(json_object_get(a, "requests")) == 2 &&
              json_integer_value(json_object_get(a, "profiles")) == 2 &&
              json_integer_value(json_object_get(a, "sample_value")) == 30 &&
              json_integer_value(json_object_get(a, "bytes")) == 100,
          "per-app: 2 requests (each once), 2 profiles, value 30, 100 bytes");
    CHECK(json_integer_value(json_object_get(json_object_get(a, "formats"), "pprof")) == 1,
          "per-app formats");
    json_decref(j);
    ing_counters_free(&c);

    char dir[] = "/tmp/test_server_store.XXXXXX", err[256], path[300];
    CHECK(mkdtemp(dir) != NULL, "temporary directory");
    ing_store s;
    ing_store_limits sl = {.max_apps = 3,
                           .max_bytes = 3 * (100 + STORE_STACK_OVERHEAD),
                           .max_app_bytes = 2 * (6 + STORE_STACK_OVERHEAD),
                           .max_stacks = 1000};
    CHECK(ing_store_init(&s, dir, &sl, err, sizeof err) == 0, "ing_store_init");
    CHECK(ing_store_add(&s, "my/app", "cpu", "main;b", 6, 3) == 0 &&
              ing_store_add(&s, "my/app", "cpu", "main;a", 6, 1) == 0 &&
              ing_store_add(&s, "my/app", "cpu", "main;b", 6, 4) == 0 &&
              ing_store_add(&s, "my/app", "cpu", "main;zero", 9, 0) == 0,
          "stacks kept");
    CHECK(ing_store_add(&s, "my/app", "cpu", "main;c", 6, 1) < 0,
          "a third stack over the application's bytes is cut");
    CHECK(ing_store_add(&s, "my/app", "cpu", "main;a", 6, 1) == 0,
          "an existing stack still counts");
    CHECK(ing_store_add(&s, "my_app", "cpu", "x", 1, 1) == 0, "my_app is another application");
    CHECK(ing_store_add(&s, "big", "cpu", "y", 1, 1) == 0 &&
              ing_store_add(&s, "fourth", "cpu", "z", 1, 1) < 0,
          "a fourth application over max_apps is cut");
    char huge[200];
    memset(huge, 'h', 150);
    huge[150] = '\0';
    CHECK(ing_store_add(&s, "big", "cpu", huge, 150, 1) < 0,
          "a stack over the bytes of all applications is cut");
    CHECK(s.stacks == 4 && s.bytes == 14 + 4 * STORE_STACK_OVERHEAD,
          "figures: %llu stacks, %zu bytes", (unsigned long long)s.stacks, s.bytes);
    CHECK(ing_store_flush(&s) == 0, "flush");
    snprintf(path, sizeof path, "%s/my%%2Fapp@cpu.folded", dir);
    const char *text = tap_file_text("%s", path);
    CHECK(text && strcmp(text, "main;a 2\nmain;b 7\n") == 0,
          "aggregated and sorted, in my%%2Fapp@cpu.folded");
    snprintf(path, sizeof path, "%s/my_app@cpu.folded", dir);
    text = tap_file_text("%s", path);
    CHECK(text && strcmp(text, "x 1\n") == 0,
          "my_app in a file of its own: the mapping is injective");
    char name[300];
    CHECK(ab_store_file_name("..evil/x", NULL, name, sizeof name) == 0 &&
              strcmp(name, "%2E.evil%2Fx.folded") == 0,
          "file name encoded: %s", name);
    CHECK(ab_store_file_name("a%2Fb", NULL, name, sizeof name) == 0 &&
              strcmp(name, "a%252Fb.folded") == 0,
          "'%%' is encoded too: %s", name);
    char slashes[101];
    memset(slashes, '/', 100);
    slashes[100] = '\0';
    CHECK(ab_store_file_name(slashes, NULL, name, sizeof name) < 0,
          "a name whose file name would be too long: refused");
    char back[300], type[300];
    static const char *apps[] = {"..evil/x", "a%2Fb", "", "my app{env=a b}", "x.y"};
    for (size_t i = 0; i < sizeof apps / sizeof apps[0]; i++)
        CHECK(ab_store_file_name(apps[i], NULL, name, sizeof name) == 0 &&
                  ab_store_app_name(name, back, sizeof back, type, sizeof type) == 0 &&
                  strcmp(back, apps[i]) == 0 && type[0] == '\0',
              "file name -> application: '%s' <-> %s", apps[i], name);
    static const char *foreign[] = {"%41.folded", "a+b.folded", "%2.folded", "%zz.folded",
                                    ".x.folded",  "x.txt",      ".folded",   "a%00b.folded"};
    for (size_t i = 0; i < sizeof foreign / sizeof foreign[0]; i++)
        CHECK(ab_store_app_name(foreign[i], back, sizeof back, type, sizeof type) < 0,
              "%s is no file name of the store's", foreign[i]);
    ing_store_free(&s);

    /* a restarted ingester reads the files back: nothing is lost at its first flush */
    snprintf(path, sizeof path, "%s/big@cpu.folded", dir);
    FILE *f = fopen(path, "w");
    fputs("y 1\nno count\nbad -3\nzero 0\n", f);
    fclose(f);
    snprintf(path, sizeof path, "%s/not ours.folded", dir);
    fclose(fopen(path, "w"));
    CHECK(ing_store_init(&s, dir, &sl, err, sizeof err) == 0, "ing_store_init again");
    CHECK_INT(s.loaded.files, 3, "three files read back");
    CHECK_INT(s.loaded.stacks, 4, "their four good stacks kept (main;a main;b x y)");
    CHECK_INT(s.loaded.bad_lines, 3, "three bad lines skipped");
    CHECK_INT(s.loaded.unreadable, 1, "a file no application's name makes is left alone");
    CHECK(ing_store_add(&s, "my/app", "cpu", "main;a", 6, 5) == 0 && ing_store_flush(&s) == 0,
          "a new stack, then flush");
    snprintf(path, sizeof path, "%s/my%%2Fapp@cpu.folded", dir);
    CHECK_STR(tap_file_text("%s", path), "main;a 7\nmain;b 7\n",
              "old and new counts together after the restart");
    snprintf(path, sizeof path, "%s/my_app@cpu.folded", dir);
    CHECK_STR(tap_file_text("%s", path), "x 1\n",
              "an unchanged application's file is not rewritten, still whole");
    ing_store_free(&s);
    sl.max_app_bytes = 1 * (6 + STORE_STACK_OVERHEAD);
    CHECK(ing_store_init(&s, dir, &sl, err, sizeof err) == 0,
          "ing_store_init with a smaller bound");
    CHECK_INT(s.loaded.cut, 1, "read back within the bounds: one stack past max_app_bytes is cut");
    ing_store_free(&s);
    snprintf(path, sizeof path, "%s/not ours.folded", dir);
    unlink(path);
    const char *files[] = {"my%2Fapp@cpu.folded", "my_app@cpu.folded", "big@cpu.folded"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        unlink(path);
    }
    rmdir(dir);
    return TAP_DONE();
}
