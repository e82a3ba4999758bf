/* capture.h: on-demand system-wide flame graphs for agentbench.flamegraph.*: a store of N
 * seconds starts `agentbench flamegraph --seconds N --all -o DIR/NAME.svg` (posix_spawn
 * with an argv, never a shell) and the status follows Vector's protocol: IDLE,
 * RUNNING s/N, DONE <url>, ERROR <why>. Everything runs on the PMDA's thread; the capture
 * itself is a child process, so no fetch waits for it. */
#ifndef PMDA_AB_CAPTURE_H
#define PMDA_AB_CAPTURE_H

#include <stddef.h>

#define CAPTURE_MAX_SECONDS 3600
#define CAPTURE_GRACE_S     120 /* a capture still running N + this seconds is killed */

typedef struct capture_config {
    const char *program; /* agentbench binary */
    const char *dir;     /* output directory */
    const char *url;     /* base URL for dir, or NULL: DONE then shows the path */
} capture_config;

/* Start a capture of `seconds` (1..CAPTURE_MAX_SECONDS). Returns 0, PM_ERR_AGAIN while
 * one runs, PM_ERR_BADSTORE for a bad value, or another PM_ERR_* when it cannot start
 * (the status then reads ERROR <why>). Storing 0 cancels a running capture. */
int pmda_capture_start(const capture_config *cfg, long seconds);

/* Reap the child if it ended and update the status; cheap, call on every fetch. */
void pmda_capture_poll(void);

const char *pmda_capture_status(void); /* IDLE, RUNNING s/N, DONE <url>, ERROR <why> */
typedef enum {
    CAPTURE_IDLE,
    CAPTURE_RUNNING,
    CAPTURE_DONE,
    CAPTURE_ERROR
} capture_state_e;
capture_state_e pmda_capture_state(void);
const char *pmda_capture_last_file(void);      /* NAME.svg of the latest capture started, or NULL */
unsigned int pmda_capture_seconds(void);       /* N of the current or last capture, 0 if none */
const char *pmda_capture_last_url(void);       /* URL (or path) of the last good capture, or NULL */
unsigned long long pmda_capture_started(void); /* captures started */
unsigned long long pmda_capture_failed(void);  /* captures that ended in ERROR */
unsigned long long pmda_capture_done(void);    /* captures that ended in DONE */
/* DIR/NAME.folded of the latest capture started (the stacks beside its SVG). */
void pmda_capture_last_folded(char *out, size_t outlen);

/* Kill a running capture (PMDA exit). */
void pmda_capture_shutdown(void);

#endif
