/* linebuf.c: splitting a byte stream into bounded lines (linebuf.h), with memchr, so that
 * any byte, NUL included, is just a byte. */
#include <string.h>
#include "linebuf.h"

void rn_linebuf_feed(linebuf *lb, const char *data, size_t n, linebuf_cb cb, void *arg) {
    while (n > 0) {
        const char *nl = memchr(data, '\n', n);
        size_t take = nl ? (size_t)(nl - data) : n;
        if (!lb->dropping) {
            if (lb->len + take > LINEBUF_MAX) {
                lb->dropping = 1;
                lb->dropped++;
                lb->len = 0;
            } else {
                memcpy(lb->buf + lb->len, data, take);
                lb->len += take;
            }
        }
        if (!nl) return;
        if (!lb->dropping) {
            lb->buf[lb->len] = 0;
            cb(lb->buf, lb->len, memchr(lb->buf, 0, lb->len) != NULL, arg);
        }
        lb->dropping = 0;
        lb->len = 0;
        data = nl + 1;
        n -= take + 1;
    }
}
