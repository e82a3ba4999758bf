/* path.h: maps the path of a request for `agentbench web` to a file under the web
 * directory, refusing everything else (the pure part of serve.c, unit-tested). */
#ifndef AB_RUNNER_WEBSERVER_PATH_H
#define AB_RUNNER_WEBSERVER_PATH_H

#include <stddef.h>

/* Resolve url_path (the raw, percent-encoded path of a request target, starting with '/')
 * against root (an absolute, canonical directory: realpath's output). A path ending in
 * '/' names its index.html. On success writes the file's canonical path to out and
 * returns 200; otherwise returns the HTTP status to answer: 400 (not a path: no leading
 * '/', a bad or NUL escape, control characters, too long), 403 (a "." or ".." segment),
 * 404 (no such regular file under root, a hidden name, a directory, a symbolic link that
 * leads out of root). */
int rn_web_resolve(const char *root, const char *url_path, size_t url_len, char *out,
                   size_t outlen);

/* The Content-Type for a file name, from its suffix (application/octet-stream when
 * unknown). */
const char *rn_web_content_type(const char *path);

#endif
