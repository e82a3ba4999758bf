/* gzip.c: bounded inflation of gzip (and zlib) bodies. The fast path inflates a gzip body
 * in one call with libdeflate (about 3x zlib) into a buffer sized from the trailer's ISIZE,
 * only when that size is within the caller's cap: libdeflate never writes past the buffer,
 * so the cap holds. Anything the fast path cannot settle (several members, an ISIZE that
 * lies or is over the cap, corrupt data, zlib framing) goes to the streaming zlib loop,
 * which inflates into a buffer that never grows beyond the cap, so a gzip bomb costs at
 * most that much memory and is refused with 413. Concatenated gzip members are read as
 * one stream, as Go's gzip reader does. */
#include "decode_internal.h"

#include <libdeflate.h>
#include <string.h>
#include <zlib.h>

/* Deflate cannot expand data more than 1032 times (258-byte matches in 2 bits): an ISIZE
 * above that for the body's size is a lie, not worth a buffer. */
#define DEFLATE_MAX_RATIO 1032

bool ing_is_gzip(const uint8_t *b, size_t len) {
    return len >= 2 && b[0] == 0x1f && b[1] == 0x8b;
}

/* ISIZE, the uncompressed size (mod 2^32) of the last gzip member, from the trailer, when
 * it is within max_out and deflate could expand the body that much; else 0. */
static size_t gzip_believable_isize(const uint8_t *in, size_t len, size_t max_out) {
    if (len < 18 || !ing_is_gzip(in, len)) /* 10-byte header, 8-byte trailer */
        return 0;
    size_t isize = (size_t)in[len - 4] | (size_t)in[len - 3] << 8 | (size_t)in[len - 2] << 16 |
                   (size_t)in[len - 1] << 24;
    return isize <= max_out && isize / DEFLATE_MAX_RATIO <= len ? isize : 0;
}

static int grow(ing_buf *out, size_t max_out) {
    size_t want = out->cap ? out->cap * 2 : 64 * 1024;
    if (want > max_out) want = max_out;
    /* exactly: a capacity past max_out would be memory the cap does not bound */
    return ing_buf_reserve_exact(out, want);
}

int ing_gunzip_stream(const uint8_t *in, size_t len, size_t max_out, ing_buf *out, ing_error *err) {
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    if (inflateInit2(&zs, 15 + 32) != Z_OK)
        return ing_fail(err, 500, "zlib: cannot initialise inflate");
    out->len = 0;
    /* The gzip trailer's ISIZE is a good first guess for the buffer. */
    size_t isize = gzip_believable_isize(in, len, max_out);
    if (isize > out->cap) ing_buf_reserve_exact(out, isize);
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
        if (room > max_out - out->len) room = max_out - out->len;
        if (room > (1u << 30)) room = 1u << 30;
        zs.next_out = (Bytef *)out->data + out->len;
        zs.avail_out = (uInt)room;
        rc = inflate(&zs, Z_NO_FLUSH);
        out->len += room - zs.avail_out;
        consumed += chunk - zs.avail_in;
    check:
        if (rc == Z_STREAM_END) {
            /* Another gzip member may follow; anything else is garbage. */
            if (consumed == len) break;
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

/* One-shot libdeflate inflation of a single-member gzip body whose ISIZE is believable and
 * within max_out. 1: done (out holds the body); 0: not settled here (out is empty), the
 * caller streams it with zlib; -1: out of memory (err set). */
static int gunzip_oneshot(const uint8_t *in, size_t len, size_t max_out, ing_buf *out,
                          ing_error *err) {
    size_t isize = gzip_believable_isize(in, len, max_out);
    if (isize == 0) return 0;
    if (isize > out->cap && ing_buf_reserve_exact(out, isize) < 0)
        return ing_fail(err, 413, "out of memory inflating the body");
    struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
    if (d == NULL) return ing_fail(err, 413, "out of memory inflating the body");
    size_t used_in = 0, got = 0;
    /* At most isize bytes are written: more output is LIBDEFLATE_INSUFFICIENT_SPACE. */
    enum libdeflate_result rc = libdeflate_gzip_decompress_ex(d, in, len, out->data, isize,
                                                              &used_in, &got);
    libdeflate_free_decompressor(d);
    /* Success with input left over: another member (or garbage) follows; its size is
     * unknown here. INSUFFICIENT_SPACE: an ISIZE smaller than the data (a lie, or the last
     * of several members). BAD_DATA: corrupt, or an ISIZE that does not match. zlib
     * settles each of these, with the cap and its own error messages. */
    if (rc != LIBDEFLATE_SUCCESS || used_in != len) return 0;
    out->len = got;
    return 1;
}

int ing_gunzip(const uint8_t *in, size_t len, size_t max_out, ing_buf *out, ing_error *err) {
    out->len = 0;
    int rc = gunzip_oneshot(in, len, max_out, out, err);
    if (rc != 0) return rc < 0 ? -1 : 0;
    return ing_gunzip_stream(in, len, max_out, out, err);
}
