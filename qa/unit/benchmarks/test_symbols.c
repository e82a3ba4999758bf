/* test_symbols.c: address -> name: a static function of this program (from .symtab, not
 * exported), an address inside a function's body, a libc function, and an address that
 * belongs to nothing. */
#include "symbols.h"
#include "../tap.h"

#include <stdint.h>
#include <string.h>
#include <unistd.h>

static __attribute__((noinline)) int hidden_static_function(int x) {
    return x * 3 + 1;
}

int main(void) {
    agent_symbols *syms = agent_symbols_new();
    char name[256];
    CHECK(syms != NULL, "new");

    uintptr_t f = (uintptr_t)&hidden_static_function;
    CHECK(agent_symbols_lookup(syms, f, name, sizeof name) == 1 &&
              strcmp(name, "hidden_static_function") == 0,
          "a static function resolves (.symtab)");
    CHECK(agent_symbols_lookup(syms, f + 4, name, sizeof name) == 1 &&
              strcmp(name, "hidden_static_function") == 0,
          "an address inside it resolves too");
    CHECK(agent_symbols_lookup(syms, (uintptr_t)&main, name, sizeof name) == 1 &&
              strcmp(name, "main") == 0,
          "main");

    uintptr_t g = (uintptr_t)&getpid;
    CHECK(agent_symbols_lookup(syms, g, name, sizeof name) == 1 && strstr(name, "getpid") != NULL,
          "a libc function resolves (.dynsym)");

    CHECK(agent_symbols_lookup(syms, 16, name, sizeof name) == 0 && strcmp(name, "[unknown]") == 0,
          "an address outside every object is [unknown]");

    /* The first lookups scan the symbol table, later ones bisect the sorted table: the
     * answers must not change. */
    int same = 1;
    for (int i = 0; i < 100; i++) {
        agent_symbols_lookup(syms, f + (uintptr_t)(i % 4), name, sizeof name);
        if (strcmp(name, "hidden_static_function") != 0) same = 0;
        agent_symbols_lookup(syms, g, name, sizeof name);
        if (strstr(name, "getpid") == NULL) same = 0;
    }
    CHECK(same, "scanned and bisected lookups agree (100 lookups)");

    char tiny[4];
    agent_symbols_lookup(syms, f, tiny, sizeof tiny);
    CHECK(strlen(tiny) == 3, "a short buffer is truncated and terminated");
    agent_symbols_free(syms);
    return TAP_DONE() + hidden_static_function(0) - 1;
}
