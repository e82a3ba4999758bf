/* http.c: libcurl calls to ingester control endpoints, with bounded timeouts; /stats
 * answers are read by lib/ingester_stats.h, the document's one reader. A control token
 * (agentbench-ingester --control-token-file), from $AGENTBENCH_INGESTER_CONTROL_TOKEN_FILE
 * or $AGENTBENCH_INGESTER_CONTROL_TOKEN, goes with every call as a Bearer token. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <curl/curl.h>
#include "http.h"
#include "util.h"

typedef struct growbuf {
    char *p;
    size_t n;
} growbuf;

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *arg) {
    growbuf *b = arg;
    size_t len = size * nmemb;
    if (b->n + len > (1u << 24)) return 0; /* 16 MiB is more than any answer we expect */
    b->p = rn_xrealloc(b->p, b->n + len + 1);
    memcpy(b->p + b->n, ptr, len);
    b->n += len;
    b->p[b->n] = 0;
    return len;
}

/* "Authorization: Bearer TOKEN" from the environment, or NULL (read once). */
static const char *control_auth(void) {
    static char hdr[1100];
    static int read_once;
    if (!read_once) {
        read_once = 1;
        const char *file = getenv("AGENTBENCH_INGESTER_CONTROL_TOKEN_FILE");
        const char *tok = getenv("AGENTBENCH_INGESTER_CONTROL_TOKEN");
        char line[1024] = "";
        FILE *f = file && *file ? fopen(file, "r") : NULL;
        if (file && *file && !f) fprintf(stderr, "agentbench: cannot read %s\n", file);
        if (f ? fgets(line, sizeof line, f) != NULL : tok != NULL) {
            if (!f) snprintf(line, sizeof line, "%s", tok);
            line[strcspn(line, " \t\r\n")] = '\0'; /* the first word of its first line */
            if (*line) snprintf(hdr, sizeof hdr, "Authorization: Bearer %s", line);
        }
        if (f) fclose(f);
    }
    return hdr[0] ? hdr : NULL;
}

int rn_http_call(const char *method, const char *url, const char *json_body, double timeout_s,
                 char **body, char *err, size_t errlen) {
    static int initialised;
    if (!initialised) {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        initialised = 1;
    }
    CURL *c = curl_easy_init();
    if (!c) {
        snprintf(err, errlen, "curl_easy_init failed");
        return -1;
    }
    growbuf b = {0};
    struct curl_slist *hdrs = NULL;
    long ms = (long)(timeout_s * 1000);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, ms > 0 ? ms : 1000L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, ms > 0 ? ms : 1000L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    if (strcmp(method, "GET")) curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (control_auth()) hdrs = curl_slist_append(hdrs, control_auth());
    if (json_body) {
        hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, json_body);
    }
    if (hdrs) curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    CURLcode rc = curl_easy_perform(c);
    long status = -1;
    if (rc != CURLE_OK) {
        snprintf(err, errlen, "%s %s: %s", method, url, curl_easy_strerror(rc));
        free(b.p);
        b.p = NULL;
    } else {
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    }
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(c);
    if (body) *body = b.p;
    else free(b.p);
    return (int)status;
}

int rn_ingester_counters_fetch(const char *control_url, ab_ingester_stats *stats, char *err,
                               size_t errlen) {
    return rn_ingester_counters_fetch_app(control_url, NULL, stats, NULL, NULL, err, errlen);
}

int rn_ingester_counters_fetch_app(const char *control_url, const char *app,
                                   ab_ingester_stats *stats, ab_ingester_app_stats *app_stats,
                                   ab_ingester_type_stats *types, char *err, size_t errlen) {
    char *url = rn_xasprintf(app ? "%s/stats" : "%s/stats?apps=0", control_url), *body = NULL;
    int st = rn_http_call("GET", url, NULL, 1.0, &body, err, errlen);
    free(url);
    if (st != 200) {
        if (st > 0) snprintf(err, errlen, "GET %s/stats: HTTP %d", control_url, st);
        free(body);
        return -1;
    }
    char why[256];
    const char *text = body ? body : "";
    int rc = ab_ingester_stats_read(text, strlen(text), stats, why, sizeof why);
    if (rc == 0 && app)
        rc = ab_ingester_stats_read_app(text, strlen(text), app, app_stats, types,
                                        AB_INGESTER_MAX_TYPES, why, sizeof why);
    if (rc < 0) snprintf(err, errlen, "GET %s/stats: %s", control_url, why);
    free(body);
    return rc;
}
