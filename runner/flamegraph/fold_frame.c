/* flamegraph/fold_frame.c: what the stack parsers share: frame names (cleaning raw symbols
 * of offsets, separators and unknown frames; recognising the functions only an idle CPU
 * runs), the growing frame list of one stack, and reading one line without its line ending.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "fold.h"

static const char *const idle_functions[] = {
    "cpu_idle", "cpu_idle_poll", "do_idle", "default_idle", "default_idle_call",
    "default_enter_idle", "arch_cpu_idle", "cpuidle_enter", "cpuidle_enter_state",
    "cpuidle_idle_call", "intel_idle", "intel_idle_irq", "intel_idle_ibrs", "acpi_idle_enter",
    "acpi_idle_do_entry", "acpi_safe_halt", "native_safe_halt", "pv_native_safe_halt",
    "safe_halt", "mwait_idle", "mwait_idle_with_hints", "poll_idle", "cpu_startup_entry",
    "cpu_bringup_and_idle", "xen_hypercall_sched_op", "xen_safe_halt", "hv_idle",
    "psci_cpu_suspend_enter", "cpu_do_idle", "swapper",
};

int fg_frame_is_idle(const char *sym) {
    for (size_t i = 0; i < sizeof idle_functions / sizeof idle_functions[0]; i++)
        if (!strcmp(sym, idle_functions[i])) return 1;
    return 0;
}

/* "0x7f1f06dab738" or a bare "7f1f06dab738"; a short all-hex name ("f", "add", "cafe")
 * is a symbol. */
static int is_address(const char *s, size_t n) {
    int prefixed = n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
    if (prefixed) { s += 2; n -= 2; }
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

void fg_frame_clean(const char *sym, size_t symlen, const char *dso, size_t dsolen,
                    char *out, size_t outlen) {
    if (outlen == 0) return;
    while (symlen && isspace((unsigned char)*sym)) { sym++; symlen--; }
    while (symlen && isspace((unsigned char)sym[symlen - 1])) symlen--;
    symlen = without_offset(sym, symlen);
    int unknown = symlen == 0 || (symlen == 9 && !memcmp(sym, "[unknown]", 9)) ||
                  is_address(sym, symlen);
    if (!unknown) {
        copy_clean(out, outlen, sym, symlen);
        return;
    }
    if (dso && dsolen && !(dsolen == 9 && !memcmp(dso, "[unknown]", 9))) {
        const char *base = dso;
        for (size_t i = 0; i < dsolen; i++)
            if (dso[i] == '/') base = dso + i + 1;
        size_t blen = dsolen - (size_t)(base - dso);
        if (blen && base[0] == '[' && base[blen - 1] == ']') { base++; blen -= 2; }
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

int fg_frames_push(char ***frames, size_t *n, size_t *cap, const char *name) {
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

ssize_t fg_read_line(FILE *in, char **line, size_t *cap) {
    ssize_t len = getline(line, cap, in);
    while (len > 0 && ((*line)[len - 1] == '\n' || (*line)[len - 1] == '\r')) (*line)[--len] = '\0';
    return len;
}
