/* addr.h: "HOST:PORT" listen addresses, parsed and printed one way by every agentbench
 * program that listens (the ingester's --listen/--control, `agentbench web --listen`).
 *
 * HOST is a numeric IPv4 address or an IPv6 one (bracketed, "[::1]:80", or not, the last
 * colon then separating the port); PORT is 0..65535 (0: any free port). Names are never
 * resolved: a listener's address is what the user wrote, not what DNS says today. */
#ifndef AB_ADDR_H
#define AB_ADDR_H

#include <stddef.h>
#include <sys/socket.h>

/* With this flag a bare PORT, an empty HOST (":PORT") and "localhost" mean 127.0.0.1. */
#define AB_ADDR_LOOPBACK_DEFAULTS 1

/* Parses S into SS (cleared first). 0, or -1 when S is no such address. */
int ab_addr_parse(const char *s, int flags, struct sockaddr_storage *ss);

/* "A.B.C.D:PORT" or "[V6]:PORT" (or "-" for another family) into BUF. */
void ab_addr_format(const struct sockaddr *sa, char *buf, size_t len);

#endif
