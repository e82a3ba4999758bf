/* log.h: the agent's messages on stderr, filtered by PYROSCOPE_LOG_LEVEL. */
#ifndef AGENT_LOG_H
#define AGENT_LOG_H

enum {
    AGENT_LOG_ERROR = 0,
    AGENT_LOG_WARN = 1,
    AGENT_LOG_INFO = 2,
    AGENT_LOG_DEBUG = 3
};

/* "error", "warn", "info", "debug" (also "trace" = debug); -1 when unknown. */
int agent_log_parse_level(const char *name);
void agent_log_set_level(int level);
int agent_log_enabled(int level);
void agent_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
