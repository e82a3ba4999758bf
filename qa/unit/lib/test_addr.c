/* test_addr.c: lib/addr.c, HOST:PORT as every agentbench listener reads it: strict by
 * default, loopback defaults on request, printed back the same. */
#include "addr.h"
#include "../tap.h"

#include <netinet/in.h>
#include <string.h>

static int parse_print(const char *s, int flags, char *buf, size_t len) {
    struct sockaddr_storage ss;
    if (ab_addr_parse(s, flags, &ss) < 0) return -1;
    ab_addr_format((const struct sockaddr *)&ss, buf, len);
    return 0;
}

int main(void) {
    char buf[64];
    static const struct {
        const char *in;
        int flags;
        const char *out;
    } cases[] = {
        {"127.0.0.1:4040", 0, "127.0.0.1:4040"},
        {"0.0.0.0:0", 0, "0.0.0.0:0"},
        {"[::1]:8080", 0, "[::1]:8080"},
        {"::1:8080", 0, "[::1]:8080"},
        {"4040", AB_ADDR_LOOPBACK_DEFAULTS, "127.0.0.1:4040"},
        {":0", AB_ADDR_LOOPBACK_DEFAULTS, "127.0.0.1:0"},
        {"localhost:80", AB_ADDR_LOOPBACK_DEFAULTS, "127.0.0.1:80"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int rc = parse_print(cases[i].in, cases[i].flags, buf, sizeof buf);
        CHECK_STR(rc == 0 ? buf : "refused", cases[i].out, "'%s' (flags %d) -> %s", cases[i].in,
                  cases[i].flags, cases[i].out);
    }
    static const char *strict_refused[] = {"4040", ":80", "localhost:80", "example.com:80"};
    for (size_t i = 0; i < sizeof strict_refused / sizeof strict_refused[0]; i++)
        CHECK(parse_print(strict_refused[i], 0, buf, sizeof buf) < 0, "strict: '%s' refused",
              strict_refused[i]);
    static const char *refused[] = {"127.0.0.1:65536",
                                    "127.0.0.1:-1",
                                    "127.0.0.1:",
                                    "127.0.0.1:8x",
                                    "[::1]8080",
                                    "[::1:80",
                                    "999.0.0.1:80",
                                    "",
                                    "127.0.0.1:99999999999999999999"};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        CHECK(parse_print(refused[i], AB_ADDR_LOOPBACK_DEFAULTS, buf, sizeof buf) < 0,
              "'%s' refused", refused[i]);
    struct sockaddr_storage ss = {.ss_family = AF_UNIX};
    ab_addr_format((const struct sockaddr *)&ss, buf, sizeof buf);
    CHECK(!strcmp(buf, "-"), "another family prints '-'");
    return TAP_DONE();
}
