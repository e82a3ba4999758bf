/* sampler.c: per-thread CPU-time clocks, the SIGPROF handler and the registry of rings.
 *
 * Why a clock per thread and not setitimer(ITIMER_PROF): ITIMER_PROF is one timer for the
 * whole process; the kernel checks it only at scheduler ticks and queues at most one SIGPROF
 * at a time to whichever thread is running, so with several busy threads it under-samples
 * and biases towards some threads (the reason Go moved to per-thread timers in 1.18). A
 * clock on each thread's own CPU time that signals that thread samples every thread at
 * the configured rate of its own CPU time. The price: threads must register
 * (agent_thread_start).
 *
 * Why a perf_event task-clock counter by default and not a POSIX CPU-time timer
 * (timer_create(CLOCK_THREAD_CPUTIME_ID), Go's design): the kernel checks POSIX CPU timers
 * at its ticks only, so a thread that runs in bursts shorter than a tick and sleeps in
 * between (a request-driven service: ~100 us of CPU per request) is looked at rarely while
 * it runs: measured on a tickless 6.x kernel, 250 us bursts with 1 ms sleeps gave 24-28
 * signals of the 50 its CPU time called for, an HTTP service's workers a tenth to two
 * thirds of theirs, against 48-50 for a task-clock counter, which an hrtimer drives while
 * the thread runs (README.md). The counter's overflow signals its thread
 * (F_SETOWN_EX with F_OWNER_TID, F_SETSIG SIGPROF) and stops (PERF_EVENT_IOC_REFRESH 1);
 * the handler re-arms it. Where perf_event_open is refused (perf_event_paranoid, seccomp,
 * no perf events), the agent falls back to the timer and says so once. */
#include "sampler.h"
#include "log.h"
#include "unwind.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef sigev_notify_thread_id
#define sigev_notify_thread_id _sigev_un._tid
#endif

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static agent_ring *rings;    /* every ring ever registered, until free */
static _Atomic int sampling; /* the handler records only while this is 1 */
static _Atomic int handlers_running;
static long interval_ns;
static int use_perf; /* this start's clock: 1 perf, 0 timer */
static struct sigaction previous_action;
static int handler_installed;
static _Atomic unsigned generation;       /* bumped by each agent_sampler_start */
static _Thread_local agent_ring *my_ring; /* valid only while my_generation == generation */
static _Thread_local unsigned my_generation;

static void on_sigprof(int sig, siginfo_t *si, void *ucontext) {
    (void)sig;
    int saved_errno = errno;
    uint64_t t0 = agent_ticks();
    atomic_fetch_add_explicit(&handlers_running, 1, memory_order_acq_rel);
    agent_ring *r = NULL;
    if (si != NULL && si->si_code == SI_TIMER) r = si->si_value.sival_ptr;
    else if (si != NULL && (si->si_code == POLL_HUP || si->si_code == POLL_IN)) {
        /* the perf sampler's counter: this thread's ring, if the signal is its counter's */
        agent_ring *mine = my_ring;
        if (mine != NULL && si->si_fd >= 0 && si->si_fd == atomic_load(&mine->perf_fd)) r = mine;
    }
    if (r != NULL && atomic_load_explicit(&sampling, memory_order_acquire)) {
        if (atomic_load_explicit(&r->active, memory_order_acquire)) {
            uintptr_t pc, fp, sp;
            agent_sample *slot;
            if (agent_unwind_regs(ucontext, &pc, &fp, &sp) == 0 && (slot = agent_ring_reserve(r))) {
                slot->nwords = 0;
                slot->weight = 1; /* a perf signal's siginfo has no overrun field */
                if (si->si_code == SI_TIMER && si->si_overrun > 0)
                    slot->weight += (uint32_t)si->si_overrun;
                if (sp < r->stack_lo || sp >= r->stack_hi) {
                    slot->depth = (uint32_t)agent_unwind_fp(pc, 0, 1, 0, slot->pcs,
                                                            AGENT_MAX_FRAMES);
                } else {
                    slot->nwords = (uint32_t)agent_copy_stack_words(
                        sp, r->stack_hi, slot->stack_words, AGENT_STACK_WORDS);
                    slot->depth = (uint32_t)agent_unwind_fp(pc, fp, sp, r->stack_hi, slot->pcs,
                                                            AGENT_MAX_FRAMES);
                }
                agent_ring_commit(r);
            }
            int fd = atomic_load_explicit(&r->perf_fd, memory_order_acquire);
            if (fd >= 0) ioctl(fd, PERF_EVENT_IOC_REFRESH, 1); /* re-arm the counter */
            atomic_fetch_add_explicit(&r->handler_ticks, agent_ticks() - t0, memory_order_relaxed);
        }
    }
    atomic_fetch_sub_explicit(&handlers_running, 1, memory_order_acq_rel);
    errno = saved_errno;
}

/* A task-clock counter of the calling thread that signals thread tid every interval_ns of
 * its CPU time, not yet armed (perf_clock_arm); -1 with errno when perf events are
 * refused. Kernel time counts too, as on the thread's CPU clock; where only user time may
 * be counted (perf_event_paranoid 2), user time. */
static int perf_clock_open(int tid) {
    struct perf_event_attr a;
    memset(&a, 0, sizeof a);
    a.size = sizeof a;
    a.type = PERF_TYPE_SOFTWARE;
    a.config = PERF_COUNT_SW_TASK_CLOCK;
    a.sample_period = (unsigned long long)interval_ns;
    a.disabled = 1;
    a.exclude_hv = 1;
    a.wakeup_events = 1;
    int fd = (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
    if (fd < 0 && (errno == EACCES || errno == EPERM)) {
        a.exclude_kernel = 1;
        fd = (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
    }
    if (fd < 0) return -1;
    struct f_owner_ex owner = {F_OWNER_TID, tid};
    if (fcntl(fd, F_SETFL, O_ASYNC) < 0 || fcntl(fd, F_SETSIG, SIGPROF) < 0 ||
        fcntl(fd, F_SETOWN_EX, &owner) < 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

/* Counts until the next overflow, which signals and stops it (the handler re-arms). */
static int perf_clock_arm(int fd) {
    return ioctl(fd, PERF_EVENT_IOC_REFRESH, 1);
}

const char *agent_sampler_clock(void) {
    return use_perf ? "perf" : "timer";
}

int agent_sampler_start(int rate_hz, int clock) {
    interval_ns = 1000000000L / rate_hz;
    use_perf = clock == AGENT_SAMPLER_PERF;
    if (use_perf) { /* try it once here, so that every thread gets the same clock */
        int fd = perf_clock_open((int)syscall(SYS_gettid)); /* opened, never armed */
        if (fd < 0) {
            agent_log(AGENT_LOG_INFO,
                      "perf_event_open refused (%s): sampling with CPU-time timers, which "
                      "under-sample threads that run in short bursts",
                      strerror(errno));
            use_perf = 0;
        } else close(fd);
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_sigprof;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGPROF, &sa, &previous_action) < 0) {
        agent_log(AGENT_LOG_ERROR, "cannot install the SIGPROF handler: %s", strerror(errno));
        return -1;
    }
    handler_installed = 1;
    atomic_fetch_add(&generation, 1);
    atomic_store(&sampling, 1);
    return 0;
}

static void thread_stack_bounds(uintptr_t *lo, uintptr_t *hi) {
    pthread_attr_t attr;
    void *addr;
    size_t size;
    *lo = *hi = 0;
    if (pthread_getattr_np(pthread_self(), &attr) != 0) return;
    if (pthread_attr_getstack(&attr, &addr, &size) == 0) {
        *lo = (uintptr_t)addr;
        *hi = (uintptr_t)addr + size;
    }
    pthread_attr_destroy(&attr);
}

int agent_sampler_thread_start(void) {
    if (!atomic_load(&sampling)) return 0;
    if (my_ring != NULL && my_generation == atomic_load(&generation)) return 0;
    agent_ring *r = calloc(1, sizeof *r);
    if (r == NULL) {
        agent_log(AGENT_LOG_WARN, "no memory for a thread's sample buffer; thread not sampled");
        return -1;
    }
    thread_stack_bounds(&r->stack_lo, &r->stack_hi);
    r->tid = (int)syscall(SYS_gettid);
    atomic_store(&r->perf_fd, -1);
    atomic_store(&r->active, 1);
    if (use_perf) {
        pthread_mutex_lock(&registry_lock);
        r->next = rings;
        rings = r;
        pthread_mutex_unlock(&registry_lock);
        my_ring = r; /* before the counter runs: its handler finds the ring here */
        my_generation = atomic_load(&generation);
        int fd = perf_clock_open(r->tid);
        atomic_store(&r->perf_fd, fd); /* before it is armed: the handler matches its signals */
        if (fd >= 0 && perf_clock_arm(fd) < 0) {
            int e = errno;
            atomic_store(&r->perf_fd, -1);
            close(fd);
            errno = e;
            fd = -1;
        }
        if (fd < 0) {
            agent_log(AGENT_LOG_WARN, "perf_event_open for thread %d: %s; thread not sampled",
                      r->tid, strerror(errno));
            atomic_store(&r->active, 0); /* the ring stays in the registry, empty */
            my_ring = NULL;
            return -1;
        }
        agent_log(AGENT_LOG_DEBUG, "sampling thread %d every %ld us of its CPU time (perf)", r->tid,
                  interval_ns / 1000);
        return 0;
    }

    struct sigevent sev;
    memset(&sev, 0, sizeof sev);
    sev.sigev_notify = SIGEV_THREAD_ID;
    sev.sigev_signo = SIGPROF;
    sev.sigev_value.sival_ptr = r;
    sev.sigev_notify_thread_id = r->tid;
    if (timer_create(CLOCK_THREAD_CPUTIME_ID, &sev, &r->timer) < 0) {
        agent_log(AGENT_LOG_WARN, "timer_create for thread %d: %s; thread not sampled", r->tid,
                  strerror(errno));
        free(r);
        return -1;
    }
    r->has_timer = 1;

    pthread_mutex_lock(&registry_lock);
    r->next = rings;
    rings = r;
    pthread_mutex_unlock(&registry_lock);
    my_ring = r;
    my_generation = atomic_load(&generation);

    struct itimerspec its;
    its.it_interval.tv_sec = interval_ns / 1000000000L;
    its.it_interval.tv_nsec = interval_ns % 1000000000L;
    its.it_value = its.it_interval;
    if (timer_settime(r->timer, 0, &its, NULL) < 0)
        agent_log(AGENT_LOG_WARN, "timer_settime for thread %d: %s", r->tid, strerror(errno));
    agent_log(AGENT_LOG_DEBUG, "sampling thread %d every %ld us of its CPU time", r->tid,
              interval_ns / 1000);
    return 0;
}

static void ring_disarm(agent_ring *r) {
    atomic_store(&r->active, 0);
    if (r->has_timer) {
        timer_delete(r->timer);
        r->has_timer = 0;
    }
    int fd = atomic_exchange(&r->perf_fd, -1); /* a late signal no longer matches it */
    if (fd >= 0) {
        ioctl(fd, PERF_EVENT_IOC_DISABLE, 0);
        close(fd);
    }
}

void agent_sampler_thread_stop(void) {
    agent_ring *r = my_ring;
    if (r == NULL) return;
    pthread_mutex_lock(&registry_lock);
    if (atomic_load(&sampling) && my_generation == atomic_load(&generation)) ring_disarm(r);
    pthread_mutex_unlock(&registry_lock);
    my_ring = NULL;
}

void agent_sampler_drain(void (*fn)(const agent_sample *, void *), void *arg) {
    pthread_mutex_lock(&registry_lock);
    for (agent_ring *r = rings; r != NULL; r = r->next) agent_ring_drain(r, fn, arg);
    pthread_mutex_unlock(&registry_lock);
}

void agent_sampler_counts(uint64_t *taken, uint64_t *dropped, uint64_t *handler_ticks) {
    *taken = *dropped = *handler_ticks = 0;
    pthread_mutex_lock(&registry_lock);
    for (agent_ring *r = rings; r != NULL; r = r->next) {
        *taken += atomic_load(&r->taken);
        *dropped += atomic_load(&r->dropped);
        *handler_ticks += atomic_load(&r->handler_ticks);
    }
    pthread_mutex_unlock(&registry_lock);
}

void agent_sampler_stop(void) {
    if (!handler_installed) return;
    atomic_store(&sampling, 0);
    pthread_mutex_lock(&registry_lock);
    for (agent_ring *r = rings; r != NULL; r = r->next) ring_disarm(r);
    pthread_mutex_unlock(&registry_lock);

    /* Ignoring SIGPROF discards signals still queued; then restore the program's action. */
    struct sigaction ignore;
    memset(&ignore, 0, sizeof ignore);
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    sigaction(SIGPROF, &ignore, NULL);
    for (int i = 0; i < 1000 && atomic_load(&handlers_running) > 0; i++) {
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    sigaction(SIGPROF, &previous_action, NULL);
    handler_installed = 0;
    my_ring = NULL;
}

void agent_sampler_free(void) {
    pthread_mutex_lock(&registry_lock);
    agent_ring *r = rings;
    rings = NULL;
    pthread_mutex_unlock(&registry_lock);
    while (r != NULL) {
        agent_ring *next = r->next;
        free(r);
        r = next;
    }
}
