/* test_cpus.c: lib/cpus.c, CPU lists as every part reads them: lists, ranges, the host's
 * bound, and what is refused. */
#include "cpus.h"
#include "../tap.h"

int main(void) {
    cpu_set_t set;
    CHECK(ab_cpus_parse("0", 0, &set) == 0 && CPU_COUNT(&set) == 1 && CPU_ISSET(0, &set), "0");
    CHECK(ab_cpus_parse("0-2,5,7-8", 0, &set) == 0, "ranges and singles");
    CHECK_INT(CPU_COUNT(&set), 6, "0-2,5,7-8 is six CPUs");
    CHECK(CPU_ISSET(5, &set) && !CPU_ISSET(6, &set) && CPU_ISSET(8, &set), "the right ones");
    CHECK(ab_cpus_parse("1-1", 0, &set) == 0 && CPU_COUNT(&set) == 1, "a range of one");
    CHECK(ab_cpus_parse("0-1", 2, &set) == 0 && ab_cpus_parse("2", 2, &set) < 0 &&
              ab_cpus_parse("0-2", 2, &set) < 0,
          "NCPUS bounds the CPUs");
    static const char *bad[] = {
        "",    "1,", ",1", "1,,2", "3-1", "a",     "-1",      "1-",
        "1-a", " 1", "+1", "1 ",   "0x1", "99999", "1-99999", "99999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK(ab_cpus_parse(bad[i], 0, &set) < 0, "'%s' refused", bad[i]);
    CHECK(ab_cpus_parse(NULL, 0, &set) < 0, "NULL refused");
    CHECK(ab_cpus_parse("4096,1-99999", 0, NULL) == 0 && ab_cpus_parse("1,", 0, NULL) < 0,
          "syntax only (no set): any CPU number, the same syntax");
    return TAP_DONE();
}
