/* test_config.c: unit tests of pmdaagentbench's agentbench.conf parser and of its /stats
 * document parser (pmda/config.c, pmda/poller.c). */
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "poller.h"

static int failures, n;

#define CHECK(cond, what) do { n++; if (cond) printf("ok %d - %s\n", n, what); \
    else { printf("not ok %d - %s\n", n, what); failures++; } } while (0)

static const char *write_file(const char *text)
{
    static char path[64];
    snprintf(path, sizeof(path), "/tmp/test_config.%d", (int)getpid());
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    return path;
}

static int load(const char *text, abc_config *c, char *err, size_t errlen)
{
    abc_defaults(c);
    const char *path = write_file(text);
    int rc = abc_load(c, path, 0, err, errlen);
    remove(path);
    return rc;
}

int main(void)
{
    abc_config c;
    char err[512];

    abc_defaults(&c);
    CHECK(strcmp(c.results, "/var/lib/agentbench/results") == 0, "default results dir");
    CHECK(c.flamegraph_url == NULL && c.agentbench == NULL && c.ningesters == 0, "defaults empty");
    CHECK(abc_load(&c, "/nonexistent/agentbench.conf", 1, err, sizeof(err)) == 0,
          "a missing optional file is fine");
    CHECK(abc_load(&c, "/nonexistent/agentbench.conf", 0, err, sizeof(err)) < 0 &&
          strstr(err, "No such file"), "a missing -c file is an error");
    abc_free(&c);

    int rc = load("# comment\n\n results = /r  # trailing\nflamegraph_url = http://h:1/fg///\n"
                  "ingester = a http://127.0.0.1:4041/\ningester=b   https://x:2\n"
                  "agentbench = /bin/ab\nflamegraph_dir = /fg\n", &c, err, sizeof(err));
    CHECK(rc == 0, "a full file parses");
    CHECK(strcmp(c.results, "/r") == 0, "results, comment stripped");
    CHECK(strcmp(c.flamegraph_url, "http://h:1/fg") == 0, "flamegraph_url without trailing /");
    CHECK(c.ningesters == 2 && strcmp(c.ingesters[0].name, "a") == 0 &&
          strcmp(c.ingesters[0].control, "http://127.0.0.1:4041") == 0 &&
          strcmp(c.ingesters[1].control, "https://x:2") == 0, "two ingesters");
    CHECK(strcmp(c.agentbench, "/bin/ab") == 0 && strcmp(c.flamegraph_dir, "/fg") == 0,
          "agentbench and flamegraph_dir");
    abc_free(&c);

    CHECK(load("results\n", &c, err, sizeof(err)) < 0 && strstr(err, ":1: expected"),
          "a line without = is an error with its line number");
    abc_free(&c);
    CHECK(load("\nbogus = 1\n", &c, err, sizeof(err)) < 0 && strstr(err, ":2: unknown key 'bogus'"),
          "an unknown key is an error");
    abc_free(&c);
    CHECK(load("ingester = onlyname\n", &c, err, sizeof(err)) < 0 && strstr(err, "NAME URL"),
          "an ingester without URL is an error");
    abc_free(&c);
    CHECK(load("ingester = a ftp://x\n", &c, err, sizeof(err)) < 0 && strstr(err, "http://"),
          "an ingester URL must be http(s)");
    abc_free(&c);
    CHECK(load("ingester = a b http://x\n", &c, err, sizeof(err)) < 0,
          "an ingester URL with a space is refused");
    abc_free(&c);
    CHECK(load("ingester = a http://x\ningester = a http://y\n", &c, err, sizeof(err)) < 0 &&
          strstr(err, "twice"), "an ingester name given twice is an error");
    abc_free(&c);
    CHECK(load("ingester = a/b http://x\n", &c, err, sizeof(err)) < 0,
          "an ingester name with / is refused");
    abc_free(&c);
    CHECK(load("results =\n", &c, err, sizeof(err)) < 0 && strstr(err, "no value"),
          "an empty value is an error");
    abc_free(&c);

    /* /stats documents */
    ingester_stats s;
    const char *doc = "{\"v\":1,\"mode\":\"slow\",\"uptime_s\":12.5,\"listen\":\"127.0.0.1:4040\","
        "\"connections\":{\"open\":3,\"accepted\":10,\"rejected\":1,\"timed_out\":2},"
        "\"requests\":{\"total\":10,\"2xx\":8,\"4xx\":1,\"5xx\":1,\"reset\":4,\"dropped\":5},"
        "\"bytes\":{\"received\":12345,\"decompressed\":45678},\"profiles\":8,\"samples\":1234,"
        "\"sample_value\":99999,\"frames\":4321,\"decode_errors\":1,"
        "\"latency_ms\":{\"p50\":0.2,\"p90\":0.4,\"p99\":1.1,\"max\":3.0},\"apps\":{}}";
    CHECK(poller_parse_stats(doc, strlen(doc), &s) == 0 && s.up == 1, "the documented /stats parses");
    CHECK(strcmp(s.mode, "slow") == 0 && strcmp(s.listen, "127.0.0.1:4040") == 0, "mode, listen");
    CHECK(s.conn_open == 3 && s.conn_accepted == 10 && s.conn_rejected == 1 && s.conn_timed_out == 2,
          "connections");
    CHECK(s.req_total == 10 && s.req_2xx == 8 && s.req_4xx == 1 && s.req_5xx == 1 &&
          s.req_reset == 4 && s.req_dropped == 5, "requests by outcome");
    CHECK(s.bytes_received == 12345 && s.bytes_decompressed == 45678 && s.profiles == 8 &&
          s.samples == 1234 && s.sample_value == 99999 && s.frames == 4321 && s.decode_errors == 1,
          "bytes, profiles, samples, frames, decode errors");
    CHECK(s.lat_p50 == 0.2 && s.lat_p90 == 0.4 && s.lat_p99 == 1.1 && s.lat_max == 3.0 &&
          s.uptime_s == 12.5, "latency, uptime");
    CHECK(poller_parse_stats("{\"v\":2}", 7, &s) < 0 && s.up == 0, "an unknown version is refused");
    CHECK(poller_parse_stats("not json", 8, &s) < 0, "not JSON is refused");
    CHECK(poller_parse_stats("[1]", 3, &s) < 0, "not an object is refused");
    const char *odd = "{\"v\":1,\"requests\":{\"total\":-5,\"2xx\":\"x\"},\"latency_ms\":{\"p50\":-0.0},"
                      "\"mode\":7}";
    CHECK(poller_parse_stats(odd, strlen(odd), &s) == 0 && s.req_total == 0 && s.req_2xx == 0 &&
          s.lat_p50 == 0 && s.mode[0] == '\0', "negative and non-numeric values become 0");
    CHECK(poller_parse_stats("{\"v\":1,\"profiles\":1e999}", 24, &s) < 0,
          "an overflowing number is refused, never Inf");

    printf("%d tests, %d failed\n", n, failures);
    return failures ? 1 : 0;
}
