/* auth.h: --auth-token: checking an Authorization header (Bearer TOKEN, or Basic with
 * TOKEN as the password, as Grafana Cloud's agents send it). */
#ifndef ING_AUTH_H
#define ING_AUTH_H

/* 1 when header (may be NULL) carries token. */
int ing_auth_ok(const char *header, const char *token);

#endif
