/* test_folded.c: aggregation of stacks into folded text: identical stacks merge, the
 * output is root first with counts, names that would break the format are sanitized, and
 * the tables keep working as they grow. */
#include "folded.h"
#include "../tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int has_line(const char *text, const char *line) {
    size_t n = strlen(line);
    for (const char *p = text; (p = strstr(p, line)) != NULL; p++)
        if ((p == text || p[-1] == '\n') && p[n] == '\n') return 1;
    return 0;
}

int main(void) {
    agent_folded *f = agent_folded_new();
    CHECK(f != NULL, "new");
    uint32_t fib = agent_folded_intern(f, "fib"), main_ = agent_folded_intern(f, "main");
    CHECK(agent_folded_intern(f, "fib") == fib, "interning is stable");
    CHECK(strcmp(agent_folded_name(f, main_), "main") == 0, "names come back");

    uint32_t s1[] = {fib, fib, main_}; /* leaf first */
    uint32_t s2[] = {fib, main_};
    agent_folded_add(f, s1, 3, 1);
    agent_folded_add(f, s1, 3, 2);
    agent_folded_add(f, s2, 2, 5);
    CHECK(agent_folded_stacks(f) == 2 && agent_folded_samples(f) == 8, "identical stacks merge");

    size_t len;
    char *text = agent_folded_render(f, &len);
    CHECK(text != NULL && strlen(text) == len, "render");
    CHECK(has_line(text, "main;fib;fib 3"), "root first, with its count");
    CHECK(has_line(text, "main;fib 5"), "second stack");
    free(text);

    uint32_t odd = agent_folded_intern(f, "a;b c\nd");
    CHECK(strcmp(agent_folded_name(f, odd), "a_b_c_d") == 0, "';', ' ' and newlines are replaced");
    CHECK(agent_folded_intern(f, "a_b_c_d") == odd, "the sanitized name is the same frame");

    agent_folded_reset(f);
    CHECK(agent_folded_stacks(f) == 0 && agent_folded_samples(f) == 0, "reset empties the stacks");
    text = agent_folded_render(f, &len);
    CHECK(text != NULL && len == 0, "an empty profile renders as nothing");
    free(text);

    /* Growth: 5000 distinct names and stacks. */
    char name[32];
    int ok = 1;
    for (int i = 0; i < 5000; i++) {
        snprintf(name, sizeof name, "func%d", i);
        uint32_t id = agent_folded_intern(f, name);
        uint32_t st[] = {id, main_};
        if (agent_folded_add(f, st, 2, (uint64_t)i + 1) != 0) ok = 0;
    }
    for (int i = 0; i < 5000 && ok; i++) {
        snprintf(name, sizeof name, "func%d", i);
        if (strcmp(agent_folded_name(f, agent_folded_intern(f, name)), name) != 0) ok = 0;
    }
    CHECK(ok && agent_folded_stacks(f) == 5000, "5000 names and stacks survive growth");
    CHECK(agent_folded_samples(f) == 5000ULL * 5001 / 2, "and their counts add up");
    text = agent_folded_render(f, &len);
    CHECK(text != NULL && has_line(text, "main;func4999 5000") && has_line(text, "main;func0 1"),
          "large render");
    free(text);
    agent_folded_free(f);
    return TAP_DONE();
}
