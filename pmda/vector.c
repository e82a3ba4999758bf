/* vector.c: Vector 2's flame graph protocol (vector.h): the capture's state (capture.h)
 * as Vector reads it, DONE once per client context. A context's record is the number of
 * the last completed capture it was shown; the records grow with the highest context id
 * seen (pmcd's ids are small and reused, and a context's end clears its record). */
#include "vector.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "capture.h"

static unsigned long long *shown; /* by context: pmda_capture_done() it saw DONE for */
static int nshown;
static char status[4200];

static int record(int ctx) {
    if (ctx < 0 || ctx > 65535) return 0;
    if (ctx >= nshown) {
        int n = nshown ? nshown : 16;
        while (n <= ctx) n *= 2;
        unsigned long long *grown = realloc(shown, n * sizeof(*grown));
        if (!grown) return 0;
        memset(grown + nshown, 0, (n - nshown) * sizeof(*grown));
        shown = grown;
        nshown = n;
    }
    return 1;
}

const char *pmda_vector_status(int ctx) {
    switch (pmda_capture_state()) {
        case CAPTURE_RUNNING:
        case CAPTURE_ERROR: return pmda_capture_status();
        case CAPTURE_DONE:
            if (record(ctx) && shown[ctx] != pmda_capture_done() && pmda_capture_last_file()) {
                shown[ctx] = pmda_capture_done();
                snprintf(status, sizeof(status), "DONE flamegraphs/%s", pmda_capture_last_file());
                return status;
            }
            return "IDLE";
        case CAPTURE_IDLE: break;
    }
    return "IDLE";
}

int pmda_vector_parse_store(const pmValueSet *vs, long *seconds) {
    if (vs->numval != 1 || vs->vlist[0].inst != (int)PM_IN_NULL || vs->valfmt == PM_VAL_INSITU)
        return PM_ERR_BADSTORE;
    const pmValueBlock *vb = vs->vlist[0].value.pval;
    if (!vb || vb->vtype != PM_TYPE_STRING || vb->vlen <= PM_VAL_HDR_SIZE ||
        vb->vlen > PM_VAL_HDR_SIZE + 32)
        return PM_ERR_BADSTORE;
    char text[40];
    size_t len = vb->vlen - PM_VAL_HDR_SIZE;
    memcpy(text, vb->vbuf, len);
    text[len] = '\0';
    char *end;
    long n = strtol(text, &end, 10);
    while (*end == ' ' || *end == '\n') end++;
    if (end == text || *end || n < 0 || n > CAPTURE_MAX_SECONDS) return PM_ERR_BADSTORE;
    *seconds = n;
    return 0;
}

void pmda_vector_end_context(int ctx) {
    if (ctx >= 0 && ctx < nshown) shown[ctx] = 0;
}
