/* test_kv.c: lib/kv.c, the "key = value" lines of bench.conf and agentbench.conf. */
#include "kv.h"
#include "../tap.h"

static int line(const char *in, char **k, char **v, char *buf, size_t len) {
    snprintf(buf, len, "%s", in);
    return ab_kv_line(buf, k, v);
}

int main(void) {
    char buf[256], *k = NULL, *v = NULL;
    CHECK_INT(line("  key  =  some value  ", &k, &v, buf, sizeof buf), AB_KV_PAIR, "a pair");
    CHECK_STR(k, "key", "key trimmed");
    CHECK_STR(v, "some value", "value trimmed, inner space kept");
    CHECK_INT(line("a = b = c # comment = x", &k, &v, buf, sizeof buf), AB_KV_PAIR, "a pair");
    CHECK_STR(v, "b = c", "the first '=' splits; the comment goes");
    CHECK_INT(line("empty =", &k, &v, buf, sizeof buf), AB_KV_PAIR, "an empty value is a pair");
    CHECK_STR(v, "", "its value is empty (the caller decides)");
    CHECK_INT(line("   # only a comment", &k, &v, buf, sizeof buf), AB_KV_BLANK, "comment line");
    CHECK_INT(line(" \t\r\n", &k, &v, buf, sizeof buf), AB_KV_BLANK, "white space only");
    CHECK_INT(line("no equals here", &k, &v, buf, sizeof buf), AB_KV_MALFORMED, "no '='");
    CHECK_INT(line("x # = y", &k, &v, buf, sizeof buf), AB_KV_MALFORMED, "'=' only in the comment");
    char t[] = "  \t x y \n";
    CHECK_STR(ab_trim(t), "x y", "ab_trim");
    return TAP_DONE();
}
