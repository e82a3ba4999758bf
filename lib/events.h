/* events.h: the journal's events (doc/journal.md), typed. Each event type has a struct
 * whose members are its fields, a builder that makes the event (the head "v", "type", "t"
 * from ab_journal_event(), then the fields in the order listed here) and a reader that
 * fills the struct back from a parsed event. Writers (the runner, `agentbench baseline`)
 * and readers (lib/results.c, the runner's --resume) go through them, so the name, JSON
 * type and place of every field live in this one file.
 *
 * The fields of a type are one X-macro list (in the manner of libuv's UV_ERRNO_MAP):
 * X(KIND, name). The struct, the builder, the reader and the schema table
 * (ab_event_schemas) are all generated from it, so adding a field to an event is one line
 * in its list (and one in doc/journal.md). KIND is one of:
 *   STR           a string (const char *); NULL is not written
 *   STR_NULL      a string; NULL is written as null (run_end.checksum)
 *   INT           an integer (json_int_t), always written
 *   REAL          a number (double), always written (unless NaN or infinite)
 *   BOOL          true or false (int), always written
 *   OPT_INT, OPT_REAL, OPT_BOOL
 *                 the same, written only when the builder's caller set has.NAME
 *   ARRAY, OBJECT a JSON array or object (json_t *, borrowed: the builder takes its own
 *                 reference); NULL is not written
 *   MERGE         a JSON object whose members are written in its place, after the fields
 *                 before it (summary: the cell's statistics as runner/report.c makes them)
 *
 * Reading: ab_ev_TYPE_read(ev, &e) zeroes e, then sets every member the event has with the
 * right JSON type, and has.NAME = 1 for it; a member missing or of another type stays 0 or
 * NULL. Strings, arrays and objects point into ev (valid while ev lives). A number read as
 * INT is truncated (and clamped to json_int_t); BOOL also accepts a number (non-zero is
 * true); REAL takes only finite numbers; MERGE gets ev itself. */
#ifndef AB_EVENTS_H
#define AB_EVENTS_H

#include <stddef.h>
#include <jansson.h>

/* ---- the fields of each event type (doc/journal.md) ------------------------------- */

#define AB_EV_SUITE_START_FIELDS(X)                                                  \
    X(STR, suite) /* the suite id */                                                 \
    X(STR, host)                                                                     \
    X(INT, seed)                                                                     \
    X(STR, order)        /* shuffled | blocked */                                    \
    X(ARRAY, benchmarks) /* names */                                                 \
    X(ARRAY, variants)                                                               \
    X(INT, warmup)                                                                   \
    X(INT, runs)                                                                     \
    X(INT, min_runs)                                                                 \
    X(INT, max_runs)                                                                 \
    X(REAL, target_ci) /* percent, 0 = off */                                        \
    X(INT, total_runs)                                                               \
    X(REAL, slow_delay)                                                              \
    X(REAL, timeout)                                                                 \
    X(ARRAY, argv)           /* the options as given; --resume parses them again */  \
    X(ARRAY, benchmark_dirs) /* agentbench run: absolute paths, benchmarks' order */ \
    X(STR, cpu_bench)        /* agentbench run: CPU lists, "" = not pinned */        \
    X(STR, cpu_ingester)                                                             \
    X(STR, cpu_load) /* v2: the load generator's CPUs (service benchmarks) */        \
    X(OPT_REAL, upload_interval)                                                     \
    X(OPT_BOOL, quick)                                                               \
    X(STR, kind)         /* "baseline" for a suite of `agentbench baseline` */       \
    X(OPT_BOOL, resumed) /* a resume's second suite_start */                         \
    X(ARRAY, profilers)  /* agentbench run --profiler: the names, else absent */     \
    X(STR, server_url)   /* agentbench run --server-url: the external server */

#define AB_EV_BUILD_FIELDS(X)               \
    X(STR, benchmark)                       \
    X(STR, status) /* ok | failed | none */ \
    X(REAL, seconds)                        \
    X(STR, message) /* on failure */

/* ingester_start and ingester_stop */
#define AB_EV_INGESTER_FIELDS(X)                                           \
    X(STR, name)                                                           \
    X(STR, mode)                                                           \
    X(STR, url)     /* the data address */                                 \
    X(STR, control) /* the control address; pmdaagentbench polls /stats */ \
    X(INT, pid)     /* 0 for a remote ingester */                          \
    X(STR, store)   /* run --flamegraph: its --store DIR, suite-relative */

#define AB_EV_RUN_START_FIELDS(X)                                    \
    X(STR, benchmark)                                                \
    X(STR, variant)                                                  \
    X(INT, run) /* within benchmark x variant from 1; 0 = warm-up */ \
    X(INT, seq) /* within the suite, from 1 */                       \
    X(BOOL, warmup)                                                  \
    X(INT, done) /* measured runs finished, planned */               \
    X(INT, total)

/* run_end's fields of schema v2 (doc/journal.md): the exit delay of every run, and the
 * figures of a service run (kind = service; absent in batch runs and v1 journals). */
#define AB_EV_RUN_END_V2_FIELDS(X)                                                         \
    X(STR, kind)                   /* "service"; absent: a batch run */                    \
    X(STR, reason)                 /* why not ok (or the checksum not compared) */         \
    X(OPT_REAL, exit_delay_s)      /* end of work (batch) or SIGTERM (service) to exit */  \
    X(OPT_BOOL, exit_blocked)      /* killed at the timeout: exit_delay_s a lower bound */ \
    X(OBJECT, placement)           /* service: CPU lists {service, load, ingester} */      \
    X(OPT_REAL, upload_interval_s) /* service: the agent's upload interval in effect */    \
    X(OPT_REAL, window_s)          /* service: the latency phase's window */               \
    X(OPT_REAL, ready_s)           /* service: from its start until it answered */         \
    X(OPT_REAL, rate_rps)          /* service: the latency phase's offered rate */         \
    X(OPT_REAL, throughput_rps)    /* the capacity phase: 2xx answers/s at saturation */   \
    X(OPT_REAL, latency_p50_s)     /* the latency phase, from intended send times */       \
    X(OPT_REAL, latency_p90_s)                                                             \
    X(OPT_REAL, latency_p99_s)                                                             \
    X(OPT_REAL, latency_p999_s)                                                            \
    X(OPT_REAL, latency_max_s)                                                             \
    X(OPT_REAL, cpu_window_s)      /* the service's CPU during the latency phase */        \
    X(OPT_REAL, cpu_per_request_s) /* cpu_window_s / its 2xx answers */                    \
    X(OPT_INT, service_requests)   /* the service's `requests:` line */                    \
    X(OPT_INT, client_requests)    /* 2xx answers with a digest the load generator got */  \
    X(STR, checksum_client)        /* their digests summed (16 hex digits) */              \
    X(OPT_BOOL, checksum_ok)       /* checksum == checksum_client, requests agree */       \
    X(OBJECT, errors)              /* the measured phases' failed requests, by kind */     \
    X(OPT_INT, window_profiles)    /* delivered to the ingester in the latency phase */    \
    X(OPT_INT, window_samples)                                                             \
    X(OBJECT, capacity) /* the capacity phase: agentbench load --json */                   \
    X(OBJECT, latency)  /* the latency phase: agentbench load --json */

#define AB_EV_RUN_END_FIELDS(X)                                                            \
    X(STR, benchmark)                                                                      \
    X(STR, variant)                                                                        \
    X(INT, run)                                                                            \
    X(INT, seq)                                                                            \
    X(BOOL, warmup)                                                                        \
    X(STR, status) /* ok failed crashed timeout checksum no_profiles */                    \
    X(INT, exit_code)                                                                      \
    X(INT, signal)                                                                         \
    X(REAL, wall_s)                                                                        \
    X(REAL, user_s)                                                                        \
    X(REAL, sys_s)                                                                         \
    X(INT, maxrss_kb)                                                                      \
    X(INT, nvcsw)                                                                          \
    X(INT, nivcsw)                                                                         \
    X(INT, minflt)                                                                         \
    X(INT, majflt)                                                                         \
    X(INT, profiles) /* delivered to the ingester during the run */                        \
    X(INT, samples)                                                                        \
    X(INT, done) /* after this run */                                                      \
    X(INT, total)                                                                          \
    X(REAL, eta_s)                                                                         \
    X(REAL, steal_pct)                                                                     \
    AB_EV_RUN_END_V2_FIELDS(X)                                                             \
    X(STR_NULL, checksum)                                                                  \
    X(OPT_INT, requests) /* modes where nothing is accepted: requests received */          \
    X(OPT_INT, leftover) /* processes that outlived the run (killed) */                    \
    X(OPT_INT, log_cut)  /* bytes of the run's output cut from its log */                  \
    X(ARRAY, warnings)   /* strings: what went wrong around the run */                     \
    X(STR, profiler)     /* profiled runs: the profiler that ran (runner/profiler.h) */    \
    /* profile accuracy and lost samples (doc/accuracy.md): one block */                   \
    X(STR, profile_status)         /* verified | unverified: WHY (a ground truth) */       \
    X(OPT_REAL, profile_error_pct) /* vs the truth: total variation distance, points */    \
    X(OPT_REAL, profile_bound_pct) /* what sampling alone explains at that N */            \
    X(OPT_REAL, profile_samples)   /* N: samples compared */                               \
    X(OBJECT, profile_shares)      /* {"FUNCTION": {"truth": %, "share": %}, "(other)"} */ \
    X(OPT_INT, agent_samples)      /* taken, by the agent's own counters */                \
    X(OPT_INT, samples_lost)       /* agent_samples the ingester did not receive */        \
    X(OPT_INT, decode_errors)      /* the application's uploads the ingester refused */    \
    X(OPT_INT, migrations)         /* CPU migrations of the run's processes, when counted */

#define AB_EV_SUMMARY_FIELDS(X) \
    X(STR, benchmark)           \
    X(STR, variant)             \
    X(MERGE, figures) /* n, failed, wall, cpu, rss, overhead... (runner/report.c) */

/* The offered rate of a service benchmark's latency phase, fixed once per suite */
#define AB_EV_LOAD_RATE_FIELDS(X)                                            \
    X(STR, benchmark)                                                        \
    X(REAL, rate_rps)                                                        \
    X(REAL, capacity_rps) /* the throughput it was derived from; 0: given */ \
    X(REAL, share)        /* rate / capacity; 0: given */                    \
    X(STR, variant)       /* whose run measured the capacity */              \
    X(STR, source)        /* warmup | run | option */

#define AB_EV_FLAMEGRAPH_FIELDS(X)                             \
    X(STR, benchmark)                                          \
    X(STR_NULL, variant) /* null for a system-wide capture */  \
    X(STR, svg)          /* relative to the suite directory */ \
    X(STR, folded)                                             \
    X(INT, samples)                                            \
    X(STR, diff_svg) /* profiled variants: against the baseline capture */

#define AB_EV_BASELINE_FIELDS(X)                     \
    X(STR, kind) /* cpu | memory | network | disk */ \
    X(STR, name)                                     \
    X(REAL, value)                                   \
    X(STR, unit)                                     \
    X(OBJECT, detail)

#define AB_EV_ERROR_FIELDS(X) \
    X(STR, message)           \
    X(STR, benchmark)         \
    X(STR, variant)           \
    X(STR, part) /* agentbench baseline: the part that failed */

/* something the suite measured that its figures do not show, e.g. runs shorter than the
 * benchmark's expected_duration or than 3 upload intervals of its agent */
#define AB_EV_WARNING_FIELDS(X) \
    X(STR, message)             \
    X(STR, benchmark)           \
    X(STR, variant)             \
    X(STR, kind) /* short_run | few_uploads */

#define AB_EV_SUITE_END_FIELDS(X)                    \
    X(STR, status) /* done | failed | interrupted */ \
    X(INT, done)                                     \
    X(INT, failed)                                   \
    X(INT, total)                                    \
    X(REAL, seconds)

/* Every event type: X(ID, type, struct, FIELDS). */
#define AB_EVENT_TYPES(X)                                              \
    X(SUITE_START, suite_start, suite_start, AB_EV_SUITE_START_FIELDS) \
    X(BUILD, build, build, AB_EV_BUILD_FIELDS)                         \
    X(INGESTER_START, ingester_start, ingester, AB_EV_INGESTER_FIELDS) \
    X(INGESTER_STOP, ingester_stop, ingester, AB_EV_INGESTER_FIELDS)   \
    X(RUN_START, run_start, run_start, AB_EV_RUN_START_FIELDS)         \
    X(RUN_END, run_end, run_end, AB_EV_RUN_END_FIELDS)                 \
    X(SUMMARY, summary, summary, AB_EV_SUMMARY_FIELDS)                 \
    X(LOAD_RATE, load_rate, load_rate, AB_EV_LOAD_RATE_FIELDS)         \
    X(FLAMEGRAPH, flamegraph, flamegraph, AB_EV_FLAMEGRAPH_FIELDS)     \
    X(BASELINE, baseline, baseline, AB_EV_BASELINE_FIELDS)             \
    X(ERROR, error, error, AB_EV_ERROR_FIELDS)                         \
    X(WARNING, warning, warning, AB_EV_WARNING_FIELDS)                 \
    X(SUITE_END, suite_end, suite_end, AB_EV_SUITE_END_FIELDS)

/* ---- generated: structs, builders, readers ----------------------------------------- */

#define AB_EV_CTYPE_STR      const char *
#define AB_EV_CTYPE_STR_NULL const char *
#define AB_EV_CTYPE_INT      json_int_t
#define AB_EV_CTYPE_OPT_INT  json_int_t
#define AB_EV_CTYPE_REAL     double
#define AB_EV_CTYPE_OPT_REAL double
#define AB_EV_CTYPE_BOOL     int
#define AB_EV_CTYPE_OPT_BOOL int
#define AB_EV_CTYPE_ARRAY    json_t *
#define AB_EV_CTYPE_OBJECT   json_t *
#define AB_EV_CTYPE_MERGE    json_t *

#define AB_EV_MEMBER_(kind, name) AB_EV_CTYPE_##kind name;
#define AB_EV_HAS_(kind, name)    unsigned char name;
#define AB_EV_STRUCT_(st, FIELDS)                     \
    typedef struct ab_ev_##st {                       \
        struct {                                      \
            FIELDS(AB_EV_HAS_)                        \
        } has; /* present (read) / to write (OPT_) */ \
        FIELDS(AB_EV_MEMBER_)                         \
    } ab_ev_##st;

AB_EV_STRUCT_(suite_start, AB_EV_SUITE_START_FIELDS)
AB_EV_STRUCT_(build, AB_EV_BUILD_FIELDS)
AB_EV_STRUCT_(ingester, AB_EV_INGESTER_FIELDS)
AB_EV_STRUCT_(run_start, AB_EV_RUN_START_FIELDS)
AB_EV_STRUCT_(run_end, AB_EV_RUN_END_FIELDS)
AB_EV_STRUCT_(summary, AB_EV_SUMMARY_FIELDS)
AB_EV_STRUCT_(load_rate, AB_EV_LOAD_RATE_FIELDS)
AB_EV_STRUCT_(flamegraph, AB_EV_FLAMEGRAPH_FIELDS)
AB_EV_STRUCT_(baseline, AB_EV_BASELINE_FIELDS)
AB_EV_STRUCT_(error, AB_EV_ERROR_FIELDS)
AB_EV_STRUCT_(warning, AB_EV_WARNING_FIELDS)
AB_EV_STRUCT_(suite_end, AB_EV_SUITE_END_FIELDS)

/* json_t *ab_ev_TYPE_json(const ab_ev_STRUCT *e): a new event (a reference the caller
 * owns; NULL when out of memory), stamped now. void ab_ev_TYPE_read(json_t *ev,
 * ab_ev_STRUCT *e): e from a parsed event (of any type: the caller dispatches). */
#define AB_EV_DECLARE_(id, type, st, FIELDS)          \
    json_t *ab_ev_##type##_json(const ab_ev_##st *e); \
    void ab_ev_##type##_read(json_t *ev, ab_ev_##st *e);
AB_EVENT_TYPES(AB_EV_DECLARE_)

/* ---- any event ---------------------------------------------------------------------- */

#define AB_EV_ID_(id, type, st, FIELDS) AB_EV_##id,
typedef enum ab_event_id {
    AB_EV_UNKNOWN,
    AB_EVENT_TYPES(AB_EV_ID_) AB_EV_NTYPES
} ab_event_id;

/* The event's type: its "type" string (NULL if none), or as an id (AB_EV_UNKNOWN for a
 * type not listed above). */
const char *ab_event_type(json_t *ev);
ab_event_id ab_event_id_of(json_t *ev);
/* The event's "t" (Unix seconds), 0 when it has none. */
double ab_event_time(json_t *ev);

/* The fast reader (lib/events_scan.c): a journal line (without its '\n') in the plain
 * form the writer gives most events (run_start, run_end, build, ingester_*, error,
 * suite_end, flamegraph: flat objects of strings, numbers, booleans), read straight into
 * its struct as ab_ev_TYPE_read would, without building a JSON tree. Returns 1 and fills
 * *out (its id, its "t", the struct of that type in e; ARRAY and OBJECT members NULL, as
 * such a line has none) when the line is such an event with "v" 1; returns 0 for any line
 * it does not take (suite_start, summary, baseline, an array or object value, escapes,
 * non-ASCII, malformed...), which the caller then parses as JSON. Strings point into
 * scratch, which needs len + 1 bytes. */
typedef struct ab_event_scanned {
    ab_event_id id;
    double t;
    union {
        ab_ev_run_start run_start;
        ab_ev_run_end run_end;
        ab_ev_build build;
        ab_ev_ingester ingester;
        ab_ev_error error;
        ab_ev_suite_end suite_end;
        ab_ev_flamegraph flamegraph;
        ab_ev_suite_start suite_start; /* never filled (arrays); sizes the union */
        ab_ev_summary summary;
        ab_ev_baseline baseline;
    } e;
} ab_event_scanned;
int ab_event_scan(const char *line, size_t len, char *scratch, ab_event_scanned *out);

/* The field tables, for tests and tools: each type's name and its fields in order. */
typedef enum ab_field_kind {
    AB_KIND_STR,
    AB_KIND_STR_NULL,
    AB_KIND_INT,
    AB_KIND_OPT_INT,
    AB_KIND_REAL,
    AB_KIND_OPT_REAL,
    AB_KIND_BOOL,
    AB_KIND_OPT_BOOL,
    AB_KIND_ARRAY,
    AB_KIND_OBJECT,
    AB_KIND_MERGE
} ab_field_kind;
typedef struct ab_event_field {
    const char *name;
    ab_field_kind kind;
} ab_event_field;
typedef struct ab_event_schema {
    ab_event_id id;
    const char *type;
    const ab_event_field *fields;
    size_t nfields;
} ab_event_schema;
/* The schema of every type, in AB_EVENT_TYPES order (*n of them). */
const ab_event_schema *ab_event_schemas(size_t *n);

#endif
