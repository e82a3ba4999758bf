/* test_server_behaviour.c: modes, the control endpoint's JSON and query updates (all or
 * nothing), and flaky's deterministic sequence. */
#include "behaviour.h"
#include "../tap.h"

#include <stdlib.h>
#include <string.h>

static char *json_of(const ing_behaviour *b) {
    json_t *j = ing_behaviour_json(b);
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    return s;
}

int main(void) {
    ing_behaviour b;
    char err[256];
    ing_behaviour_init(&b);
    char *s = json_of(&b);
    CHECK(strcmp(s, "{\"mode\":\"fast\",\"delay_s\":30,\"status\":503,\"error_rate\":0.5,"
                    "\"retry_after_s\":1}") == 0,
          "default JSON: %s", s);
    free(s);

    for (int m = 0; m < MODE_COUNT; m++) {
        ing_mode back;
        CHECK(ing_mode_parse(ing_mode_name((ing_mode)m), &back) == 0 && back == (ing_mode)m,
              "mode %s round-trips", ing_mode_name((ing_mode)m));
    }

    const char *j1 = "{\"mode\":\"slow\",\"delay_s\":2.5}";
    CHECK(ing_behaviour_update_json(&b, j1, strlen(j1), err, sizeof err) == 0 &&
              b.mode == MODE_SLOW && b.delay_s == 2.5 && b.status == 503,
          "JSON subset applied");
    const char *j2 = "{\"status\":500,\"mode\":\"nope\"}";
    CHECK(ing_behaviour_update_json(&b, j2, strlen(j2), err, sizeof err) < 0 && b.status == 503 &&
              b.mode == MODE_SLOW,
          "bad JSON field: nothing applied (%s)", err);
    const char *j3 = "{\"status\":\"500\"}";
    CHECK(ing_behaviour_update_json(&b, j3, strlen(j3), err, sizeof err) < 0,
          "status as a string refused (%s)", err);
    const char *j4 = "[1]";
    CHECK(ing_behaviour_update_json(&b, j4, strlen(j4), err, sizeof err) < 0, "not an object");
    const char *j5 = "{\"colour\":1}";
    CHECK(ing_behaviour_update_json(&b, j5, strlen(j5), err, sizeof err) < 0 &&
              strstr(err, "colour"),
          "unknown field named: %s", err);
    const char *j6 = "{\"status\":429.0}";
    CHECK(ing_behaviour_update_json(&b, j6, strlen(j6), err, sizeof err) == 0 && b.status == 429,
          "integral real status accepted");

    char q1[] = "mode=error&status=502";
    CHECK(ing_behaviour_update_query(&b, q1, err, sizeof err) == 0 && b.mode == MODE_ERROR &&
              b.status == 502,
          "query update");
    char q2[] = "mode=flaky&error_rate=2";
    CHECK(ing_behaviour_update_query(&b, q2, err, sizeof err) < 0 && b.mode == MODE_ERROR,
          "bad error_rate: nothing applied (%s)", err);
    char q3[] = "delay=abc";
    CHECK(ing_behaviour_update_query(&b, q3, err, sizeof err) < 0, "bad delay refused");

    /* flaky: deterministic for a seed, about error_rate of requests fail */
    char q4[] = "mode=flaky&error_rate=0.3";
    CHECK(ing_behaviour_update_query(&b, q4, err, sizeof err) == 0, "flaky 0.3");
    int first[20], fails = 0;
    for (int i = 0; i < 20; i++) first[i] = ing_behaviour_flaky_fails(&b);
    for (int i = 0; i < 10000; i++) fails += ing_behaviour_flaky_fails(&b);
    CHECK(fails > 2800 && fails < 3200, "about 30%% fail: %d of 10000", fails);
    ing_behaviour_reseed(&b);
    int same = 1;
    for (int i = 0; i < 20; i++) same &= first[i] == ing_behaviour_flaky_fails(&b);
    CHECK(same, "same sequence after reseeding");
    b.error_rate = 0;
    int any = 0;
    for (int i = 0; i < 1000; i++) any |= ing_behaviour_flaky_fails(&b);
    CHECK(!any, "rate 0 never fails");
    b.error_rate = 1;
    int all = 1;
    for (int i = 0; i < 1000; i++) all &= ing_behaviour_flaky_fails(&b);
    CHECK(all, "rate 1 always fails");
    return TAP_DONE();
}
