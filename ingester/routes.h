/* routes.h: what the ingester does with a complete request: the data endpoints
 * (POST /ingest, /pyroscope/ingest, /push.v1.PusherService/Push) under the current
 * behaviour, and GET /stats, /healthz, /flamegraphs/<file> and the control listener's
 * /mode. */
#ifndef ING_ROUTES_H
#define ING_ROUTES_H

#include "conn.h"

void routes_dispatch(ing_conn *c);

#endif
