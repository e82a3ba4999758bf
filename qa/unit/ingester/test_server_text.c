/* test_server_text.c: query strings, percent-decoding, Authorization checks, the
 * /flamegraphs file-name rules and content types. */
#include "auth.h"
#include "files.h"
#include "query.h"
#include "../tap.h"

#include <string.h>

int main(void) {
    char q[] = "name=my%20app%7Benv%3Dx%7D&format=pprof&empty&a+b=c+d";
    query_param p[8];
    int n = ing_query_parse(q, p, 8);
    CHECK(n == 4, "4 pairs");
    CHECK(strcmp(ing_query_get(p, n, "name"), "my app{env=x}") == 0, "percent-decoded value");
    CHECK(strcmp(ing_query_get(p, n, "format"), "pprof") == 0, "plain value");
    CHECK(strcmp(ing_query_get(p, n, "empty"), "") == 0, "key without '='");
    CHECK(strcmp(ing_query_get(p, n, "a b"), "c d") == 0, "'+' is a space");
    CHECK(ing_query_get(p, n, "missing") == NULL, "missing key");
    char bad[] = "a=%zz";
    CHECK(ing_query_parse(bad, p, 8) < 0, "bad escape refused");
    char nul[] = "a=%00";
    CHECK(ing_query_parse(nul, p, 8) < 0, "escaped NUL refused");
    char many[] = "a&b&c";
    CHECK(ing_query_parse(many, p, 2) < 0, "too many pairs refused");
    char path[] = "x%2Fy";
    CHECK(ing_query_unescape(path, 0) == 3 && strcmp(path, "x/y") == 0, "path unescape");

    CHECK(!ing_auth_ok("Basic !!", "s3cret"), "Basic with bad base64");
    CHECK(ing_auth_ok("Basic dXNlcjpzM2NyZXQ", "s3cret"), "Basic without padding");
    CHECK(ing_auth_ok("Bearer s3cret", "s3cret"), "Bearer token");
    CHECK(ing_auth_ok("bearer  s3cret ", "s3cret"), "Bearer, case and spaces");
    CHECK(!ing_auth_ok("Bearer s3cre", "s3cret") && !ing_auth_ok("Bearer s3crett", "s3cret"),
          "wrong Bearer token");
    CHECK(ing_auth_ok("Basic dXNlcjpzM2NyZXQ=", "s3cret"), "Basic with the token as password");
    CHECK(!ing_auth_ok("Basic dXNlcjp3cm9uZw==", "s3cret"), "Basic with a wrong password");
    CHECK(!ing_auth_ok(NULL, "s3cret") && !ing_auth_ok("Digest x", "s3cret"),
          "missing or other scheme");

    CHECK(ing_files_name_ok("app.svg") && ing_files_name_ok("a-b_c.folded"), "plain names");
    CHECK(!ing_files_name_ok("../etc/passwd") && !ing_files_name_ok("a/b") &&
              !ing_files_name_ok("..") && !ing_files_name_ok(".hidden") && !ing_files_name_ok("") &&
              !ing_files_name_ok("a..b") && !ing_files_name_ok("a\\b") &&
              !ing_files_name_ok("a\nb"),
          "traversal, slashes, dot files, control characters refused");
    CHECK(strcmp(ing_files_content_type("x.svg"), "image/svg+xml") == 0 &&
              strncmp(ing_files_content_type("x.folded"), "text/plain", 10) == 0 &&
              strncmp(ing_files_content_type("x.txt"), "text/plain", 10) == 0 &&
              strncmp(ing_files_content_type("x.html"), "text/html", 9) == 0 &&
              strcmp(ing_files_content_type("x.png"), "image/png") == 0 &&
              strcmp(ing_files_content_type("x.bin"), "application/octet-stream") == 0,
          "content types");
    return TAP_DONE();
}
