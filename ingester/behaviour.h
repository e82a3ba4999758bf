/* behaviour.h: how the ingester answers (the benchmark "variant"): the mode and its
 * parameters, their JSON form for the control endpoint, and the deterministic
 * pseudo-random choice of which requests fail in mode flaky. */
#ifndef ING_BEHAVIOUR_H
#define ING_BEHAVIOUR_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

typedef enum ing_mode {
    MODE_FAST,      /* 200 at once */
    MODE_SLOW,      /* answer after delay_s, without blocking anything else */
    MODE_DOWN,      /* data listener closed: connection refused */
    MODE_ERROR,     /* answer `status` (default 503) */
    MODE_RATELIMIT, /* 429 with Retry-After */
    MODE_FLAKY,     /* error_rate share answered `status`, the rest like fast */
    MODE_RESET,     /* close the connection without an answer (RST) */
    MODE_HANG,      /* never answer */
    MODE_BLACKHOLE, /* a listener that never accepts: connects never complete */
    MODE_COUNT
} ing_mode;

typedef struct ing_behaviour {
    ing_mode mode;
    double delay_s;
    int status;
    double error_rate;
    int retry_after_s;
    uint64_t seed; /* flaky's PRNG seed */
    uint64_t prng; /* flaky's PRNG state */
} ing_behaviour;

/* Defaults: fast, delay 30 s, status 503, error rate 0.5, Retry-After 1 s, seed 1. */
void ing_behaviour_init(ing_behaviour *b);

const char *ing_mode_name(ing_mode m);
int ing_mode_parse(const char *s, ing_mode *m); /* 0 or -1 */

/* Validators shared by the command line and the control endpoint: 0 or -1. */
int ing_parse_delay(const char *s, double *out);    /* >= 0 seconds, finite */
int ing_parse_status(const char *s, int *out);      /* 200..599 (a final answer) */
int ing_parse_rate(const char *s, double *out);     /* 0..1 */
int ing_parse_retry_after(const char *s, int *out); /* 0..86400 */

/* {"mode":..,"delay_s":..,"status":..,"error_rate":..,"retry_after_s":..} (new ref). */
json_t *ing_behaviour_json(const ing_behaviour *b);

/* Apply a JSON object with any subset of those fields, all or nothing. 0, or -1 with a
 * message in err. */
int ing_behaviour_update_json(ing_behaviour *b, const char *body, size_t len, char *err,
                              size_t errlen);

/* Apply query parameters mode, delay, status, error_rate, retry_after (also the JSON
 * names), all or nothing. query is modified. 0, or -1 with a message. */
int ing_behaviour_update_query(ing_behaviour *b, char *query, char *err, size_t errlen);

/* Restart the flaky sequence from the seed. */
void ing_behaviour_reseed(ing_behaviour *b);

/* Mode flaky: 1 when this request should fail (probability error_rate). */
int ing_behaviour_flaky_fails(ing_behaviour *b);

#endif
