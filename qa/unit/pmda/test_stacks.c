/* test_stacks.c: unit tests of pmda/stacks.c, folded stacks as PCP instances: the names
 * (bpftrace's @[ustack] form, leaf first; groups; commas, control characters, empty
 * frames, names too long) and the bounded set (top stacks, ties, "other", names that
 * clean to the same one, bad and long lines, missing and oversized files). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "stacks.h"
#include "../tap.h"

static char path[64];

static const char *write_file(const char *text) {
    snprintf(path, sizeof(path), "/tmp/test_stacks.%d", (int)getpid());
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    return path;
}

static const char *name_of(const char *group, const char *folded) {
    static char out[STACKS_NAME_MAX];
    pmda_stacks_name(group, folded, strlen(folded), out);
    return out;
}

static unsigned long long count_of(const stack_set *s, const char *name) {
    for (size_t i = 0; i < s->n; i++)
        if (!strcmp(s->v[i].name, name)) return s->v[i].count;
    return 0;
}

int main(void) {
    CHECK(
        !strcmp(name_of(NULL, "comm;main;work;leaf"), "\n    leaf\n    work\n    main\n    comm\n"),
        "leaf first, 4 spaces, comm last");
    CHECK(!strcmp(name_of("fib/fast/perf", "comm;main"), "fib/fast/perf,\n    main\n    comm\n"),
          "a group, a comma, then the stack");
    CHECK(!strcmp(name_of(NULL, "comm;std::map<int, int>::find;x\ty"),
                  "\n    x?y\n    std::map<int: int>::find\n    comm\n"),
          "commas become ':' and control characters '?'");
    CHECK(!strcmp(name_of(NULL, "comm;; ;  lead"), "\n    lead\n    comm\n"),
          "frames trimmed, empty ones left out");

    char *deep = malloc(3000 * 10 + 16);
    deep[0] = '\0';
    for (int i = 0; i < 3000; i++) strcat(deep, i ? ";frame0123" : "root012345");
    strcat(deep, ";theleaf");
    const char *long_name = name_of(NULL, deep);
    size_t len = strlen(long_name);
    CHECK(len < STACKS_NAME_MAX && !strncmp(long_name, "\n    theleaf\n", 13) &&
              !strcmp(long_name + len - 10, "    [...]\n"),
          "a name too long keeps the leaf end: %zu bytes", len);
    free(deep);

    stack_set s = {0};
    char err[512];
    const char *text = "# comment\n"
                       "a;b 5\n"
                       "a;c 9\n"
                       "not-a-stack-line\n"
                       "a;d 5\n"
                       "a;e 1\n"
                       "a;zero 0\n"
                       "a;x,y 2\n"
                       "a;x:y 3\n";
    CHECK(pmda_stacks_load(&s, write_file(text), NULL, 2, err, sizeof(err)) == 0, "load: %s", err);
    CHECK(s.n == 3 && s.samples == 25 && s.distinct == 6 && s.bad_lines == 1,
          "2 stacks and other: n %zu samples %llu distinct %llu bad %llu", s.n, s.samples,
          s.distinct, s.bad_lines);
    CHECK(!strcmp(s.v[0].name, "\n    c\n    a\n") && s.v[0].count == 9, "most samples first");
    CHECK(count_of(&s, "\n    b\n    a\n") == 5 && count_of(&s, "\n    d\n    a\n") == 0,
          "a tie at the cut goes to the earlier line");
    CHECK(count_of(&s, "other") == 25 - 9 - 5 && s.other == 11 && !strcmp(s.v[2].name, "other"),
          "the rest in other, last: %llu", s.other);
    unsigned long long sum = 0;
    for (size_t i = 0; i < s.n; i++) sum += s.v[i].count;
    CHECK(sum == s.samples, "the instances hold every sample");

    CHECK(pmda_stacks_load(&s, write_file(text), "g/v/agent", 10, err, sizeof(err)) == 0 &&
              count_of(&s, "g/v/agent,\n    x:y\n    a\n") == 5 && s.other == 0 && s.n == 5,
          "names that clean to one are one instance (5 samples); no other when all fit");

    char *big = malloc(STACKS_LINE_MAX + 100);
    memset(big, 'f', STACKS_LINE_MAX + 50);
    strcpy(big + STACKS_LINE_MAX + 50, " 7\na;b 1\n");
    CHECK(pmda_stacks_load(&s, write_file(big), NULL, 10, err, sizeof(err)) == 0 && s.n == 1 &&
              s.bad_lines == 1 && s.samples == 1,
          "a line longer than STACKS_LINE_MAX is skipped");
    free(big);

    CHECK(pmda_stacks_load(&s, "/nonexistent/x.folded", NULL, 10, err, sizeof(err)) < 0 &&
              s.n == 0 && strstr(err, "No such file"),
          "a missing file: %s", err);
    write_file("");
    CHECK(truncate(path, STACKS_FILE_MAX + 1) == 0 &&
              pmda_stacks_load(&s, path, NULL, 10, err, sizeof(err)) < 0 && strstr(err, "16 MiB"),
          "a file over 16 MiB is refused: %s", err);
    CHECK(pmda_stacks_load(&s, write_file(""), NULL, 10, err, sizeof(err)) == 0 && s.n == 0 &&
              s.samples == 0,
          "an empty file: no instances");
    pmda_stacks_free(&s);
    remove(path);
    return TAP_DONE();
}
