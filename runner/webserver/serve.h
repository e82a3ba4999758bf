/* serve.h: the web view's read-only HTTP server (serve.c), which command.c starts. */
#ifndef AB_RUNNER_WEBSERVER_SERVE_H
#define AB_RUNNER_WEBSERVER_SERVE_H

#include <sys/socket.h>

/* Serve the files under root (a canonical directory: realpath's output) on addr until
 * SIGINT or SIGTERM, after printing the ready line. Returns the exit status: 0 stopped by
 * a signal, 1 cannot listen (the message on stderr names listen_text). */
int rn_web_serve(const struct sockaddr *addr, const char *root, const char *listen_text);

#endif
