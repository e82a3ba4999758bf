/* test_service_work.c: http-c-service's /work (benchmarks/http-c-service/work.c): its
 * parameters from a query string and from a JSON body, bad values refused, answers that
 * are a pure function of (seed, items), and digests equal to the ones http-nodejs-service
 * computes for the same requests (benchmarks/nodejs/service-work.js, taken from Node). */
#include <stdlib.h>
#include <string.h>

#include "../tap.h"
#include "work.h"

static int params(const char *q, uint32_t seed, unsigned items) {
    work_params p;
    char err[160];
    return work_params_from_query(q, strlen(q), &p, err, sizeof err) == 0 && p.seed == seed &&
           p.items == items;
}

static int bad_query(const char *q) {
    work_params p;
    char err[160] = "";
    return work_params_from_query(q, strlen(q), &p, err, sizeof err) < 0 && err[0];
}

static int bad_json(const char *body) {
    work_params p;
    char err[160] = "";
    return work_params_from_json(body, strlen(body), &p, err, sizeof err) < 0 && err[0];
}

static int digest_is(uint32_t seed, unsigned items, uint64_t want, size_t want_len) {
    work_params p = {seed, items};
    size_t len = 0;
    uint64_t d = 0;
    char *body = work_run(&p, &len, &d);
    int ok = body && d == want && len == want_len && strlen(body) == len;
    free(body);
    return ok;
}

int main(void) {
    CHECK(params("", 0, WORK_ITEMS_DEFAULT), "no parameters: seed 0, 64 items");
    CHECK(params("seed=7&items=5", 7, 5), "seed and items");
    CHECK(params("items=1000&x=y&seed=4294967295", 4294967295u, 1000),
          "any order, unknown keys ignored, the limits");
    CHECK(bad_query("seed=x") && bad_query("seed=4294967296") && bad_query("seed=") &&
              bad_query("seed=-1"),
          "a seed that is not an integer in [0, 2^32) is refused");
    CHECK(bad_query("items=0") && bad_query("items=1001") && bad_query("items=1e3"),
          "items outside [1, 1000] are refused");

    work_params p;
    char err[160];
    const char *json = "{\"seed\":7,\"items\":5}";
    CHECK(work_params_from_json(json, strlen(json), &p, err, sizeof err) == 0 && p.seed == 7 &&
              p.items == 5,
          "a JSON body gives the same parameters");
    CHECK(bad_json("[1]") && bad_json("{\"seed\":-1}") && bad_json("{\"items\":\"5\"}") &&
              bad_json("{") && bad_json("{\"items\":1001}"),
          "a body that is not an object with integers in range is refused");

    /* the same digests (and lengths) as Node's service-work.js for the same parameters */
    CHECK(digest_is(1, 8, 0xed9d04eb6c413bfbull, 332), "seed 1, 8 items: Node's digest");
    CHECK(digest_is(0, 1, 0x1f8d7f83db58ccc0ull, 321), "seed 0, 1 item: Node's digest");
    CHECK(digest_is(4294967295u, 1000, 0x64bae470b3cf50bfull, 391),
          "seed 2^32-1, 1000 items: Node's digest");
    CHECK(!digest_is(7, 5, 0xafc49524942a07e0ull, 332), "(a digest one off does not match)");
    work_params q = {7, 5};
    size_t l1, l2;
    uint64_t d1, d2;
    char *a = work_run(&q, &l1, &d1), *b = work_run(&q, &l2, &d2);
    CHECK(a && b && l1 == l2 && d1 == d2 && !memcmp(a, b, l1),
          "the same parameters give the same answer");
    free(a), free(b);
    q.seed = 8;
    a = work_run(&q, &l1, &d2);
    CHECK(a && d2 != d1, "another seed gives another digest");
    free(a);
    uint64_t totals[WORK_TAGS], sum = 0;
    work_tag_totals(totals);
    for (int i = 0; i < WORK_TAGS; i++) sum += totals[i];
    CHECK(sum > 0, "the shared tag table counted the requests' tags");
    return TAP_DONE();
}
