/* flamegraph/fold_frame.c: what the stack parsers share: frame lines ("addr sym+off
 * (dso)", perf script's and bpftrace's perf mode), frame names (cleaning raw symbols of
 * offsets, separators and unknown frames; naming JIT frames of perf maps the same in every
 * process; recognising the functions only an idle CPU runs), the growing frame list of one
 * stack, and reading one line without its line ending.
 *
 * JIT frames: Node run with --perf-basic-prof writes /tmp/perf-PID.map, which perf and
 * bpftrace read to name its JIT code: "JS:*fib /path/fib.js:8:13" (V8's tag "JS:" and
 * tier mark: ~ interpreted, ^ baseline, + Maglev, * TurboFan, which change during a run
 * and between runs), "Builtin:ArrayPush". The object is the map, whose name has the PID:
 * unnamed code would show as "[perf-5305.map]" in one process and "[perf-5306.map]" in
 * the next. So a perf-map frame is named by function and script file only ("fib
 * fib.js:8:13", "(anonymous) x.js:3:1"), unnamed JIT code "[jit]": a differential flame
 * graph of two processes compares functions, not PIDs. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "fold.h"

static const char *const idle_functions[] = {
    "cpu_idle",
    "cpu_idle_poll",
    "do_idle",
    "default_idle",
    "default_idle_call",
    "default_enter_idle",
    "arch_cpu_idle",
    "cpuidle_enter",
    "cpuidle_enter_state",
    "cpuidle_idle_call",
    "intel_idle",
    "intel_idle_irq",
    "intel_idle_ibrs",
    "acpi_idle_enter",
    "acpi_idle_do_entry",
    "acpi_safe_halt",
    "native_safe_halt",
    "pv_native_safe_halt",
    "safe_halt",
    "mwait_idle",
    "mwait_idle_with_hints",
    "poll_idle",
    "cpu_startup_entry",
    "cpu_bringup_and_idle",
    "xen_hypercall_sched_op",
    "xen_safe_halt",
    "hv_idle",
    "psci_cpu_suspend_enter",
    "cpu_do_idle",
    "swapper",
};

int rn_fg_frame_is_idle(const char *sym) {
    for (size_t i = 0; i < sizeof idle_functions / sizeof idle_functions[0]; i++)
        if (!strcmp(sym, idle_functions[i])) return 1;
    return 0;
}

/* "0x7f1f06dab738" or a bare "7f1f06dab738"; a short all-hex name ("f", "add", "cafe")
 * is a symbol. */
static int is_address(const char *s, size_t n) {
    int prefixed = n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
    if (prefixed) {
        s += 2;
        n -= 2;
    }
    if (n == 0) return 0;
    int digits = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isxdigit((unsigned char)s[i])) return 0;
        if (isdigit((unsigned char)s[i])) digits++;
    }
    return prefixed || (n >= 6 && digits > 0);
}

/* Length of sym without a trailing "+0x1f" or "+123" offset. */
static size_t without_offset(const char *sym, size_t n) {
    for (size_t i = n; i-- > 1;) {
        if (sym[i] != '+') continue;
        const char *o = sym + i + 1;
        size_t on = n - i - 1;
        if (on == 0) return n;
        if (on > 2 && o[0] == '0' && o[1] == 'x') return is_address(o, on) ? i : n;
        for (size_t k = 0; k < on; k++)
            if (!isdigit((unsigned char)o[k])) return n;
        return i;
    }
    return n;
}

static void copy_clean(char *out, size_t outlen, const char *s, size_t n) {
    size_t j = 0;
    for (size_t i = 0; i < n && j + 1 < outlen; i++) {
        unsigned char c = (unsigned char)s[i];
        out[j++] = c == ';' ? ':' : (c < 0x20 || c == 0x7f) ? '?' : (char)c;
    }
    out[j] = '\0';
}

/* The PID of a dso "/tmp/perf-PID.map" (any directory), or -1. */
static int perf_map_pid(const char *dso, size_t n) {
    const char *base = dso;
    for (size_t i = 0; i < n; i++)
        if (dso[i] == '/') base = dso + i + 1;
    size_t blen = n - (size_t)(base - dso);
    if (blen < 10 || strncmp(base, "perf-", 5) || strncmp(base + blen - 4, ".map", 4)) return -1;
    int pid = 0;
    for (size_t i = 5; i < blen - 4; i++) {
        if (!isdigit((unsigned char)base[i]) || pid > 99999999) return -1;
        pid = pid * 10 + (base[i] - '0');
    }
    return pid;
}

/* A perf-map symbol (offset already gone) as "function script" (see the top). */
static void jit_name(const char *sym, size_t n, char *out, size_t outlen) {
    static const char *const tags[] = {
        "JS:", "LazyCompile:", "Function:", "Script:", "InterpretedFunction:", NULL};
    for (int i = 0; tags[i]; i++) {
        size_t t = strlen(tags[i]);
        if (n >= t && !strncmp(sym, tags[i], t)) {
            sym += t;
            n -= t;
            if (n && strchr("~^+*", *sym)) {
                sym++;
                n--;
            }
            break;
        }
    }
    const char *space = memchr(sym, ' ', n);
    size_t fn = space ? (size_t)(space - sym) : n;
    char buf[1024];
    size_t j = fn ? (size_t)snprintf(buf, sizeof buf, "%.*s", (int)fn, sym)
                  : (size_t)snprintf(buf, sizeof buf, "(anonymous)");
    if (space && j < sizeof buf) {
        const char *loc = space + 1, *end = sym + n;
        for (const char *q = loc; q < end; q++)
            if (*q == '/') loc = q + 1;
        snprintf(buf + j, sizeof buf - j, " %.*s", (int)(end - loc), loc);
    }
    copy_clean(out, outlen, buf, strlen(buf));
}

void rn_fg_frame_clean(const char *sym, size_t symlen, const char *dso, size_t dsolen, char *out,
                       size_t outlen) {
    if (outlen == 0) return;
    while (symlen && isspace((unsigned char)*sym)) {
        sym++;
        symlen--;
    }
    while (symlen && isspace((unsigned char)sym[symlen - 1])) symlen--;
    symlen = without_offset(sym, symlen);
    int unknown = symlen == 0 || (symlen == 9 && !memcmp(sym, "[unknown]", 9)) ||
                  is_address(sym, symlen);
    if (dso && perf_map_pid(dso, dsolen) >= 0) { /* JIT code: the same in every process */
        if (unknown) copy_clean(out, outlen, "[jit]", 5);
        else jit_name(sym, symlen, out, outlen);
        return;
    }
    if (!unknown) {
        copy_clean(out, outlen, sym, symlen);
        return;
    }
    if (dso && dsolen && !(dsolen == 9 && !memcmp(dso, "[unknown]", 9))) {
        const char *base = dso;
        for (size_t i = 0; i < dsolen; i++)
            if (dso[i] == '/') base = dso + i + 1;
        size_t blen = dsolen - (size_t)(base - dso);
        if (blen && base[0] == '[' && base[blen - 1] == ']') {
            base++;
            blen -= 2;
        }
        if (blen && outlen > 3) {
            out[0] = '[';
            copy_clean(out + 1, outlen - 2, base, blen);
            size_t l = strlen(out);
            out[l] = ']';
            out[l + 1] = '\0';
            return;
        }
    }
    copy_clean(out, outlen, "[unknown]", 9);
}

static void note_jit_pid(fg_fold_stats *stats, int pid) {
    if (!stats || pid < 0) return;
    for (size_t i = 0; i < stats->njit_pids; i++)
        if (stats->jit_pids[i] == pid) return;
    if (stats->njit_pids < sizeof stats->jit_pids / sizeof stats->jit_pids[0])
        stats->jit_pids[stats->njit_pids++] = pid;
}

void rn_fg_frame_parse_line(const char *line, char *out, size_t outlen, fg_fold_stats *stats) {
    const char *p = line;
    while (*p == ' ' || *p == '\t') p++;
    const char *addr = p;
    while (*p && *p != ' ' && *p != '\t') p++;
    int has_addr = 1;
    for (const char *a = addr; a < p; a++)
        if (!isxdigit((unsigned char)*a)) has_addr = 0;
    if (!has_addr || p == addr) p = addr;
    while (*p == ' ' || *p == '\t') p++;
    const char *sym = p, *end = p + strlen(p);
    while (end > sym && isspace((unsigned char)end[-1])) end--;
    const char *dso = NULL;
    size_t dsolen = 0, symlen = (size_t)(end - sym);
    if (end > sym && end[-1] == ')') {
        for (const char *q = end - 1; q > sym; q--)
            if (q[0] == '(' && q[-1] == ' ') {
                dso = q + 1;
                dsolen = (size_t)(end - 1 - dso);
                symlen = (size_t)(q - 1 - sym);
                break;
            }
        if (!dso && sym[0] == '(') { /* "addr ([unknown])": no symbol at all */
            dso = sym + 1;
            dsolen = (size_t)(end - 1 - dso);
            symlen = 0;
        }
    }
    rn_fg_frame_clean(sym, symlen, dso, dsolen, out, outlen);
    int pid = dso ? perf_map_pid(dso, dsolen) : -1;
    note_jit_pid(stats, pid);
}

int rn_fg_frames_push(char ***frames, size_t *n, size_t *cap, const char *name) {
    if (*n == *cap) {
        size_t grown = *cap ? *cap * 2 : 32;
        char **f = realloc(*frames, grown * sizeof *f);
        if (!f) return -1;
        *frames = f;
        *cap = grown;
    }
    if (!((*frames)[*n] = strdup(name))) return -1;
    (*n)++;
    return 0;
}

ssize_t rn_fg_read_line(FILE *in, char **line, size_t *cap) {
    ssize_t len = getline(line, cap, in);
    while (len > 0 && ((*line)[len - 1] == '\n' || (*line)[len - 1] == '\r')) (*line)[--len] = '\0';
    return len;
}
