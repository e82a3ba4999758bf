/* test_config.c: the agent's environment: defaults, each variable, and clear errors for
 * values it cannot use. */
#include "config.h"
#include "log.h"
#include "../tap.h"

#include <string.h>

static const char *const *env_table;

static const char *table_getenv(const char *name) {
    for (const char *const *p = env_table; p && *p; p += 2)
        if (strcmp(p[0], name) == 0) return p[1];
    return NULL;
}

static int load(const char *const *env, agent_config *cfg, char *err) {
    env_table = env;
    err[0] = '\0';
    return agent_config_load(cfg, table_getenv, err, 256);
}

int main(void) {
    agent_config cfg;
    char err[256];
    const char *none[] = {NULL};
    CHECK(load(none, &cfg, err) == 0, "no environment: defaults");
    CHECK(cfg.sample_rate == 100 && cfg.upload_interval == 10 && cfg.flush_timeout == 1,
          "defaults: 100 Hz, 10 s, flush 1 s");
    CHECK(strcmp(cfg.server, "http://localhost:4040") == 0, "default server");

    const char *all[] = {"PYROSCOPE_SERVER_ADDRESS",
                         "http://127.0.0.1:5000/",
                         "PYROSCOPE_APPLICATION_NAME",
                         "fibonacci-c-cpu",
                         "PYROSCOPE_SAMPLE_RATE",
                         "250",
                         "PYROSCOPE_UPLOAD_INTERVAL",
                         "0.5",
                         "PYROSCOPE_UPLOAD_TIMEOUT",
                         "3",
                         "PYROSCOPE_CONNECT_TIMEOUT",
                         "5",
                         "PYROSCOPE_FLUSH_TIMEOUT",
                         "0.25",
                         "PYROSCOPE_UPLOAD_QUEUE_SIZE",
                         "2",
                         "PYROSCOPE_LOG_LEVEL",
                         "DEBUG",
                         NULL};
    CHECK(load(all, &cfg, err) == 0, "every variable set");
    CHECK(strcmp(cfg.server, "http://127.0.0.1:5000") == 0, "trailing slash dropped");
    CHECK(strcmp(cfg.app_name, "fibonacci-c-cpu") == 0, "application name");
    CHECK(cfg.sample_rate == 250 && cfg.upload_interval == 0.5 && cfg.flush_timeout == 0.25,
          "rate, fractional interval, flush timeout");
    CHECK(cfg.upload_timeout == 3 && cfg.connect_timeout == 3,
          "connect timeout capped by the upload timeout");
    CHECK(cfg.queue_size == 2 && cfg.log_level == AGENT_LOG_DEBUG,
          "queue size, log level (any case)");

    const char *bad_rate[] = {"PYROSCOPE_SAMPLE_RATE", "0", NULL};
    CHECK(load(bad_rate, &cfg, err) < 0 && strstr(err, "PYROSCOPE_SAMPLE_RATE"), "rate 0 refused");
    const char *bad_interval[] = {"PYROSCOPE_UPLOAD_INTERVAL", "1s", NULL};
    CHECK(load(bad_interval, &cfg, err) < 0 && strstr(err, "'1s'"),
          "interval '1s' refused, quoted");
    const char *bad_level[] = {"PYROSCOPE_LOG_LEVEL", "loud", NULL};
    CHECK(load(bad_level, &cfg, err) < 0 && strstr(err, "PYROSCOPE_LOG_LEVEL"),
          "unknown log level refused");
    const char *bad_server[] = {"PYROSCOPE_SERVER_ADDRESS", "127.0.0.1:4040", NULL};
    CHECK(load(bad_server, &cfg, err) < 0 && strstr(err, "http://"),
          "server without scheme refused");
    const char *nan[] = {"PYROSCOPE_FLUSH_TIMEOUT", "nan", NULL};
    CHECK(load(nan, &cfg, err) < 0, "NaN refused");

    CHECK(load(none, &cfg, err) == 0 && cfg.counters_path[0] == '\0' &&
              cfg.fault_drop_fn[0] == '\0' && !cfg.fault_corrupt_first,
          "no counters file, no test fault by default");
    const char *counters[] = {"AGENTBENCH_AGENT_COUNTERS", "/tmp/x.counters",
                              "AGENTBENCH_AGENT_TEST_FAULT", "drop-every-other:work_a", NULL};
    CHECK(load(counters, &cfg, err) == 0 && !strcmp(cfg.counters_path, "/tmp/x.counters") &&
              !strcmp(cfg.fault_drop_fn, "work_a") && !cfg.fault_corrupt_first,
          "counters file and the drop-every-other fault");
    const char *corrupt[] = {"AGENTBENCH_AGENT_TEST_FAULT", "corrupt-first-upload", NULL};
    CHECK(load(corrupt, &cfg, err) == 0 && cfg.fault_corrupt_first && !cfg.fault_drop_fn[0],
          "the corrupt-first-upload fault");
    const char *bad_fault[] = {"AGENTBENCH_AGENT_TEST_FAULT", "drop-every-other:", NULL};
    CHECK(load(bad_fault, &cfg, err) < 0 && strstr(err, "AGENTBENCH_AGENT_TEST_FAULT"),
          "a fault without its function refused");
    CHECK(load(none, &cfg, err) == 0 && cfg.sampler == AGENT_SAMPLER_PERF,
          "the perf clock by default");
    const char *timer[] = {"AGENTBENCH_AGENT_SAMPLER", "timer", NULL};
    CHECK(load(timer, &cfg, err) == 0 && cfg.sampler == AGENT_SAMPLER_TIMER, "the timer clock");
    const char *bad_sampler[] = {"AGENTBENCH_AGENT_SAMPLER", "itimer", NULL};
    CHECK(load(bad_sampler, &cfg, err) < 0 && strstr(err, "perf or timer, not 'itimer'"),
          "an unknown sampler refused: %s", err);
    return TAP_DONE();
}
