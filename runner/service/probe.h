/* probe.h: is a service ready? GET PATH on a loopback address, again every 20 ms until it
 * answers 200 or the time is up, on the caller's libuv loop. Each try is one TCP
 * connection ("Connection: close"), bounded by 1 s; only the status line is read. */
#ifndef AB_SERVICE_PROBE_H
#define AB_SERVICE_PROBE_H

#include <stddef.h>
#include <netinet/in.h>
#include <uv.h>

typedef enum probe_outcome {
    PROBE_READY,   /* it answered 200 */
    PROBE_TIMEOUT, /* not within the time */
    PROBE_ABORTED, /* go_on() said stop (the service died, the suite was interrupted) */
} probe_outcome;

/* Probe addr for up to timeout_s, running loop; go_on(arg) is asked after every event.
 * why gets the last try's failure ("connection refused", "status 503") when not ready. */
probe_outcome rn_probe_ready(uv_loop_t *loop, const struct sockaddr_in *addr, const char *path,
                             double timeout_s, int (*go_on)(void *), void *arg, char *why,
                             size_t whylen);

#endif
