/* test_config.c: unit tests of pmdaagentbench's agentbench.conf parser (pmda/config.c).
 * The /stats document it polls is read by lib's reader, tested in
 * qa/unit/lib/test_ingester_stats.c. */
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "../tap.h"

static const char *write_file(const char *text) {
    static char path[64];
    snprintf(path, sizeof(path), "/tmp/test_config.%d", (int)getpid());
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    return path;
}

static int load(const char *text, abc_config *c, char *err, size_t errlen) {
    pmda_config_defaults(c);
    const char *path = write_file(text);
    int rc = pmda_config_load(c, path, 0, err, errlen);
    remove(path);
    return rc;
}

int main(void) {
    abc_config c;
    char err[512];

    pmda_config_defaults(&c);
    CHECK(strcmp(c.results, "/var/lib/agentbench/results") == 0, "default results dir");
    CHECK(c.flamegraph_url == NULL && c.agentbench == NULL && c.ningesters == 0, "defaults empty");
    CHECK(pmda_config_load(&c, "/nonexistent/agentbench.conf", 1, err, sizeof(err)) == 0,
          "a missing optional file is fine");
    CHECK(pmda_config_load(&c, "/nonexistent/agentbench.conf", 0, err, sizeof(err)) < 0 &&
              strstr(err, "No such file"),
          "a missing -c file is an error");
    pmda_config_free(&c);

    int rc = load("# comment\n\n results = /r  # trailing\nflamegraph_url = http://h:1/fg///\n"
                  "ingester = a http://127.0.0.1:4041/\ningester=b   https://x:2\n"
                  "agentbench = /bin/ab\nflamegraph_dir = /fg\n",
                  &c, err, sizeof(err));
    CHECK(rc == 0, "a full file parses");
    CHECK(strcmp(c.results, "/r") == 0, "results, comment stripped");
    CHECK(strcmp(c.flamegraph_url, "http://h:1/fg") == 0, "flamegraph_url without trailing /");
    CHECK(c.ningesters == 2 && strcmp(c.ingesters[0].name, "a") == 0 &&
              strcmp(c.ingesters[0].control, "http://127.0.0.1:4041") == 0 &&
              strcmp(c.ingesters[1].control, "https://x:2") == 0,
          "two ingesters");
    CHECK(strcmp(c.agentbench, "/bin/ab") == 0 && strcmp(c.flamegraph_dir, "/fg") == 0,
          "agentbench and flamegraph_dir");
    pmda_config_free(&c);

    CHECK(load("results\n", &c, err, sizeof(err)) < 0 && strstr(err, ":1: expected"),
          "a line without = is an error with its line number");
    pmda_config_free(&c);
    CHECK(load("\nbogus = 1\n", &c, err, sizeof(err)) < 0 && strstr(err, ":2: unknown key 'bogus'"),
          "an unknown key is an error");
    pmda_config_free(&c);
    CHECK(load("ingester = onlyname\n", &c, err, sizeof(err)) < 0 && strstr(err, "NAME URL"),
          "an ingester without URL is an error");
    pmda_config_free(&c);
    CHECK(load("ingester = a ftp://x\n", &c, err, sizeof(err)) < 0 && strstr(err, "http://"),
          "an ingester URL must be http(s)");
    pmda_config_free(&c);
    CHECK(load("ingester = a b http://x\n", &c, err, sizeof(err)) < 0,
          "an ingester URL with a space is refused");
    pmda_config_free(&c);
    CHECK(load("ingester = a http://x\ningester = a http://y\n", &c, err, sizeof(err)) < 0 &&
              strstr(err, "twice"),
          "an ingester name given twice is an error");
    pmda_config_free(&c);
    CHECK(load("ingester = a/b http://x\n", &c, err, sizeof(err)) < 0,
          "an ingester name with / is refused");
    pmda_config_free(&c);
    CHECK(load("results =\n", &c, err, sizeof(err)) < 0 && strstr(err, "no value"),
          "an empty value is an error");
    pmda_config_free(&c);

    char tok[] = "/tmp/test_pmda_token.XXXXXX", line[256];
    int fd = mkstemp(tok);
    CHECK(fd >= 0 && write(fd, " s3cret-t0ken \n", 15) == 15, "a token file");
    close(fd);
    snprintf(line, sizeof line, "ingester = a http://x token_file=%s\ningester = b http://y\n",
             tok);
    CHECK(load(line, &c, err, sizeof(err)) == 0 && c.ingesters[0].token &&
              strcmp(c.ingesters[0].token, "s3cret-t0ken") == 0 && c.ingesters[1].token == NULL,
          "token_file: its first line, trimmed; none without it");
    pmda_config_free(&c);
    unlink(tok);
    CHECK(load(line, &c, err, sizeof(err)) < 0 && strstr(err, "token_file"),
          "a missing token_file is an error");
    pmda_config_free(&c);
    CHECK(load("ingester = a http://x token_file=rel/path\n", &c, err, sizeof(err)) < 0 &&
              strstr(err, "absolute"),
          "a relative token_file is an error");
    pmda_config_free(&c);
    CHECK(load("ingester = a http://x token=abc\n", &c, err, sizeof(err)) < 0 &&
              strstr(err, "unknown option"),
          "any other option is an error (a token never in the file itself)");
    pmda_config_free(&c);

    pmda_config_defaults(&c);
    CHECK(c.nstore_users == 1 && strcmp(c.store_users[0], "root") == 0,
          "store_users: root by default");
    pmda_config_free(&c);
    CHECK(load("store_users = alice, 1001 bob\n", &c, err, sizeof(err)) == 0 &&
              c.nstore_users == 3 && strcmp(c.store_users[0], "alice") == 0 &&
              strcmp(c.store_users[1], "1001") == 0 && strcmp(c.store_users[2], "bob") == 0,
          "store_users: the list replaces root");
    pmda_config_free(&c);
    CHECK(load("store_users = none\n", &c, err, sizeof(err)) == 0 && c.nstore_users == 0,
          "store_users: none is nobody");
    pmda_config_free(&c);
    CHECK(load("store_users = root `id`\n", &c, err, sizeof(err)) < 0 && strstr(err, "`id`"),
          "store_users: a name with other bytes is an error");
    pmda_config_free(&c);

    return TAP_DONE();
}
