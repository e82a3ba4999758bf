/* config.h: the agent's settings, read from the environment (see README.md). */
#ifndef AGENT_CONFIG_H
#define AGENT_CONFIG_H

#include <stddef.h>

enum {
    AGENT_SAMPLER_PERF,
    AGENT_SAMPLER_TIMER
};

typedef struct agent_config {
    char server[512];         /* PYROSCOPE_SERVER_ADDRESS, no trailing slash */
    char app_name[256];       /* PYROSCOPE_APPLICATION_NAME */
    int sample_rate;          /* PYROSCOPE_SAMPLE_RATE, Hz (1..1000) */
    double upload_interval;   /* PYROSCOPE_UPLOAD_INTERVAL, seconds (0.05..3600) */
    double upload_timeout;    /* PYROSCOPE_UPLOAD_TIMEOUT, seconds, whole request */
    double connect_timeout;   /* PYROSCOPE_CONNECT_TIMEOUT, seconds */
    double flush_timeout;     /* PYROSCOPE_FLUSH_TIMEOUT, seconds waited at exit */
    int queue_size;           /* PYROSCOPE_UPLOAD_QUEUE_SIZE, profiles waiting to upload */
    int log_level;            /* PYROSCOPE_LOG_LEVEL */
    int sampler;              /* AGENTBENCH_AGENT_SAMPLER: AGENT_SAMPLER_PERF (default) or
                               * AGENT_SAMPLER_TIMER (sampler.h) */
    char counters_path[1024]; /* AGENTBENCH_AGENT_COUNTERS: write the counters there at
                               * stop ("" = no file) */
    /* AGENTBENCH_AGENT_TEST_FAULT, for agentbench's own tests only (README.md): a
     * deliberately wrong agent, to prove that the accuracy and honesty checks notice. */
    char fault_drop_fn[256]; /* drop-every-other:FUNCTION ("" = off) */
    int fault_corrupt_first; /* corrupt-first-upload */
} agent_config;

/* Reads the configuration through getenv_fn (getenv in the agent; a table in tests).
 * Returns 0, or -1 with a message in err for a value that cannot be used. */
int agent_config_load(agent_config *cfg, const char *(*getenv_fn)(const char *), char *err,
                      size_t errlen);

#endif
