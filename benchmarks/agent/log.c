/* log.c: the agent's messages on stderr ("abagent: level: text"), one write per line. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static int current_level = AGENT_LOG_WARN;
static const char *const level_names[] = {"error", "warn", "info", "debug"};

int agent_log_parse_level(const char *name) {
    for (int i = 0; i < 4; i++)
        if (strcasecmp(name, level_names[i]) == 0) return i;
    if (strcasecmp(name, "warning") == 0) return AGENT_LOG_WARN;
    if (strcasecmp(name, "trace") == 0) return AGENT_LOG_DEBUG;
    return -1;
}

void agent_log_set_level(int level) {
    current_level = level;
}

int agent_log_enabled(int level) {
    return level <= current_level;
}

void agent_log(int level, const char *fmt, ...) {
    if (!agent_log_enabled(level)) return;
    char line[1024];
    int n = snprintf(line, sizeof line, "abagent: %s: ", level_names[level]);
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
    va_end(ap);
    size_t len = (size_t)n + (m < 0 ? 0 : (size_t)m);
    if (len > sizeof line - 2) len = sizeof line - 2;
    line[len++] = '\n';
    ssize_t w = write(STDERR_FILENO, line, len);
    (void)w;
}
