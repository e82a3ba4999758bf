/* migrations.h: the CPU migrations of each run, counted by the kernel (perf's software
 * event), for the helper's end line. One counter on the helper itself, opened once,
 * disabled, with inherit and enable_on_exec: each run's vfork child inherits it and its
 * exec turns the child's copy on, so it counts the run and every process the run starts,
 * never the helper (whose own copy stays off); a child's count joins the helper's counter
 * when it exits. A run's migrations are the counter's change across it, read before the
 * clock starts and after the run is reaped: no system call in the timed span. */
#ifndef AB_HELPER_MIGRATIONS_H
#define AB_HELPER_MIGRATIONS_H

/* The counter now (opened on first use); -1 when the kernel refuses perf events
 * (perf_event_paranoid, seccomp) or the read fails. */
long long rn_migrations_now(void);

#endif
