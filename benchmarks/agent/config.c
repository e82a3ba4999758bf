/* config.c: reads the agent's settings from the environment, with defaults and range checks. */
#include "config.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_seconds(const char *name, const char *value, double lo, double hi, double *out,
                         char *err, size_t errlen) {
    char *end;
    double v = strtod(value, &end);
    if (*value == '\0' || *end != '\0' || !(v >= lo && v <= hi)) {
        snprintf(err, errlen, "%s must be a number of seconds in [%g, %g], not '%s'", name, lo, hi,
                 value);
        return -1;
    }
    *out = v;
    return 0;
}

static int parse_int(const char *name, const char *value, long lo, long hi, int *out, char *err,
                     size_t errlen) {
    char *end;
    long v = strtol(value, &end, 10);
    if (*value == '\0' || *end != '\0' || v < lo || v > hi) {
        snprintf(err, errlen, "%s must be an integer in [%ld, %ld], not '%s'", name, lo, hi, value);
        return -1;
    }
    *out = (int)v;
    return 0;
}

/* AGENTBENCH_AGENT_TEST_FAULT: drop-every-other:FUNCTION or corrupt-first-upload. */
static int parse_fault(agent_config *cfg, const char *v, char *err, size_t errlen) {
    static const char drop[] = "drop-every-other:";
    if (!strncmp(v, drop, sizeof drop - 1) && v[sizeof drop - 1] &&
        strlen(v + sizeof drop - 1) < sizeof cfg->fault_drop_fn) {
        snprintf(cfg->fault_drop_fn, sizeof cfg->fault_drop_fn, "%s", v + sizeof drop - 1);
        return 0;
    }
    if (!strcmp(v, "corrupt-first-upload")) {
        cfg->fault_corrupt_first = 1;
        return 0;
    }
    snprintf(err, errlen,
             "AGENTBENCH_AGENT_TEST_FAULT must be drop-every-other:FUNCTION or "
             "corrupt-first-upload, not '%s'",
             v);
    return -1;
}

int agent_config_load(agent_config *cfg, const char *(*getenv_fn)(const char *), char *err,
                      size_t errlen) {
    memset(cfg, 0, sizeof *cfg);
    snprintf(cfg->server, sizeof cfg->server, "http://localhost:4040");
    snprintf(cfg->app_name, sizeof cfg->app_name, "agentbench-c-app");
    cfg->sample_rate = 100;
    cfg->upload_interval = 10;
    cfg->upload_timeout = 10;
    cfg->connect_timeout = 2;
    cfg->flush_timeout = 1;
    cfg->queue_size = 4;
    cfg->log_level = AGENT_LOG_WARN;

    const char *v;
    if ((v = getenv_fn("PYROSCOPE_SERVER_ADDRESS")) && *v) {
        if (strlen(v) >= sizeof cfg->server) {
            snprintf(err, errlen, "PYROSCOPE_SERVER_ADDRESS is too long");
            return -1;
        }
        snprintf(cfg->server, sizeof cfg->server, "%s", v);
        size_t n = strlen(cfg->server);
        while (n > 0 && cfg->server[n - 1] == '/') cfg->server[--n] = '\0';
    }
    if ((v = getenv_fn("PYROSCOPE_APPLICATION_NAME")) && *v) {
        if (strlen(v) >= sizeof cfg->app_name) {
            snprintf(err, errlen, "PYROSCOPE_APPLICATION_NAME is too long");
            return -1;
        }
        snprintf(cfg->app_name, sizeof cfg->app_name, "%s", v);
    }
    if ((v = getenv_fn("PYROSCOPE_SAMPLE_RATE")) && *v &&
        parse_int("PYROSCOPE_SAMPLE_RATE", v, 1, 1000, &cfg->sample_rate, err, errlen) < 0)
        return -1;
    if ((v = getenv_fn("PYROSCOPE_UPLOAD_INTERVAL")) && *v &&
        parse_seconds("PYROSCOPE_UPLOAD_INTERVAL", v, 0.05, 3600, &cfg->upload_interval, err,
                      errlen) < 0)
        return -1;
    if ((v = getenv_fn("PYROSCOPE_UPLOAD_TIMEOUT")) && *v &&
        parse_seconds("PYROSCOPE_UPLOAD_TIMEOUT", v, 0.01, 3600, &cfg->upload_timeout, err,
                      errlen) < 0)
        return -1;
    if ((v = getenv_fn("PYROSCOPE_CONNECT_TIMEOUT")) && *v &&
        parse_seconds("PYROSCOPE_CONNECT_TIMEOUT", v, 0.01, 3600, &cfg->connect_timeout, err,
                      errlen) < 0)
        return -1;
    if ((v = getenv_fn("PYROSCOPE_FLUSH_TIMEOUT")) && *v &&
        parse_seconds("PYROSCOPE_FLUSH_TIMEOUT", v, 0, 3600, &cfg->flush_timeout, err, errlen) < 0)
        return -1;
    if ((v = getenv_fn("PYROSCOPE_UPLOAD_QUEUE_SIZE")) && *v &&
        parse_int("PYROSCOPE_UPLOAD_QUEUE_SIZE", v, 1, 1024, &cfg->queue_size, err, errlen) < 0)
        return -1;
    if ((v = getenv_fn("PYROSCOPE_LOG_LEVEL")) && *v) {
        int level = agent_log_parse_level(v);
        if (level < 0) {
            snprintf(err, errlen,
                     "PYROSCOPE_LOG_LEVEL must be error, warn, info or debug, not '%s'", v);
            return -1;
        }
        cfg->log_level = level;
    }
    if ((v = getenv_fn("AGENTBENCH_AGENT_COUNTERS")) && *v) {
        if (strlen(v) >= sizeof cfg->counters_path) {
            snprintf(err, errlen, "AGENTBENCH_AGENT_COUNTERS is too long");
            return -1;
        }
        snprintf(cfg->counters_path, sizeof cfg->counters_path, "%s", v);
    }
    if ((v = getenv_fn("AGENTBENCH_AGENT_SAMPLER")) && *v) {
        if (!strcmp(v, "perf")) cfg->sampler = AGENT_SAMPLER_PERF;
        else if (!strcmp(v, "timer")) cfg->sampler = AGENT_SAMPLER_TIMER;
        else {
            snprintf(err, errlen, "AGENTBENCH_AGENT_SAMPLER must be perf or timer, not '%.64s'", v);
            return -1;
        }
    }
    if ((v = getenv_fn("AGENTBENCH_AGENT_TEST_FAULT")) && *v &&
        parse_fault(cfg, v, err, errlen) < 0)
        return -1;
    if (cfg->connect_timeout > cfg->upload_timeout) cfg->connect_timeout = cfg->upload_timeout;
    if (strncmp(cfg->server, "http://", 7) != 0 && strncmp(cfg->server, "https://", 8) != 0) {
        snprintf(err, errlen,
                 "PYROSCOPE_SERVER_ADDRESS must start with http:// or https://, not '%s'",
                 cfg->server);
        return -1;
    }
    return 0;
}
