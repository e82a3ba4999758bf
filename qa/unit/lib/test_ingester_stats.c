/* test_ingester_stats.c: the /stats document's one struct, writer and reader
 * (lib/ingester_stats.h): the writer's exact text, a round trip through the reader, the
 * example in doc/ingester-stats.md read as documented, documents of another version (or
 * none) refused with a message naming it, and the reader's leniency within v2 (missing,
 * negative, non-numeric figures read as 0; never NaN or Inf). Argument: qa/unit/lib. */
#include "ingester_stats.h"
#include "../tap.h"

#include <stdio.h>
#include <string.h>

static const ab_ingester_format_count formats[] = {{"folded", 2}, {"pprof", 6}};
static const ab_ingester_type_stats types[] = {{"cpu", 2, 34, 999},
                                               {"inuse_objects", 6, 1200, 99000}};
static const ab_ingester_app_stats apps[] = {
    {.name = "myapp",
     .requests = 8,
     .profiles = 8,
     .samples = 1234,
     .sample_value = 99999,
     .frames = 4321,
     .bytes = 12345,
     .decode_errors = 0,
     .formats = formats,
     .nformats = 2,
     .types = types,
     .ntypes = 2},
    {.name = "other", .requests = 1},
};

static ab_ingester_stats sample(void) {
    ab_ingester_stats s = {
        .mode = "fast",
        .uptime_s = 12.5,
        .listen = "127.0.0.1:4040",
        .conn_open = 3,
        .conn_accepted = 10,
        .conn_rejected = 1,
        .conn_timed_out = 2,
        .req_total = 10,
        .req_2xx = 8,
        .req_4xx = 1,
        .req_5xx = 1,
        .req_reset = 4,
        .req_dropped = 5,
        .bytes_received = 12345,
        .bytes_decompressed = 45678,
        .profiles = 8,
        .samples = 1234,
        .sample_value = 99999,
        .frames = 4321,
        .decode_errors = 1,
        .lat_p50 = 0.2,
        .lat_p90 = 0.4,
        .lat_p99 = 1.1,
        .lat_max = 3.0,
        .store_apps = 2,
        .store_stacks = 5,
        .store_bytes = 600,
        .store_stacks_cut = 7,
        .apps = apps,
        .napps = 2,
    };
    return s;
}

static const char sample_text[] =
    "{\"v\":2,\"mode\":\"fast\",\"uptime_s\":12.5,\"listen\":\"127.0.0.1:4040\","
    "\"connections\":{\"open\":3,\"accepted\":10,\"rejected\":1,\"timed_out\":2},"
    "\"requests\":{\"total\":10,\"2xx\":8,\"4xx\":1,\"5xx\":1,\"reset\":4,\"dropped\":5},"
    "\"bytes\":{\"received\":12345,\"decompressed\":45678},"
    "\"profiles\":8,\"samples\":1234,\"sample_value\":99999,\"frames\":4321,\"decode_errors\":1,"
    "\"latency_ms\":{\"p50\":0.2,\"p90\":0.4,\"p99\":1.1,\"max\":3.0},"
    "\"store\":{\"apps\":2,\"stacks\":5,\"bytes\":600,\"stacks_cut\":7},"
    "\"apps\":{\"myapp\":{\"requests\":8,\"profiles\":8,\"samples\":1234,\"sample_value\":99999,"
    "\"frames\":4321,\"bytes\":12345,\"decode_errors\":0,\"formats\":{\"folded\":2,\"pprof\":6},"
    "\"types\":{\"cpu\":{\"profiles\":2,\"samples\":34,\"sample_value\":999},"
    "\"inuse_objects\":{\"profiles\":6,\"samples\":1200,\"sample_value\":99000}}},"
    "\"other\":{\"requests\":1,\"profiles\":0,\"samples\":0,\"sample_value\":0,\"frames\":0,"
    "\"bytes\":0,\"decode_errors\":0,\"formats\":{},\"types\":{}}}}\n";

/* Every field but apps (which the reader leaves empty) the same: the same text. */
static int same_figures(const ab_ingester_stats *a, const ab_ingester_stats *b) {
    ab_ingester_stats x = *a, y = *b;
    x.apps = y.apps = NULL;
    x.napps = y.napps = 0;
    x.apps_omitted = y.apps_omitted = 0;
    size_t xn, yn;
    char *xt = ab_ingester_stats_write(&x, &xn), *yt = ab_ingester_stats_write(&y, &yn);
    int same = xt && yt && strcmp(xt, yt) == 0;
    free(xt);
    free(yt);
    return same;
}

static void test_write_and_read(void) {
    ab_ingester_stats s = sample(), back;
    size_t len = 0;
    char *text = ab_ingester_stats_write(&s, &len);
    CHECK(text && len == strlen(text) && strcmp(text, sample_text) == 0,
          "the writer's text: compact, documented key order, apps sorted, newline (%zu bytes)",
          len);
    char err[256] = "";
    CHECK(ab_ingester_stats_read(text, len, &back, err, sizeof err) == 0,
          "its text reads back (%s)", err);
    CHECK(same_figures(&s, &back), "every figure survives the round trip");
    CHECK(back.apps == NULL && back.napps == 0, "the reader leaves apps empty");
    free(text);

    s.apps_omitted = 1;
    text = ab_ingester_stats_write(&s, &len);
    CHECK(text && !strstr(text, "\"apps\":{\"") && !strstr(text, "myapp") &&
              strstr(text, "\"stacks_cut\":7}}\n"),
          "apps_omitted: no apps, the rest the same");
    CHECK(ab_ingester_stats_read(text, len, &back, err, sizeof err) == 0 && same_figures(&s, &back),
          "a document without apps reads back with every figure");
    free(text);
    s.apps_omitted = 0;

    s.lat_p99 = NAN;
    s.uptime_s = INFINITY;
    s.sample_value = UINT64_MAX;
    text = ab_ingester_stats_write(&s, &len);
    CHECK(text && strstr(text, "\"p99\":0.0") && strstr(text, "\"uptime_s\":0.0") &&
              strstr(text, "\"sample_value\":9223372036854775807"),
          "NaN and Inf are written as 0, a saturated counter as the largest JSON integer");
    free(text);
}

/* The ```json block of doc/ingester-stats.md, read as the schema documents it. */
static void test_documented_example(const char *unit_dir) {
    char path[4096], doc[8192];
    snprintf(path, sizeof path, "%s/../../../doc/ingester-stats.md", unit_dir);
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(doc, 1, sizeof doc - 1, f) : 0;
    if (f) fclose(f);
    doc[n] = '\0';
    char *start = strstr(doc, "```json\n"), *end = start ? strstr(start + 8, "```") : NULL;
    if (!CHECK(start && end, "doc/ingester-stats.md has a ```json example (%s)", path)) return;
    start += 8;
    ab_ingester_stats s;
    char err[256] = "";
    CHECK(ab_ingester_stats_read(start, (size_t)(end - start), &s, err, sizeof err) == 0,
          "the documented example reads (%s)", err);
    CHECK(strcmp(s.mode, "fast") == 0 && strcmp(s.listen, "127.0.0.1:4040") == 0 &&
              s.conn_open == 3 && s.conn_accepted == 10 && s.req_total == 10 && s.req_2xx == 8 &&
              s.req_4xx == 1 && s.req_5xx == 1 && s.bytes_received == 12345 &&
              s.bytes_decompressed == 45678 && s.profiles == 8 && s.samples == 1234 &&
              s.sample_value == 99999 && s.frames == 4321 && s.decode_errors == 1 &&
              s.lat_p50 == 0.2 && s.lat_p99 == 1.1 && s.lat_max == 3.0 && s.uptime_s == 12.5 &&
              s.store_apps == 1 && s.store_stacks == 40 && s.store_bytes == 4096 &&
              s.store_stacks_cut == 0,
          "its figures are the documented ones");
}

static void test_refused(void) {
    ab_ingester_stats s;
    char err[256];
    const char *v1 = "{\"v\":1,\"mode\":\"fast\",\"profiles\":8}";
    s.profiles = 7;
    CHECK(ab_ingester_stats_read(v1, strlen(v1), &s, err, sizeof err) < 0 &&
              strstr(err, "version 1") && strstr(err, "version 2 only") && s.profiles == 0,
          "a version 1 document (no profile types) is refused, nothing read: %s", err);
    const char *v3 = "{\"v\":3,\"mode\":\"fast\",\"profiles\":8}";
    CHECK(ab_ingester_stats_read(v3, strlen(v3), &s, err, sizeof err) < 0 &&
              strstr(err, "version 3") && s.profiles == 0,
          "a version 3 document is refused: %s", err);
    CHECK(ab_ingester_stats_read("{\"profiles\":8}", 14, &s, err, sizeof err) < 0 &&
              strstr(err, "no schema version"),
          "a document without \"v\" is refused: %s", err);
    CHECK(ab_ingester_stats_read("{\"v\":\"1\"}", 9, &s, err, sizeof err) < 0 &&
              strstr(err, "no schema version"),
          "a \"v\" that is not an integer is refused: %s", err);
    CHECK(ab_ingester_stats_read("not json", 8, &s, err, sizeof err) < 0 && strstr(err, "not JSON"),
          "not JSON is refused: %s", err);
    CHECK(ab_ingester_stats_read("[1]", 3, &s, err, sizeof err) < 0 &&
              strstr(err, "not a JSON object"),
          "not an object is refused: %s", err);
    CHECK(ab_ingester_stats_read("{\"v\":2,\"profiles\":1e999}", 24, &s, err, sizeof err) < 0,
          "an overflowing number is refused, never Inf: %s", err);
    CHECK(ab_ingester_stats_read("{\"v\":2}", 3, &s, err, sizeof err) < 0,
          "only len bytes are read (a cut document is not JSON)");
}

static void test_lenient(void) {
    ab_ingester_stats s;
    char err[256] = "";
    const char *odd = "{\"v\":2,\"requests\":{\"total\":-5,\"2xx\":\"x\",\"4xx\":2.0},"
                      "\"latency_ms\":{\"p50\":-0.0},\"mode\":7,\"connections\":[]}";
    CHECK(ab_ingester_stats_read(odd, strlen(odd), &s, err, sizeof err) == 0 && s.req_total == 0 &&
              s.req_2xx == 0 && s.req_4xx == 2 && s.lat_p50 == 0 && s.mode[0] == '\0' &&
              s.conn_open == 0,
          "negative, non-numeric and misplaced figures read as 0, a real count as its value (%s)",
          err);
    char longer[400];
    snprintf(longer, sizeof longer, "{\"v\":2,\"mode\":\"%0100d\",\"listen\":\"%0200d\"}", 0, 0);
    CHECK(ab_ingester_stats_read(longer, strlen(longer), &s, err, sizeof err) == 0 &&
              strlen(s.mode) == sizeof s.mode - 1 && strlen(s.listen) == sizeof s.listen - 1,
          "overlong strings are cut to the struct's size");
}

static void test_read_app(void) {
    ab_ingester_app_stats a;
    ab_ingester_type_stats t[AB_INGESTER_MAX_TYPES];
    char err[256] = "";
    CHECK(ab_ingester_stats_read_app(sample_text, strlen(sample_text), "myapp", &a, t,
                                     AB_INGESTER_MAX_TYPES, err, sizeof err) == 0 &&
              a.requests == 8 && a.profiles == 8 && a.samples == 1234 && a.sample_value == 99999 &&
              a.frames == 4321 && a.bytes == 12345 && a.decode_errors == 0 && !a.name &&
              !a.nformats,
          "one application's figures, owning nothing (%s)", err);
    CHECK(a.types == t && a.ntypes == 2 && !strcmp(t[0].name, "cpu") && t[0].profiles == 2 &&
              t[0].samples == 34 && t[0].sample_value == 999 &&
              !strcmp(t[1].name, "inuse_objects") && t[1].sample_value == 99000,
          "its profile types, in the caller's array, sorted");
    CHECK(ab_ingester_app_type(&a, "cpu") == &t[0] && !ab_ingester_app_type(&a, "wall"),
          "a type by name");
    CHECK(ab_ingester_stats_read_app(sample_text, strlen(sample_text), "absent", &a, t,
                                     AB_INGESTER_MAX_TYPES, err, sizeof err) == 0 &&
              a.requests == 0 && a.sample_value == 0 && a.ntypes == 0,
          "an application not listed reads as zeros, no types");
    const char *odd = "{\"v\":2,\"apps\":{\"x\":{\"decode_errors\":-3,\"sample_value\":\"9\","
                      "\"types\":{\"cpu\":{\"sample_value\":-1},\"wall\":3}}}}";
    CHECK(ab_ingester_stats_read_app(odd, strlen(odd), "x", &a, t, AB_INGESTER_MAX_TYPES, err,
                                     sizeof err) == 0 &&
              a.decode_errors == 0 && a.sample_value == 0 && a.ntypes == 2 &&
              t[0].sample_value == 0 && t[1].sample_value == 0,
          "negative and non-numeric figures read as 0 (a type's too)");
    const char *v1 = "{\"v\":1,\"apps\":{\"x\":{\"requests\":1}}}";
    CHECK(ab_ingester_stats_read_app(v1, strlen(v1), "x", &a, t, AB_INGESTER_MAX_TYPES, err,
                                     sizeof err) < 0 &&
              strstr(err, "version 1") && a.requests == 0,
          "another version is refused");
}

int main(int argc, char **argv) {
    test_read_app();
    test_write_and_read();
    test_documented_example(argc > 1 ? argv[1] : "qa/unit/lib");
    test_refused();
    test_lenient();
    return TAP_DONE();
}
