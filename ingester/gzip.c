/* gzip.c: bounded inflation of gzip (and zlib) bodies with zlib. Inflates in a streaming
 * loop into a buffer that never grows beyond the caller's cap, so a gzip bomb costs at
 * most that much memory and is refused with 413. Concatenated gzip members are read as
 * one stream, as Go's gzip reader does. */
#include "decode_internal.h"

#include <string.h>
#include <zlib.h>

bool ing_is_gzip(const uint8_t *b, size_t len)
{
    return len >= 2 && b[0] == 0x1f && b[1] == 0x8b;
}

static int grow(ing_buf *out, size_t max_out)
{
    size_t want = out->cap ? out->cap * 2 : 64 * 1024;
    if (want > max_out)
        want = max_out;
    if (want <= out->cap)
        return 0;
    return ing_buf_reserve(out, want - out->len);
}

int ing_gunzip(const uint8_t *in, size_t len, size_t max_out, ing_buf *out, ing_error *err)
{
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    if (inflateInit2(&zs, 15 + 32) != Z_OK)
        return ing_fail(err, 500, "zlib: cannot initialise inflate");
    out->len = 0;
    /* The gzip trailer's ISIZE (size mod 2^32 of the last member) is a good first guess
     * for the buffer, as long as it stays under the cap. */
    if (len >= 18 && ing_is_gzip(in, len)) {
        size_t isize = (size_t)in[len - 4] | (size_t)in[len - 3] << 8 | (size_t)in[len - 2] << 16 |
                       (size_t)in[len - 1] << 24;
        if (isize > out->cap && isize <= max_out)
            ing_buf_reserve(out, isize);
    }
    zs.next_in = (Bytef *)in;
    int rc = Z_OK;
    size_t consumed = 0;
    for (;;) {
        size_t chunk = len - consumed > (1u << 30) ? (1u << 30) : len - consumed;
        zs.next_in = (Bytef *)in + consumed;
        zs.avail_in = (uInt)chunk;
        if (out->cap - out->len == 0 || out->len >= max_out) {
            if (out->len >= max_out) {
                /* At the cap: any further output means the body inflates too far. */
                uint8_t probe[64];
                zs.next_out = probe;
                zs.avail_out = sizeof(probe);
                rc = inflate(&zs, Z_NO_FLUSH);
                consumed += chunk - zs.avail_in;
                if (zs.avail_out != sizeof(probe)) {
                    inflateEnd(&zs);
                    return ing_fail(err, 413, "body inflates to more than %zu bytes", max_out);
                }
                goto check;
            }
            if (grow(out, max_out) < 0) {
                inflateEnd(&zs);
                return ing_fail(err, 413, "out of memory inflating the body");
            }
        }
        size_t room = out->cap - out->len;
        if (room > max_out - out->len)
            room = max_out - out->len;
        if (room > (1u << 30))
            room = 1u << 30;
        zs.next_out = (Bytef *)out->data + out->len;
        zs.avail_out = (uInt)room;
        rc = inflate(&zs, Z_NO_FLUSH);
        out->len += room - zs.avail_out;
        consumed += chunk - zs.avail_in;
    check:
        if (rc == Z_STREAM_END) {
            /* Another gzip member may follow; anything else is garbage. */
            if (consumed == len)
                break;
            if (!ing_is_gzip(in + consumed, len - consumed)) {
                inflateEnd(&zs);
                return ing_fail(err, 422, "gzip: trailing garbage after the compressed data");
            }
            inflateReset(&zs);
            continue;
        }
        if (rc == Z_BUF_ERROR && consumed == len && zs.avail_out != 0) {
            inflateEnd(&zs);
            return ing_fail(err, 422, "gzip: truncated compressed data");
        }
        if (rc != Z_OK && rc != Z_BUF_ERROR) {
            const char *why = zs.msg ? zs.msg : "corrupt data";
            ing_fail(err, 422, "gzip: %s", why);
            inflateEnd(&zs);
            return -1;
        }
        if (rc == Z_OK && consumed == len && zs.avail_out != 0) {
            /* All input consumed, room left, no end of stream: truncated. */
            inflateEnd(&zs);
            return ing_fail(err, 422, "gzip: truncated compressed data");
        }
    }
    inflateEnd(&zs);
    return 0;
}
