/* routes.h: what the ingester does with a request and with what its connections report:
 * the data endpoints (POST /ingest, /pyroscope/ingest, /push.v1.PusherService/Push,
 * Datadog's /profiling/v1/input, and /dogstatsd/v2/proxy answered and ignored)
 * under the current behaviour, GET /stats, /healthz, /flamegraphs/<file> and the control
 * listener's /mode, and all the counting. It is the transport's user (conn.h): main.c
 * hands these callbacks to ing_server_start with the server (ing_server *) as their arg. */
#ifndef ING_ROUTES_H
#define ING_ROUTES_H

#include "conn.h"

extern const conn_callbacks ing_routes_callbacks;

#endif
