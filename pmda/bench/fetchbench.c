/* fetchbench.c: fetch latency through pmcd. Resolves every leaf metric under each PREFIX,
 * then times COUNT pmFetch calls of all of them at once (after a few untimed warm-ups)
 * and prints: prefix, metrics, values per fetch, p50, p99 and max in milliseconds.
 *   fetchbench [-n COUNT] [-h HOST] PREFIX... */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <pcp/pmapi.h>

static char **names;
static int nnames, capnames;

static void collect(const char *name) {
    if (nnames == capnames) {
        capnames = capnames ? capnames * 2 : 64;
        names = realloc(names, capnames * sizeof(*names));
    }
    names[nnames++] = strdup(name);
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv) {
    int count = 1000, c;
    const char *host = "local:";
    while ((c = getopt(argc, argv, "n:h:")) != -1) {
        switch (c) {
            case 'n': count = atoi(optarg); break;
            case 'h': host = optarg; break;
            default:
                fprintf(stderr, "usage: fetchbench [-n COUNT] [-h HOST] PREFIX...\n");
                return 2;
        }
    }
    if (optind >= argc || count < 10) {
        fprintf(stderr, "usage: fetchbench [-n COUNT>=10] [-h HOST] PREFIX...\n");
        return 2;
    }
    int ctx = pmNewContext(PM_CONTEXT_HOST, host);
    if (ctx < 0) {
        fprintf(stderr, "fetchbench: pmNewContext(%s): %s\n", host, pmErrStr(ctx));
        return 1;
    }
    printf("%-22s %7s %7s %9s %9s %9s\n", "metrics", "names", "values", "p50_ms", "p99_ms",
           "max_ms");
    for (int a = optind; a < argc; a++) {
        nnames = 0;
        int sts = pmTraversePMNS(argv[a], collect);
        if (sts < 0 || nnames == 0) {
            fprintf(stderr, "fetchbench: %s: %s\n", argv[a],
                    sts < 0 ? pmErrStr(sts) : "no metrics");
            return 1;
        }
        pmID *pmids = calloc(nnames, sizeof(*pmids));
        if ((sts = pmLookupName(nnames, (const char **)names, pmids)) < 0) {
            fprintf(stderr, "fetchbench: pmLookupName: %s\n", pmErrStr(sts));
            return 1;
        }
        double *lat = calloc(count, sizeof(*lat));
        long values = 0;
        for (int i = -20; i < count; i++) {
            pmResult *res;
            double t0 = now_ms();
            if ((sts = pmFetch(nnames, pmids, &res)) < 0) {
                fprintf(stderr, "fetchbench: pmFetch: %s\n", pmErrStr(sts));
                return 1;
            }
            double t1 = now_ms();
            if (i >= 0) lat[i] = t1 - t0;
            if (i == 0)
                for (int k = 0; k < res->numpmid; k++)
                    values += res->vset[k]->numval > 0 ? res->vset[k]->numval : 0;
            pmFreeResult(res);
        }
        qsort(lat, count, sizeof(*lat), cmp_double);
        printf("%-22s %7d %7ld %9.3f %9.3f %9.3f\n", argv[a], nnames, values, lat[count / 2],
               lat[(count * 99 + 99) / 100 - 1], lat[count - 1]);
        free(lat);
        free(pmids);
        for (int k = 0; k < nnames; k++) free(names[k]);
    }
    pmDestroyContext(ctx);
    return 0;
}
