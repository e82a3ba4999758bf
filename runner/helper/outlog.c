/* outlog.c: the bounded log of one run (outlog.h): a head written through, then a ring of
 * the tail; the ring is an anonymous mapping made when the head is full and unmapped at
 * the end of the run. Write errors (a full disk) lose log text, never the run. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include "outlog.h"

static void put(int fd, const char *buf, size_t len) {
    while (len > 0) {
        ssize_t w = write(fd, buf, len);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return; /* the log is lost, not the run */
        buf += w;
        len -= (size_t)w;
    }
}

void rn_outlog_begin(outlog *o, int fd) {
    memset(o, 0, sizeof *o);
    o->fd = fd;
    o->head_left = OUTLOG_HEAD;
}

void rn_outlog_take(outlog *o, const char *buf, size_t n) {
    size_t head = n < o->head_left ? n : o->head_left;
    if (head) {
        put(o->fd, buf, head);
        o->head_left -= head;
        buf += head;
        n -= head;
    }
    if (!n) return;
    if (!o->ring) {
        void *p = mmap(NULL, OUTLOG_TAIL, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
                       0);
        if (p == MAP_FAILED) { /* no memory for the tail: it is cut whole */
            o->cut += n;
            return;
        }
        o->ring = p;
    }
    if (n >= OUTLOG_TAIL) { /* only its last OUTLOG_TAIL bytes can stay */
        o->cut += o->ring_len + (n - OUTLOG_TAIL);
        buf += n - OUTLOG_TAIL;
        n = OUTLOG_TAIL;
        o->ring_len = o->ring_pos = 0;
    }
    size_t room = OUTLOG_TAIL - o->ring_len;
    if (n > room) {
        o->cut += n - room;
        o->ring_len -= n - room;
    }
    while (n > 0) {
        size_t chunk = OUTLOG_TAIL - o->ring_pos < n ? OUTLOG_TAIL - o->ring_pos : n;
        memcpy(o->ring + o->ring_pos, buf, chunk);
        o->ring_pos = (o->ring_pos + chunk) % OUTLOG_TAIL;
        o->ring_len += chunk;
        buf += chunk;
        n -= chunk;
    }
}

unsigned long long rn_outlog_end(outlog *o) {
    if (o->cut) {
        char note[200];
        int len = snprintf(note, sizeof note,
                           "\n[agentbench: %llu bytes of this run's output cut here: "
                           "its first %u and last %u bytes are kept]\n",
                           o->cut, OUTLOG_HEAD, OUTLOG_TAIL);
        put(o->fd, note, (size_t)len);
    }
    if (o->ring) {
        size_t start = (o->ring_pos + OUTLOG_TAIL - o->ring_len) % OUTLOG_TAIL;
        size_t first = OUTLOG_TAIL - start < o->ring_len ? OUTLOG_TAIL - start : o->ring_len;
        put(o->fd, o->ring + start, first);
        put(o->fd, o->ring, o->ring_len - first);
        munmap(o->ring, OUTLOG_TAIL);
        o->ring = NULL;
    }
    return o->cut;
}
