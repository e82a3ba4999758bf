/* metrics.h: the agentbench.* metrics, as PCP's podman PMDA lays them out: one enum of
 * item numbers per cluster (the numbers pmns gives), the instance domains, and the parts
 * of the PMDA that serve them:
 *
 *   metrictab.c  the descriptor table (type, indom, semantics, units of every metric)
 *   indom.c      instance domains, resolved from the journal and agentbench.conf into
 *                pmdaCache entries whose private structs the fetch reads
 *   fetch.c      the fetch: refresh, then every value into a result kept between fetches
 *                (fetchbuf.h; why not pmdaFetch: see fetch.c); agentbench.run.* from the
 *                suite's analysis (lib/analysis.h), updated incrementally
 *   stacks.c, profiles.c  flame graphs as instances (agentbench.flamegraph.stacks,
 *                agentbench.profile.*)
 *   vector.c     agentbench.flamegraph.vector, Vector 2's flame graph protocol
 *   store.c      pmstore into agentbench.flamegraph.control and .vector, for the
 *                users access.h allows
 *   labels.c     domain, cluster, indom and instance labels
 *   metrics.c    wiring the callbacks into the pmdaInterface
 *
 * Everything here runs on the PMDA's one thread (the poller thread only fills copies). */
#ifndef PMDA_AB_METRICS_H
#define PMDA_AB_METRICS_H

#include <pcp/pmapi.h>
#include <pcp/pmda.h>
#include <sys/types.h>
#include <time.h>
#include "capture_meta.h"
#include "config.h"
#include "poller.h"
#include "results.h"
#include "stacks.h"

enum {
    CL_RUNNER = 0,
    CL_RUN = 1,
    CL_INGESTER = 2,
    CL_FLAMEGRAPH = 3,
    CL_BASELINE = 4,
    CL_JOURNAL = 5,
    CL_PMDA = 6,
    CL_PROFILE = 7,
    NUM_CLUSTERS
};

typedef enum { /* agentbench.runner.* */
    RUNNER_STATE = 0,
    RUNNER_STATE_CODE = 1,
    RUNNER_SUITE = 2,
    RUNNER_HOST = 3,
    RUNNER_BENCHMARK = 4,
    RUNNER_VARIANT = 5,
    RUNNER_RUNS_DONE = 6,
    RUNNER_RUNS_TOTAL = 7,
    RUNNER_RUNS_FAILED = 8,
    RUNNER_PROGRESS = 9,
    RUNNER_ETA = 10,
    RUNNER_LAST_UPDATE = 11,
    RUNNER_STARTED = 12,
    RUNNER_ERRORS = 13,
    RUNNER_AGE = 14,
    RUNNER_FINAL = 15, /* agentbench.run.final: the suite is over */
    NUM_RUNNER_ITEMS
} runner_item_e;

typedef enum { /* agentbench.run.*, instance domain RUN_INDOM */
    RUN_COUNT = 0,
    RUN_FAILED = 1,
    RUN_LAST = 2,
    RUN_MEDIAN = 3,
    RUN_MEAN = 4,
    RUN_STDDEV = 5,
    RUN_MIN = 6,
    RUN_MAX = 7,
    RUN_CI_LOW = 8,
    RUN_CI_HIGH = 9,
    RUN_USER_MEDIAN = 10,
    RUN_SYS_MEDIAN = 11,
    RUN_CPU_MEDIAN = 12,
    RUN_RSS_MEDIAN = 13,
    RUN_OVERHEAD = 14,
    RUN_OVERHEAD_CI_LOW = 15,
    RUN_OVERHEAD_CI_HIGH = 16,
    RUN_PVALUE = 17,
    RUN_CPU_OVERHEAD = 18,
    RUN_CPU_PVALUE = 19,
    RUN_RSS_OVERHEAD = 20,
    RUN_RSS_PVALUE = 21,
    RUN_PROFILES = 22,
    RUN_SAMPLES = 23,
    RUN_NO_PROFILES = 24,
    RUN_OUTLIERS = 25,
    RUN_PROFILE_ERROR = 26,
    RUN_ANALYSIS = 27, /* 27..36: the suite's analysis (lib/analysis.h) */
    RUN_OVERHEAD_CI_COVERAGE = 28,
    RUN_NEED = 29,
    RUN_PVALUE_ADJUSTED = 30,
    RUN_VERDICT = 31,
    RUN_CI_COVERAGE = 32,
    RUN_STEAL_MEDIAN = 33,
    RUN_STEAL_MAX = 34,
    RUN_MIGRATIONS = 35,
    RUN_WARNINGS = 36,
    /* the v2 figures (lib/results.h) from 40, RUN_FIGURE_ITEMS a figure in this order:
     * median, CI low and high, overhead ratio, its CI low and high, Mann-Whitney p */
    RUN_THROUGHPUT = 40,
    RUN_THROUGHPUT_CI_LOW = 41,
    RUN_THROUGHPUT_CI_HIGH = 42,
    RUN_THROUGHPUT_OVERHEAD = 43,
    RUN_THROUGHPUT_OVERHEAD_CI_LOW = 44,
    RUN_THROUGHPUT_OVERHEAD_CI_HIGH = 45,
    RUN_THROUGHPUT_PVALUE = 46,
    RUN_LATENCY_P99 = 47,
    RUN_LATENCY_P99_CI_LOW = 48,
    RUN_LATENCY_P99_CI_HIGH = 49,
    RUN_LATENCY_P99_OVERHEAD = 50,
    RUN_LATENCY_P99_OVERHEAD_CI_LOW = 51,
    RUN_LATENCY_P99_OVERHEAD_CI_HIGH = 52,
    RUN_LATENCY_P99_PVALUE = 53,
    RUN_CPU_PER_REQUEST = 54,
    RUN_CPU_PER_REQUEST_CI_LOW = 55,
    RUN_CPU_PER_REQUEST_CI_HIGH = 56,
    RUN_CPU_PER_REQUEST_OVERHEAD = 57,
    RUN_CPU_PER_REQUEST_OVERHEAD_CI_LOW = 58,
    RUN_CPU_PER_REQUEST_OVERHEAD_CI_HIGH = 59,
    RUN_CPU_PER_REQUEST_PVALUE = 60,
    RUN_EXIT_DELAY = 61,
    RUN_EXIT_DELAY_CI_LOW = 62,
    RUN_EXIT_DELAY_CI_HIGH = 63,
    RUN_EXIT_DELAY_OVERHEAD = 64,
    RUN_EXIT_DELAY_OVERHEAD_CI_LOW = 65,
    RUN_EXIT_DELAY_OVERHEAD_CI_HIGH = 66,
    RUN_EXIT_DELAY_PVALUE = 67,
    RUN_EXIT_BLOCKED = 68,
    NUM_RUN_ITEMS
} run_item_e;
#define RUN_FIGURE_FIRST RUN_THROUGHPUT
#define RUN_FIGURE_ITEMS 7

typedef enum { /* agentbench.ingester.*, instance domain INGESTER_INDOM */
    INGESTER_UP = 0,
    INGESTER_MODE = 1,
    INGESTER_UPTIME = 2,
    INGESTER_CONN_OPEN = 3,
    INGESTER_CONN_ACCEPTED = 4,
    INGESTER_CONN_REJECTED = 5,
    INGESTER_CONN_TIMED_OUT = 6,
    INGESTER_REQ_TOTAL = 7,
    INGESTER_REQ_SUCCESS = 8,
    INGESTER_REQ_CLIENT_ERROR = 9,
    INGESTER_REQ_SERVER_ERROR = 10,
    INGESTER_REQ_RESET = 11,
    INGESTER_REQ_DROPPED = 12,
    INGESTER_BYTES_RECEIVED = 13,
    INGESTER_BYTES_DECOMPRESSED = 14,
    INGESTER_PROFILES = 15,
    INGESTER_SAMPLES = 16,
    INGESTER_SAMPLE_VALUE = 17,
    INGESTER_FRAMES = 18,
    INGESTER_DECODE_ERRORS = 19,
    INGESTER_LATENCY_P50 = 20,
    INGESTER_LATENCY_P90 = 21,
    INGESTER_LATENCY_P99 = 22,
    INGESTER_LATENCY_MAX = 23,
    INGESTER_LISTEN = 24,
    NUM_INGESTER_ITEMS
} ingester_item_e;

typedef enum { /* agentbench.flamegraph.* */
    FLAMEGRAPH_CONTROL = 0,
    FLAMEGRAPH_STATUS = 1,
    FLAMEGRAPH_URL = 2,
    FLAMEGRAPH_CAPTURES = 3,
    FLAMEGRAPH_FAILURES = 4,
    FLAMEGRAPH_STACKS = 5,    /* instance domain STACKS_INDOM */
    FLAMEGRAPH_LAST_TIME = 6, /* last.*: the capture the stacks come from */
    FLAMEGRAPH_LAST_TOOL = 7,
    FLAMEGRAPH_LAST_SECONDS = 8,
    FLAMEGRAPH_LAST_SAMPLES = 9,
    FLAMEGRAPH_LAST_IDLE_DROPPED = 10,
    FLAMEGRAPH_LAST_DISTINCT = 11,
    FLAMEGRAPH_VECTOR = 12, /* Vector 2's protocol (vector.h) */
    NUM_FLAMEGRAPH_ITEMS
} flamegraph_item_e;

typedef enum { /* agentbench.baseline.*, instance domain BASELINE_INDOM */
    BASELINE_VALUE = 0,
    BASELINE_UNIT = 1,
    BASELINE_FIGURES = 2, /* singular */
    NUM_BASELINE_ITEMS
} baseline_item_e;

typedef enum { /* agentbench.journal.* */
    JOURNAL_PATH = 0,
    JOURNAL_OFFSET = 1,
    JOURNAL_EVENTS = 2,
    JOURNAL_BAD_LINES = 3,
    JOURNAL_REBUILDS = 4,
    JOURNAL_MISSING = 5,
    JOURNAL_PRESENT = 6,
    NUM_JOURNAL_ITEMS
} journal_item_e;

typedef enum { /* agentbench.pmda.*: the PMDA's own counters */
    SELF_FETCHES = 0,
    SELF_POLLS = 1,
    SELF_POLL_FAILURES = 2,
    SELF_POLL_TIME = 3,
    NUM_SELF_ITEMS
} self_item_e;

typedef enum {          /* agentbench.profile.*: the suite's flame graphs */
    PROFILE_STACKS = 0, /* instance domain PROFILE_STACKS_INDOM */
    PROFILE_TIME = 1,   /* the rest: PROFILE_INDOM, one per group */
    PROFILE_TOOL = 2,
    PROFILE_SECONDS = 3,
    PROFILE_SAMPLES = 4,
    PROFILE_IDLE_DROPPED = 5,
    PROFILE_DISTINCT = 6,
    PROFILE_FILE = 7,
    NUM_PROFILE_ITEMS
} profile_item_e;

enum {
    /* pmdaCache instance domains (indom.c) */
    RUN_INDOM = 0,      /* "benchmark/variant" */
    INGESTER_INDOM = 1, /* ingester name */
    BASELINE_INDOM = 2, /* "kind/name" */
    NUM_CACHE_INDOMS,
    /* table instance domains (profiles.c) */
    STACKS_INDOM = 3,         /* the last system-wide capture's stacks (stacks.h's names) */
    PROFILE_STACKS_INDOM = 4, /* the suite's, "benchmark/variant/source,STACK" */
    PROFILE_INDOM = 5,        /* "benchmark/variant/source" */
    NUM_INDOMS
};

/* ---- metrictab.c ---- */
extern pmdaMetric pmda_metrictab[];
extern const int pmda_nmetrics;
/* The descriptor of pmid, or NULL when agentbench has no such metric (after pmdaInit). */
const pmDesc *pmda_metric_desc(pmID pmid);

/* ---- indom.c ---- */
/* The private struct of each instance (pmdaCache's private pointer), allocated once per
 * name and kept while the PMDA runs. */
typedef struct run_inst {
    const ab_cell *cell; /* NULL when the instance is not in the current suite */
    /* every agentbench.run.* value, computed once per model change (pmda_indom_generation);
     * its statistics come from the suite's analysis (fetch.c) */
    unsigned long long values_gen;
    int sts[NUM_RUN_ITEMS];
    pmAtomValue val[NUM_RUN_ITEMS];
    char verdict[48], warnings[64]; /* what the string values point at */
} run_inst;

typedef struct ing_inst {
    char *name, *control, *source;
    ingester_stats st; /* copied from the poller at each fetch that asks */
} ing_inst;

typedef struct bl_inst {
    const ab_baseline_figure *fig;
} bl_inst;

/* The active instances of an instance domain in cache order (pmdaFetch's order), with
 * their private structs: rebuilt when the instances change. */
typedef struct inst_index {
    int n, cap;
    int *inst;
    void **priv;
} inst_index;

extern pmdaIndom pmda_indomtab[NUM_INDOMS];
#define INDOM(serial) (pmda_indomtab[serial].it_indom)

/* Load the saved instance ids (stable across restarts); cfg must outlive the PMDA. */
void pmda_indom_init(const abc_config *cfg);
/* Bring the model and the instance domains up to date with the journal, cheaply when
 * nothing changed; with want_ingesters, also copy the poller's latest answers. */
void pmda_indom_refresh(int want_ingesters);
const inst_index *pmda_indom_index(int serial);
/* Bumped whenever the model changed (values computed from it must be recomputed). */
unsigned long long pmda_indom_generation(void);
/* The private struct of an active instance of indom serial, else NULL (a cache lookup:
 * for labels; the fetch walks pmda_indom_index). */
void *pmda_indom_priv(int serial, unsigned int inst);
/* The instance callback: a refresh, then pmdaInstance. */
int pmda_indom_instance(pmInDom indom, int inst, char *name, pmInResult **result, pmdaExt *pmda);

/* ---- profiles.c ---- */
/* One flame graph published: the system-wide capture's, or a group of the suite's. */
typedef struct profile_group {
    char *name; /* "benchmark/variant/source"; NULL: the system capture */
    char *benchmark, *variant, *source;
    char *path;           /* its folded file */
    int is_agent;         /* an ingester's --store file (no capture.json) */
    stack_set set;        /* its instances (empty when it could not be read) */
    int loaded;           /* set holds the file's stacks */
    ab_capture_meta meta; /* the capture.json beside it, when has_meta */
    int has_meta;
    double time;           /* capture end (meta), file time (agent) or event time */
    double event_time;     /* the flamegraph event's "t" */
    struct timespec mtime; /* of the file read */
    off_t size;            /* of the file read; -1 never read, -2 missing */
    char *error;           /* why it could not be read, NULL when it was */
    int seen;
} profile_group;

void pmda_profiles_init(const abc_config *cfg);
/* After pmda_capture_poll and pmda_indom_refresh: read what changed (cheap when nothing did). */
void pmda_profiles_refresh(const ab_results *r);
const inst_index *pmda_profiles_index(int serial);
/* Bumped whenever an instance table is rebuilt. */
unsigned long long pmda_profiles_generation(void);
/* The last system-wide capture, or NULL before one was read. */
const profile_group *pmda_profiles_system(void);
/* The group an instance of PROFILE_INDOM or PROFILE_STACKS_INDOM belongs to, or NULL. */
const profile_group *pmda_profiles_group_of(int serial, unsigned int inst);

/* ---- fetch.c ---- */
/* The fetch callback of the pmdaInterface; its result is kept for the next fetch. */
int pmda_fetch_metrics(int numpmid, pmID *pmidlist, pmResult **resp, pmdaExt *pmda);
/* pmdaSetResultCallBack's: leaves the kept result alone. */
void pmda_fetch_result_done(pmResult *result);
void pmda_fetch_free(void);

/* ---- store.c ---- */
void pmda_store_init(const abc_config *cfg);
int pmda_store_metrics(pmResult *result, pmdaExt *pmda);

/* ---- labels.c ---- */
int pmda_labels_metric(int ident, int type, pmLabelSet **lpp, pmdaExt *pmda);
int pmda_labels_instance(pmInDom indom, unsigned int inst, pmLabelSet **lp);
/* After a refresh: flag PMDA_EXT_LABEL_CHANGE for pmcd when the labels changed. */
void pmda_labels_refresh(pmdaExt *pmda);

/* ---- metrics.c ---- */
/* Wire the callbacks, pmdaInit the tables and load the instance caches. */
void pmda_metrics_init(pmdaInterface *dp, const abc_config *cfg);
void pmda_metrics_shutdown(void);

#endif
