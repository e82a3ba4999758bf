/* symbols.c: address -> function name, from the ELF symbol tables of the loaded objects.
 * Each object's file is mapped read-only on first use; its function symbols are sorted by
 * address (aliases folded into one entry) and searched by bisection. Offsets read from the
 * file are bounds- and alignment-checked, so a truncated or odd file gives no symbols
 * rather than a crash, and a name counts for at most NAME_MAX_LEN bytes, so no file makes
 * the work grow with the product of its symbols and their names' lengths. */
#include "symbols.h"

#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct func_symbol {
    uintptr_t start, size; /* link-time address (add the module's base) */
    const char *name;      /* inside the module's mapping, not terminated past */
    size_t len;            /* ... len bytes (at most NAME_MAX_LEN) */
} func_symbol;

/* Longer names are cut (a lookup's buffer is far shorter anyway). */
#define NAME_MAX_LEN 1024

typedef struct module {
    char path[512];
    char short_name[128];
    uintptr_t base, lo, hi;         /* load bias; [lo, hi) = its PT_LOAD segments at runtime */
    uintptr_t text_lo, text_hi;     /* its first executable segment at runtime */
    uintptr_t seg_lo[8], seg_hi[8]; /* its PT_LOAD segments (mapped memory) at runtime */
    int nsegs;
    int loaded;
    int borrowed; /* map is the caller's (agent_symbols_from_image) */
    void *map;
    size_t map_size;
    func_symbol *funcs;
    size_t nfuncs;
    int sorted; /* funcs sorted by start (done after a few lookups) */
    unsigned lookups;
} module;

struct agent_symbols {
    module *mods;
    size_t nmods, cap;
};

agent_symbols *agent_symbols_new(void) {
    return calloc(1, sizeof(agent_symbols));
}

static void module_release(module *m) {
    free(m->funcs);
    if (m->map != NULL && !m->borrowed) munmap(m->map, m->map_size);
}

void agent_symbols_free(agent_symbols *syms) {
    if (syms == NULL) return;
    for (size_t i = 0; i < syms->nmods; i++) module_release(&syms->mods[i]);
    free(syms->mods);
    free(syms);
}

/* Among aliases (symbols with the same start), the shortest name wins (read over __read
 * and __libc_read), then the first in byte order: the same answer whether the table was
 * scanned or bisected. */
static int name_order(const func_symbol *x, const func_symbol *y) {
    if (x->len != y->len) return x->len < y->len ? -1 : 1;
    return memcmp(x->name, y->name, x->len);
}

static int by_start(const void *a, const void *b) {
    const func_symbol *x = a, *y = b;
    if (x->start != y->start) return x->start < y->start ? -1 : 1;
    return name_order(x, y);
}

static int in_file(size_t size, uint64_t off, uint64_t len) {
    return off <= size && len <= size - off;
}

/* Reads the function symbols of one ELF64 file mapped at map[0..size). */
static void read_elf_functions(module *m) {
    const unsigned char *map = m->map;
    size_t size = m->map_size;
    if (size < sizeof(Elf64_Ehdr) || memcmp(map, ELFMAG, SELFMAG) != 0 ||
        map[EI_CLASS] != ELFCLASS64)
        return;
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)map;
    /* the tables are read in place: they must be where their types may be */
    if (eh->e_shentsize != sizeof(Elf64_Shdr) || eh->e_shoff % _Alignof(Elf64_Shdr) != 0 ||
        !in_file(size, eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr)))
        return;
    const Elf64_Shdr *sh = (const Elf64_Shdr *)(map + eh->e_shoff);
    const Elf64_Shdr *table = NULL, *dynamic = NULL;
    for (unsigned i = 0; i < eh->e_shnum; i++) {
        if (sh[i].sh_link >= eh->e_shnum) continue;
        if (sh[i].sh_type == SHT_SYMTAB && table == NULL) table = &sh[i];
        else if (sh[i].sh_type == SHT_DYNSYM && dynamic == NULL) dynamic = &sh[i];
    }
    if (table == NULL) table = dynamic;
    if (table == NULL || table->sh_entsize != sizeof(Elf64_Sym) ||
        table->sh_offset % _Alignof(Elf64_Sym) != 0 ||
        !in_file(size, table->sh_offset, table->sh_size))
        return;
    const Elf64_Shdr *strs = &sh[table->sh_link];
    if (!in_file(size, strs->sh_offset, strs->sh_size) || strs->sh_size == 0) return;
    const char *strtab = (const char *)map + strs->sh_offset;
    if (strtab[strs->sh_size - 1] != '\0') return;
    const Elf64_Sym *sym = (const Elf64_Sym *)(map + table->sh_offset);
    size_t n = table->sh_size / sizeof(Elf64_Sym);
    m->funcs = calloc(n ? n : 1, sizeof(func_symbol));
    if (m->funcs == NULL) return;
    for (size_t i = 0; i < n; i++) {
        int type = ELF64_ST_TYPE(sym[i].st_info);
        if ((type != STT_FUNC && type != STT_GNU_IFUNC) || sym[i].st_shndx == SHN_UNDEF ||
            sym[i].st_value == 0 || sym[i].st_name >= strs->sh_size)
            continue;
        func_symbol *f = &m->funcs[m->nfuncs++];
        f->start = sym[i].st_value;
        f->size = sym[i].st_size;
        f->name = strtab + sym[i].st_name;
        f->len = strnlen(f->name, NAME_MAX_LEN);
    }
}

/* Sort by start, then fold each run of aliases into its preferred name (the first, by
 * by_start), spanning the largest of their sizes. */
static void sort_functions(module *m) {
    if (m->nfuncs > 1) qsort(m->funcs, m->nfuncs, sizeof(func_symbol), by_start);
    size_t out = 0;
    for (size_t i = 0; i < m->nfuncs; i++) {
        if (out > 0 && m->funcs[out - 1].start == m->funcs[i].start) {
            if (m->funcs[i].size > m->funcs[out - 1].size)
                m->funcs[out - 1].size = m->funcs[i].size;
            continue;
        }
        m->funcs[out++] = m->funcs[i];
    }
    m->nfuncs = out;
    m->sorted = 1;
}

static void module_load(module *m) {
    m->loaded = 1;
    int fd = open(m->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
        void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p != MAP_FAILED) {
            m->map = p;
            m->map_size = (size_t)st.st_size;
            read_elf_functions(m);
        }
    }
    close(fd);
}

agent_symbols *agent_symbols_from_image(const void *image, size_t size) {
    agent_symbols *syms = agent_symbols_new();
    if (syms == NULL || (syms->mods = calloc(1, sizeof(module))) == NULL) {
        free(syms);
        return NULL;
    }
    module *m = &syms->mods[0];
    syms->nmods = syms->cap = 1;
    snprintf(m->path, sizeof m->path, "image");
    snprintf(m->short_name, sizeof m->short_name, "image");
    m->lo = 0;
    m->hi = UINTPTR_MAX;
    m->loaded = m->borrowed = 1;
    m->map = (void *)image;
    m->map_size = size;
    read_elf_functions(m);
    return syms;
}

static int collect_module(struct dl_phdr_info *info, size_t size, void *arg) {
    (void)size;
    agent_symbols *syms = arg;
    uintptr_t lo = UINTPTR_MAX, hi = 0, text_lo = 0, text_hi = 0;
    uintptr_t seg_lo[8] = {0}, seg_hi[8] = {0};
    int nsegs = 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD) continue;
        uintptr_t s = info->dlpi_addr + ph->p_vaddr;
        if (nsegs < 8) {
            seg_lo[nsegs] = s;
            seg_hi[nsegs++] = s + ph->p_memsz;
        }
        if ((ph->p_flags & PF_X) && text_hi == 0) {
            text_lo = s;
            text_hi = s + ph->p_filesz;
        }
        if (s < lo) lo = s;
        if (s + ph->p_memsz > hi) hi = s + ph->p_memsz;
    }
    if (hi <= lo) return 0;
    for (size_t i = 0; i < syms->nmods; i++)
        if (syms->mods[i].lo == lo && syms->mods[i].hi == hi) return 0;
    if (syms->nmods == syms->cap) {
        size_t cap = syms->cap ? syms->cap * 2 : 16;
        module *mods = realloc(syms->mods, cap * sizeof(module));
        if (mods == NULL) return 1;
        syms->mods = mods;
        syms->cap = cap;
    }
    module *m = &syms->mods[syms->nmods++];
    memset(m, 0, sizeof *m);
    m->base = info->dlpi_addr;
    m->lo = lo;
    m->hi = hi;
    m->text_lo = text_lo;
    m->text_hi = text_hi;
    m->nsegs = nsegs;
    memcpy(m->seg_lo, seg_lo, sizeof seg_lo);
    memcpy(m->seg_hi, seg_hi, sizeof seg_hi);
    const char *name = info->dlpi_name;
    if (name == NULL || name[0] == '\0') {
        snprintf(m->path, sizeof m->path, "/proc/self/exe");
        char exe[512];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        exe[n > 0 ? n : 0] = '\0';
        name = n > 0 ? exe : "main";
        const char *slash = strrchr(name, '/');
        snprintf(m->short_name, sizeof m->short_name, "%.127s", slash ? slash + 1 : name);
    } else {
        snprintf(m->path, sizeof m->path, "%s", name);
        const char *slash = strrchr(name, '/');
        snprintf(m->short_name, sizeof m->short_name, "%.127s", slash ? slash + 1 : name);
        if (name[0] != '/') m->loaded = 1; /* e.g. linux-vdso.so.1: no file to read */
    }
    return 0;
}

static module *find_module(agent_symbols *syms, uintptr_t addr) {
    for (size_t i = 0; i < syms->nmods; i++)
        if (addr >= syms->mods[i].lo && addr < syms->mods[i].hi) return &syms->mods[i];
    return NULL;
}

/* The first lookups scan the table (a program's stacks touch few functions of each
 * library, and sorting libc's thousands of symbols would cost more than the scans); after
 * SCAN_LOOKUPS the table is sorted once and bisected. */
#define SCAN_LOOKUPS 32

/* The nearest start below a wins; among aliases, name_order decides. */
static int preferred(const func_symbol *f, const func_symbol *best) {
    if (best == NULL || f->start > best->start) return 1;
    if (f->start < best->start) return 0;
    return name_order(f, best) < 0;
}

static int contains(const func_symbol *f, uintptr_t a) {
    return f->start <= a && a < f->start + (f->size ? f->size : 1);
}

static const func_symbol *scan_function(const module *m, uintptr_t a) {
    const func_symbol *best = NULL;
    for (size_t i = 0; i < m->nfuncs; i++)
        if (contains(&m->funcs[i], a) && preferred(&m->funcs[i], best)) best = &m->funcs[i];
    return best;
}

static const func_symbol *find_function(module *m, uintptr_t addr) {
    uintptr_t a = addr - m->base;
    if (!m->sorted) {
        if (++m->lookups <= SCAN_LOOKUPS) return scan_function(m, a);
        sort_functions(m);
    }
    size_t lo = 0, hi = m->nfuncs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->funcs[mid].start <= a) lo = mid + 1;
        else hi = mid;
    }
    /* lo is the first symbol past a: the one before it (its aliases folded in) or none */
    return lo > 0 && contains(&m->funcs[lo - 1], a) ? &m->funcs[lo - 1] : NULL;
}

int agent_symbols_lookup(agent_symbols *syms, uintptr_t addr, char *buf, size_t len) {
    module *m = find_module(syms, addr);
    if (m == NULL) {
        dl_iterate_phdr(collect_module, syms); /* something was loaded since */
        m = find_module(syms, addr);
    }
    if (m != NULL) {
        if (!m->loaded) module_load(m);
        const func_symbol *f = find_function(m, addr);
        if (f != NULL) {
            /* gcc's clones (fib.constprop.0, f.isra.0, f.part.1, f.cold) are the same
             * source function: C and C++ symbol names contain no other '.'. */
            const char *dot = f->len > 1 ? memchr(f->name + 1, '.', f->len - 1) : NULL;
            int n = dot ? (int)(dot - f->name) : (int)f->len;
            snprintf(buf, len, "%.*s", n, f->name);
            return 1;
        }
    }
    Dl_info info;
    if (dladdr((void *)addr, &info) != 0 && info.dli_sname != NULL) {
        snprintf(buf, len, "%s", info.dli_sname);
        return 1;
    }
    snprintf(buf, len, "[%s]", m != NULL ? m->short_name : "unknown");
    return 0;
}

static int in_text(const module *m, uintptr_t a, size_t len) {
    return m != NULL && a >= m->text_lo && a + len <= m->text_hi && a + len > a;
}

/* Whether [a, a + len) lies in one of the module's loaded segments (so it can be read). */
static int in_segment(const module *m, uintptr_t a, size_t len) {
    for (int i = 0; i < m->nsegs; i++)
        if (a >= m->seg_lo[i] && a + len <= m->seg_hi[i] && a + len > a) return 1;
    return 0;
}

int agent_symbols_is_call_to(agent_symbols *syms, uintptr_t ret, uintptr_t pc) {
#if defined(__x86_64__)
    module *callee = find_module(syms, pc), *caller = find_module(syms, ret);
    if (callee == NULL || caller == NULL || ret < 6 || !in_text(caller, ret - 6, 6)) return 0;
    if (!callee->loaded) module_load(callee);
    if (!caller->loaded) module_load(caller);
    const func_symbol *f = find_function(callee, pc);
    if (f == NULL) return 0;
    uintptr_t start = callee->base + f->start;
    const unsigned char *code = (const unsigned char *)ret;
    int32_t disp;
    if (code[-5] == 0xe8) { /* call rel32 */
        memcpy(&disp, code - 4, sizeof disp);
        uintptr_t target = ret + (uintptr_t)(intptr_t)disp;
        if (target == start) return 1;
        /* A PLT stub: code in the caller without a function symbol, calling elsewhere. */
        return callee != caller && in_text(caller, target, 1) &&
               find_function(caller, target) == NULL;
    }
    if (code[-6] == 0xff && code[-5] == 0x15) { /* call *disp32(%rip): -fno-plt */
        memcpy(&disp, code - 4, sizeof disp);
        uintptr_t slot = ret + (uintptr_t)(intptr_t)disp;
        if (!in_segment(caller, slot, sizeof(uintptr_t))) return 0;
        uintptr_t target;
        memcpy(&target, (const void *)slot, sizeof target);
        return target == start;
    }
    return 0;
#else
    (void)syms;
    (void)ret;
    (void)pc;
    return 0;
#endif
}
