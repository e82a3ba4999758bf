/* jfr.c: format=jfr on POST /ingest (the Java agent). Java Flight Recorder data is not
 * decoded: it counts as one profile of unknown samples. The body must not be empty; a
 * multipart body (parts "jfr" and "labels") must have a non-empty "jfr" part. */
#include "decode_internal.h"
#include "multipart.h"

int ing_decode_jfr(const ing_target *t, const char *content_type, const uint8_t *body, size_t len,
                   ing_counts *c, ing_error *err) {
    (void)t;
    (void)c;
    if (content_type && ing_content_type_is(content_type, "multipart/form-data")) {
        ing_part parts[ING_MULTIPART_MAX_PARTS];
        size_t n;
        if (ing_multipart_parse(content_type, body, len, parts, ING_MULTIPART_MAX_PARTS, &n, err) <
            0)
            return -1;
        const ing_part *jfr = ing_multipart_find(parts, n, "jfr");
        if (jfr == NULL || jfr->len == 0) return ing_fail(err, 422, "multipart: no \"jfr\" part");
        return 0;
    }
    return len ? 0 : ing_fail(err, 422, "jfr: empty body");
}
