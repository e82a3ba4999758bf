/* fetchbuf.h: a pmResult built by the PMDA itself and reused from fetch to fetch: value
 * sets that grow to the largest seen and value blocks (64-bit numbers, strings) carved
 * from chunks that are kept, so a steady fetch allocates nothing. libpcp_pmda sends the
 * result; its result callback must then leave the memory alone (see fetch.c). */
#ifndef PMDA_AB_FETCHBUF_H
#define PMDA_AB_FETCHBUF_H

#include <pcp/pmapi.h>

typedef struct fetchbuf_chunk fetchbuf_chunk;

typedef struct fetchbuf {
    pmResult *res; /* numpmid slots, grown as needed */
    int maxpmid;
    int *vcap;              /* values each res->vset[i] has room for */
    fetchbuf_chunk *chunks; /* value blocks; reset, not freed, per fetch */
    fetchbuf_chunk *cur;
} fetchbuf;

/* Start a result of numpmid value sets. Returns the result, or NULL (out of memory). */
pmResult *pmda_fetchbuf_begin(fetchbuf *fb, int numpmid);

/* Value set i for pmid with room for maxval values (numval 0, insitu). NULL: no memory. */
pmValueSet *pmda_fetchbuf_vset(fetchbuf *fb, int i, pmID pmid, int maxval);

/* Append one value of the given type to vs (which must have room). Returns 0, or
 * PM_ERR_TYPE / -ENOMEM. */
int pmda_fetchbuf_put(fetchbuf *fb, pmValueSet *vs, int inst, int type, const pmAtomValue *atom);

void pmda_fetchbuf_free(fetchbuf *fb);

#endif
