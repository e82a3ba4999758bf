/* test_server_store_types.c: --store keeps each profile type of an application apart
 * (one file each, lib/store_name.h's names, injective over (application, type) pairs),
 * within the same bounds as before (an application's bytes and stacks are all its types'
 * together, ING_STORE_MAX_TYPES types each); a restarted ingester reads typed files back
 * with their types, and an untyped file of an ingester before types as type "" under its
 * own name; the counters count per type, and /stats' reader gives those figures back. */
#include "counters.h"
#include "ingester_stats.h"
#include "../tap.h"
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void put(const char *dir, const char *name, const char *text) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

static void test_names(void) {
    char name[300], app[300], type[300];
    CHECK(ab_store_file_name("accuracy-c-mix", "cpu", name, sizeof name) == 0 &&
              !strcmp(name, "accuracy-c-mix@cpu.folded"),
          "application and type: %s", name);
    CHECK(ab_store_file_name("my/app", "a@b", name, sizeof name) == 0 &&
              !strcmp(name, "my%2Fapp@a%40b.folded"),
          "both encoded, '@' in either too: %s", name);
    CHECK(ab_store_file_name("app", "", name, sizeof name) == 0 && !strcmp(name, "app.folded") &&
              ab_store_file_name("app", NULL, name, sizeof name) == 0 &&
              !strcmp(name, "app.folded"),
          "type \"\" or NULL: the untyped name of an ingester before types");
    char a1[300], a2[300];
    ab_store_file_name("a", "b.c", a1, sizeof a1);
    ab_store_file_name("a.b", "c", a2, sizeof a2);
    CHECK(strcmp(a1, a2) != 0, "(a, b.c) and (a.b, c) never share a file: %s %s", a1, a2);
    ab_store_file_name("a", ".x", a1, sizeof a1);
    CHECK(!strcmp(a1, "a@%2Ex.folded"), "a type's leading '.' is encoded too: %s", a1);
    static const char *pairs[][2] = {{"app", "cpu"}, {"my/app", "inuse_objects"}, {"", "x"},
                                     {"a.b", "c.d"}, {"x", "wall time"},          {"svc", "a@b"}};
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
        CHECK(ab_store_file_name(pairs[i][0], pairs[i][1], name, sizeof name) == 0 &&
                  ab_store_app_name(name, app, sizeof app, type, sizeof type) == 0 &&
                  !strcmp(app, pairs[i][0]) && !strcmp(type, pairs[i][1]),
              "file name -> (application, type): ('%s', '%s') <-> %s", pairs[i][0], pairs[i][1],
              name);
    CHECK(ab_store_app_name("old.folded", app, sizeof app, type, sizeof type) == 0 &&
              !strcmp(app, "old") && type[0] == '\0',
          "an untyped file: type \"\"");
    static const char *foreign[] = {"a@.folded",    "a@%00.folded", "a@b@c.folded",
                                    "a@%41.folded", "@cpu.folded",  "a@b+c.folded"};
    for (size_t i = 0; i < sizeof foreign / sizeof foreign[0]; i++)
        CHECK(ab_store_app_name(foreign[i], app, sizeof app, type, sizeof type) < 0,
              "%s is no file name of the store's", foreign[i]);
    char longtype[240];
    memset(longtype, 't', sizeof longtype - 1);
    longtype[sizeof longtype - 1] = '\0';
    CHECK(ab_store_file_name("app", longtype, name, sizeof name) < 0,
          "an application and type too long for a file name: refused");
}

static void test_types_apart(const char *dir) {
    ing_store s;
    char err[256];
    ing_store_limits sl = {.max_apps = 2,
                           .max_bytes = 1 << 20,
                           .max_app_bytes = 3 * (6 + STORE_STACK_OVERHEAD),
                           .max_stacks = 1000};
    CHECK(ing_store_init(&s, dir, &sl, err, sizeof err) == 0, "ing_store_init");
    CHECK(ing_store_add(&s, "mix", "samples", "main;a", 6, 3) == 0 &&
              ing_store_add(&s, "mix", "inuse_objects", "main;a", 6, 4096) == 0 &&
              ing_store_add(&s, "mix", "samples", "main;a", 6, 2) == 0,
          "one stack in two types");
    CHECK(ing_store_add(&s, "mix", "timeline", "main;b", 6, 7) == 0 &&
              ing_store_add(&s, "mix", "samples", "main;c", 6, 1) < 0,
          "an application's bytes bound counts all its types: a fourth stack is cut");
    CHECK(s.stacks == 3 && s.apps.len == 1, "3 stacks of 1 application (%llu, %zu)",
          (unsigned long long)s.stacks, s.apps.len);
    CHECK(ing_store_flush(&s) == 0, "flush");
    CHECK_STR(tap_file_text("%s/%s", dir, "mix@samples.folded"), "main;a 5\n",
              "the CPU samples alone");
    CHECK_STR(tap_file_text("%s/%s", dir, "mix@inuse_objects.folded"), "main;a 4096\n",
              "the heap's objects in a file of their own");
    CHECK_STR(tap_file_text("%s/%s", dir, "mix@timeline.folded"), "main;b 7\n",
              "the timeline's in another");
    CHECK(tap_file_text("%s/%s", dir, "mix.folded") == NULL, "no untyped file");
    ing_store_free(&s);
}

static void test_max_types(void) {
    char dir[] = "/tmp/test_store_types.XXXXXX", err[256], type[16];
    CHECK(mkdtemp(dir) != NULL, "temporary directory");
    ing_store s;
    CHECK(ing_store_init(&s, dir, NULL, err, sizeof err) == 0, "ing_store_init (defaults)");
    int kept = 1;
    for (int i = 0; i < ING_STORE_MAX_TYPES + 2; i++) {
        snprintf(type, sizeof type, "t%d", i);
        int rc = ing_store_add(&s, "many", type, "x", 1, 1);
        kept &= i < ING_STORE_MAX_TYPES ? rc == 0 : rc < 0;
    }
    CHECK(kept, "%d types of an application kept, the next ones cut", ING_STORE_MAX_TYPES);
    ing_store_free(&s);
    rmdir(dir);
}

/* The regression for reload: typed files come back with their types; an untyped file of
 * an ingester before types comes back as type "" and keeps its name. */
static void test_reload(const char *dir) {
    put(dir, "old.folded", "main;a 3\nmain;heap 9000\n");
    ing_store s;
    char err[256];
    CHECK(ing_store_init(&s, dir, NULL, err, sizeof err) == 0, "ing_store_init on a used DIR");
    CHECK_INT(s.loaded.files, 4, "four files read back");
    CHECK_INT(s.loaded.untyped, 1, "one of them untyped");
    CHECK_INT(s.loaded.apps, 2, "of two applications");
    CHECK_INT(s.loaded.stacks, 5, "five stacks (3 of mix's types, 2 of old's)");
    CHECK(ing_store_add(&s, "mix", "samples", "main;a", 6, 1) == 0 &&
              ing_store_add(&s, "old", "cpu", "main;a", 6, 2) == 0 && ing_store_flush(&s) == 0,
          "new stacks, then flush");
    CHECK_STR(tap_file_text("%s/%s", dir, "mix@samples.folded"), "main;a 6\n",
              "a type's old and new counts together after the restart");
    CHECK_STR(tap_file_text("%s/%s", dir, "mix@inuse_objects.folded"), "main;a 4096\n",
              "another type untouched: never summed with it");
    CHECK_STR(tap_file_text("%s/%s", dir, "old@cpu.folded"), "main;a 2\n",
              "new stacks of the old application go to their type's file");
    CHECK_STR(tap_file_text("%s/%s", dir, "old.folded"), "main;a 3\nmain;heap 9000\n",
              "the untyped file stays whole, under its name, apart from the typed stacks");
    ing_store_free(&s);
    CHECK(ing_store_init(&s, dir, NULL, err, sizeof err) == 0 && s.loaded.files == 5 &&
              s.loaded.untyped == 1 && s.loaded.stacks == 6,
          "read back again: five files, six stacks (%zu, %zu)", s.loaded.files, s.loaded.stacks);
    ing_store_free(&s);
    const char *files[] = {"mix@samples.folded", "mix@inuse_objects.folded", "mix@timeline.folded",
                           "old.folded", "old@cpu.folded"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        unlink(path);
    }
}

static void test_counters(void) {
    ing_counters c;
    ing_counters_init(&c);
    uint64_t r1 = ing_counters_request(&c), r2 = ing_counters_request(&c);
    ing_counts wall = {.profiles = 1, .samples = 40, .value = 40, .frames = 400};
    ing_counts heap = {.profiles = 1, .samples = 5, .value = 70000, .frames = 50};
    ing_counters_profile(&c, r1, "mix", "pprof", "samples", &wall);
    ing_counters_profile(&c, r1, "mix", "pprof", "inuse_objects", &heap);
    ing_counters_profile(&c, r2, "mix", "pprof", "samples", &wall);
    char type[16];
    for (int i = 0; i < AB_INGESTER_MAX_TYPES + 3; i++) {
        snprintf(type, sizeof type, "t%02d", i);
        ing_counters_profile(&c, r2, "many", "pprof", type, &wall);
    }
    counters_doc_info info = {.mode = "fast", .listen = "127.0.0.1:1", .with_apps = 1};
    size_t len = 0;
    char *doc = ing_counters_stats_document(&c, &info, &len), err[256] = "";
    ab_ingester_app_stats a;
    ab_ingester_type_stats types[AB_INGESTER_MAX_TYPES];
    CHECK(doc && ab_ingester_stats_read_app(doc, len, "mix", &a, types, AB_INGESTER_MAX_TYPES, err,
                                            sizeof err) == 0,
          "read back (%s)", err);
    const ab_ingester_type_stats *w = ab_ingester_app_type(&a, "samples"),
                                 *h = ab_ingester_app_type(&a, "inuse_objects");
    CHECK(a.ntypes == 2 && w && h && w->profiles == 2 && w->samples == 80 &&
              w->sample_value == 80 && h->profiles == 1 && h->sample_value == 70000,
          "per type: samples 2 profiles, value 80; inuse_objects 1, value 70000");
    CHECK(a.profiles == 3 && a.sample_value == 70080 && a.samples == 85,
          "the application's totals keep their meaning: every type's together");
    CHECK(!strcmp(a.types[0].name, "inuse_objects") && !strcmp(a.types[1].name, "samples"),
          "types sorted by name");
    CHECK(ab_ingester_app_type(&a, "cpu") == NULL, "a type it has not: NULL");
    CHECK(ab_ingester_stats_read_app(doc, len, "many", &a, types, AB_INGESTER_MAX_TYPES, err,
                                     sizeof err) == 0 &&
              a.ntypes == AB_INGESTER_MAX_TYPES && ab_ingester_app_type(&a, "_other") &&
              ab_ingester_app_type(&a, "_other")->profiles == 4,
          "past %d types, the rest count as _other (%zu types)", AB_INGESTER_MAX_TYPES - 1,
          a.ntypes);
    CHECK(ab_ingester_stats_read_app(doc, len, "mix", &a, types, 1, err, sizeof err) == 0 &&
              a.ntypes == 1,
          "the reader fills at most maxtypes");
    CHECK(ab_ingester_stats_read_app(doc, len, "nosuch", &a, types, AB_INGESTER_MAX_TYPES, err,
                                     sizeof err) == 0 &&
              a.ntypes == 0 && a.sample_value == 0,
          "an application it does not list: no types");
    free(doc);
    ing_counters_free(&c);

    /* the (application, type) pairs of every application together are bounded too */
    ing_counters_init(&c);
    c.max_types = 3;
    uint64_t r = ing_counters_request(&c);
    ing_counters_profile(&c, r, "x", "pprof", "samples", &wall);
    ing_counters_profile(&c, r, "x", "pprof", "inuse_objects", &heap);
    ing_counters_profile(&c, r, "y", "pprof", "samples", &wall);
    ing_counters_profile(&c, r, "y", "pprof", "timeline", &heap);
    doc = ing_counters_stats_document(&c, &info, &len);
    CHECK(doc &&
              ab_ingester_stats_read_app(doc, len, "y", &a, types, AB_INGESTER_MAX_TYPES, err,
                                         sizeof err) == 0 &&
              a.ntypes == 2 && ab_ingester_app_type(&a, "samples") &&
              ab_ingester_app_type(&a, "_other") &&
              ab_ingester_app_type(&a, "_other")->sample_value == 70000,
          "past max_types pairs in all, a new type counts as the application's _other");
    free(doc);
    ing_counters_free(&c);
}

int main(void) {
    test_names();
    char dir[] = "/tmp/test_store_types.XXXXXX";
    CHECK(mkdtemp(dir) != NULL, "temporary directory");
    test_types_apart(dir);
    test_reload(dir);
    rmdir(dir);
    test_max_types();
    test_counters();
    return TAP_DONE();
}
