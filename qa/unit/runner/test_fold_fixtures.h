/* test_fold_fixtures.h: canned capture output for test_fold.c, shaped like what
 * `perf script` (linux-perf 6.x) and bpftrace 0.17 print on this kind of host. */
#ifndef TEST_FOLD_FIXTURES_H
#define TEST_FOLD_FIXTURES_H

/* Five samples: an idle CPU (swapper in do_idle), a process whose name has a space with
 * pid/tid and cpu, the same stack again, a sample without a cpu column whose user frames
 * are unknown (two in a row), and a kernel thread without frames. */
static const char perf_script_text[] =
    "swapper     0 [000]   596.453316:   10101010 cpu-clock: \n"
    "\tffffffff821f236b pv_native_safe_halt+0xb ([kernel.kallsyms])\n"
    "\tffffffff821f3e75 default_idle+0x5 ([kernel.kallsyms])\n"
    "\tffffffff813c38a6 do_idle+0x136 ([kernel.kallsyms])\n"
    "\tffffffff813c3ba5 cpu_startup_entry+0x25 ([kernel.kallsyms])\n"
    "\n"
    "my prog  4242/4243 [001]   596.463364:   10101010 cpu-clock: \n"
    "\t            1139 hot_loop+0x19 (/tmp/my prog)\n"
    "\t            1180 main+0x20 (/tmp/my prog)\n"
    "\t           29d90 __libc_start_call_main+0x80 (/usr/lib/x86_64-linux-gnu/libc.so.6)\n"
    "\n"
    "my prog  4242/4243 [001]   596.473364:   10101010 cpu-clock: \n"
    "\t            1139 hot_loop+0x1d (/tmp/my prog)\n"
    "\t            1180 main+0x20 (/tmp/my prog)\n"
    "\t           29d90 __libc_start_call_main+0x80 (/usr/lib/x86_64-linux-gnu/libc.so.6)\n"
    "\n"
    "node 777   596.483589:   10101010 cpu-clock: \n"
    "\tffffffff816b5ad2 rw_verify_area+0x52 ([kernel.kallsyms])\n"
    "\t    7f1f06dab738 [unknown] ([unknown])\n"
    "\t    7f1f06d353c0 [unknown] ([unknown])\n"
    "\t          a1b2c3 [unknown] (/usr/bin/node)\n"
    "\t          a1b2d0 v8::internal::Run;x+0x10 (/usr/bin/node)\n"
    "\n"
    "kworker/0:1-eve    12 [000]   596.493692:   10101010 cpu-clock: \n"
    "\n";

static const char perf_script_folded[] =
    "kworker/0:1-eve 1\n"
    "my prog;__libc_start_call_main;main;hot_loop 2\n"
    "node;v8::internal::Run:x;[node];[unknown];rw_verify_area 1\n";

static const char perf_script_folded_with_idle[] =
    "kworker/0:1-eve 1\n"
    "my prog;__libc_start_call_main;main;hot_loop 2\n"
    "node;v8::internal::Run:x;[node];[unknown];rw_verify_area 1\n"
    "swapper;cpu_startup_entry;do_idle;default_idle;pv_native_safe_halt 1\n";

/* bpftrace -e 'profile:hz:99 { @[kstack, ustack, comm] = count(); }' */
static const char bpftrace_text[] = "Attaching 2 probes...\n"
                                    "\n"
                                    "\n"
                                    "@[, \n"
                                    "    0x7f1f06dab738\n"
                                    "    0x696f70000a277325\n"
                                    ", mandb]: 1\n"
                                    "@[\n"
                                    "    vfs_read+570\n"
                                    "    ksys_read+102\n"
                                    "    do_syscall_64+113\n"
                                    ", \n"
                                    "    __libc_read+13\n"
                                    "    main+44\n"
                                    ", cat]: 7\n"
                                    "@[\n"
                                    "    pv_native_safe_halt+11\n"
                                    "    default_idle+9\n"
                                    "    do_idle+310\n"
                                    ", \n"
                                    ", swapper/1]: 180\n"
                                    "@[\n"
                                    "    hot_loop+5\n"
                                    ", \n"
                                    "    main+20\n"
                                    ", a, b]: 3\n";

static const char bpftrace_folded[] = "a, b;main;hot_loop 3\n"
                                      "cat;main;__libc_read;do_syscall_64;ksys_read;vfs_read 7\n"
                                      "mandb;[unknown] 1\n";

#endif
