/* fetchbuf.c: the reusable pmResult of fetchbuf.h. */
#include "fetchbuf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_SIZE (64 * 1024)

struct fetchbuf_chunk {
    fetchbuf_chunk *next;
    size_t used, size;
    char *data; /* 8-byte aligned (malloc) */
};

pmResult *pmda_fetchbuf_begin(fetchbuf *fb, int numpmid) {
    if (numpmid > fb->maxpmid) {
        size_t need = sizeof(pmResult) + (size_t)numpmid * sizeof(pmValueSet *);
        pmResult *res = realloc(fb->res, need);
        if (!res) return NULL;
        fb->res = res;
        int *vcap = realloc(fb->vcap, (size_t)numpmid * sizeof(int));
        if (!vcap) return NULL;
        fb->vcap = vcap;
        for (int i = fb->maxpmid; i < numpmid; i++) {
            res->vset[i] = NULL;
            vcap[i] = -1;
        }
        fb->maxpmid = numpmid;
    }
    for (fetchbuf_chunk *c = fb->chunks; c; c = c->next) c->used = 0;
    fb->cur = fb->chunks;
    memset(&fb->res->timestamp, 0, sizeof(fb->res->timestamp));
    fb->res->numpmid = numpmid;
    return fb->res;
}

pmValueSet *pmda_fetchbuf_vset(fetchbuf *fb, int i, pmID pmid, int maxval) {
    if (maxval < 1) maxval = 1;
    if (fb->vcap[i] < maxval) {
        int cap = maxval + maxval / 4;
        pmValueSet *vs = realloc(fb->res->vset[i],
                                 sizeof(pmValueSet) + (size_t)(cap - 1) * sizeof(pmValue));
        if (!vs) return NULL;
        fb->res->vset[i] = vs;
        fb->vcap[i] = cap;
    }
    pmValueSet *vs = fb->res->vset[i];
    vs->pmid = pmid;
    vs->numval = 0;
    vs->valfmt = PM_VAL_INSITU;
    return vs;
}

/* Room for a value block of vlen bytes, 8-byte aligned, from the kept chunks. */
static pmValueBlock *block(fetchbuf *fb, size_t vlen) {
    size_t need = (vlen + 7) & ~(size_t)7;
    while (fb->cur && fb->cur->used + need > fb->cur->size) fb->cur = fb->cur->next;
    if (!fb->cur) {
        size_t size = need > CHUNK_SIZE ? need : CHUNK_SIZE;
        fetchbuf_chunk *c = malloc(sizeof(*c));
        if (!c || !(c->data = malloc(size))) {
            free(c);
            return NULL;
        }
        c->used = 0;
        c->size = size;
        /* chunks are kept in order and reused by later fetches */
        c->next = NULL;
        fetchbuf_chunk **tail = &fb->chunks;
        while (*tail) tail = &(*tail)->next;
        *tail = c;
        fb->cur = c;
    }
    pmValueBlock *vb = (pmValueBlock *)(fb->cur->data + fb->cur->used);
    fb->cur->used += need;
    return vb;
}

int pmda_fetchbuf_put(fetchbuf *fb, pmValueSet *vs, int inst, int type, const pmAtomValue *atom) {
    pmValue *v = &vs->vlist[vs->numval];
    pmValueBlock *vb;
    size_t len;
    v->inst = inst;
    switch (type) {
        case PM_TYPE_32: v->value.lval = atom->l; break;
        case PM_TYPE_U32: v->value.lval = (int)atom->ul; break;
        case PM_TYPE_U64:
        case PM_TYPE_64:
        case PM_TYPE_DOUBLE:
            if (!(vb = block(fb, PM_VAL_HDR_SIZE + sizeof(uint64_t)))) return -ENOMEM;
            vb->vlen = PM_VAL_HDR_SIZE + sizeof(uint64_t);
            vb->vtype = type;
            memcpy((char *)vb + PM_VAL_HDR_SIZE,
                   type == PM_TYPE_DOUBLE ? (const void *)&atom->d : (const void *)&atom->ull,
                   sizeof(uint64_t));
            v->value.pval = vb;
            vs->valfmt = PM_VAL_DPTR; /* as libpcp_pmda sends it; nothing frees it */
            break;
        case PM_TYPE_STRING:
            len = strlen(atom->cp) + 1;
            if (len > PM_VAL_VLEN_MAX - PM_VAL_HDR_SIZE) return PM_ERR_TYPE;
            if (!(vb = block(fb, PM_VAL_HDR_SIZE + len))) return -ENOMEM;
            vb->vlen = PM_VAL_HDR_SIZE + len;
            vb->vtype = type;
            memcpy((char *)vb + PM_VAL_HDR_SIZE, atom->cp, len);
            v->value.pval = vb;
            vs->valfmt = PM_VAL_DPTR;
            break;
        default: return PM_ERR_TYPE;
    }
    vs->numval++;
    return 0;
}

void pmda_fetchbuf_free(fetchbuf *fb) {
    for (int i = 0; i < fb->maxpmid; i++) free(fb->res->vset[i]);
    free(fb->res);
    free(fb->vcap);
    while (fb->chunks) {
        fetchbuf_chunk *c = fb->chunks;
        fb->chunks = c->next;
        free(c->data);
        free(c);
    }
    memset(fb, 0, sizeof(*fb));
}
