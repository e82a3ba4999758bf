/* test_web_path.c: rn_web_resolve() maps request paths to files under the web directory
 * only (traversal, encodings, hidden names, symbolic links, directories), and
 * rn_web_content_type() names the types the page needs. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "../tap.h"
#include "webserver/path.h"

static char root[PATH_MAX + 16], outside[PATH_MAX + 16];

static void put(const char *dir, const char *name, const char *text) {
    char p[PATH_MAX * 2];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    fputs(text, f);
    fclose(f);
}

static int resolve(const char *path, char *out) {
    char buf[PATH_MAX];
    return rn_web_resolve(root, path, strlen(path), out ? out : buf, PATH_MAX);
}

static int ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

int main(void) {
    char tmpl[] = "/tmp/ab-test-web-XXXXXX", real[PATH_MAX], link[PATH_MAX * 2];
    if (!mkdtemp(tmpl) || !realpath(tmpl, real)) return 1;
    snprintf(root, sizeof root, "%s/site", real);
    snprintf(outside, sizeof outside, "%s/outside", real);
    mkdir(root, 0755);
    mkdir(outside, 0755);
    snprintf(link, sizeof link, "%s/sub", root);
    mkdir(link, 0755);
    put(root, "index.html", "<p>");
    put(root, "sub/index.html", "<p>");
    put(root, "a b.js", "x");
    put(root, ".secret", "x");
    put(outside, "secret.txt", "x");
    snprintf(link, sizeof link, "%s/out.txt", root);
    symlink("../outside/secret.txt", link);
    snprintf(link, sizeof link, "%s/in.txt", root);
    symlink("sub/index.html", link);

    char out[PATH_MAX];
    CHECK(resolve("/", out) == 200 && ends_with(out, "/site/index.html"), "/ is index.html");
    CHECK(resolve("/sub/", out) == 200 && ends_with(out, "/site/sub/index.html"),
          "dir/ is its index.html");
    CHECK(resolve("/sub", NULL) == 404, "a directory without / is not found (no listing)");
    CHECK(resolve("/a%20b.js", out) == 200 && ends_with(out, "/a b.js"), "percent-decoding");
    CHECK(resolve("//index.html", NULL) == 200, "empty segments are skipped");
    CHECK(resolve("/in.txt", out) == 200 && ends_with(out, "/site/sub/index.html"),
          "a symbolic link inside the root resolves");
    CHECK(resolve("/out.txt", NULL) == 404, "a symbolic link out of the root is not found");
    CHECK(resolve("/../outside/secret.txt", NULL) == 403, "..");
    CHECK(resolve("/sub/../index.html", NULL) == 403, ".. inside");
    CHECK(resolve("/%2e%2e/outside/secret.txt", NULL) == 403, "encoded ..");
    CHECK(resolve("/%2E./outside/secret.txt", NULL) == 403, "half-encoded ..");
    CHECK(resolve("/./index.html", NULL) == 403, ".");
    CHECK(resolve("/.secret", NULL) == 404, "hidden names");
    CHECK(resolve("/sub/.x", NULL) == 404, "hidden names below");
    CHECK(resolve("/index.html%00", NULL) == 400, "encoded NUL");
    CHECK(resolve("/index%0a.html", NULL) == 400, "encoded control character");
    CHECK(resolve("/a%5c..%5csecret", NULL) == 400, "backslashes");
    CHECK(resolve("/%", NULL) == 400 && resolve("/%4", NULL) == 400 && resolve("/%zz", NULL) == 400,
          "truncated or bad escapes");
    CHECK(resolve("index.html", NULL) == 400 && resolve("", NULL) == 400, "no leading /");
    CHECK(resolve("/nosuch", NULL) == 404, "missing file");
    char longp[PATH_MAX + 10];
    memset(longp, 'a', sizeof longp - 1);
    longp[0] = '/';
    longp[sizeof longp - 1] = 0;
    CHECK(resolve(longp, NULL) == 400, "a path longer than PATH_MAX");
    CHECK(rn_web_resolve(root, "/index.htmlXYZ", 11, out, sizeof out) == 200,
          "only url_len bytes are read");
    CHECK(rn_web_resolve(root, "/index.html", 11, out, 8) == 404, "an output buffer too small");

    CHECK(!strcmp(rn_web_content_type("a/b.html"), "text/html; charset=utf-8"), "html");
    CHECK(!strcmp(rn_web_content_type("x.js"), "text/javascript; charset=utf-8"), "js");
    CHECK(!strcmp(rn_web_content_type("x.css"), "text/css; charset=utf-8"), "css");
    CHECK(!strcmp(rn_web_content_type("x.png"), "image/png"), "png");
    CHECK(!strcmp(rn_web_content_type("js"), "application/octet-stream"),
          "a name that is a suffix");
    CHECK(!strcmp(rn_web_content_type("x.bin"), "application/octet-stream"), "unknown");

    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "rm -rf %s", real);
    if (system(cmd) != 0) return 1;
    return TAP_DONE();
}
