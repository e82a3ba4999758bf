/* mmvgen.c: the reference for `make bench`: publishes, through PCP's mmv PMDA, metrics
 * shaped like pmdaagentbench's (NRUN metrics over 200 instances, NING over 10, NSINGLE
 * singular), updates them once, prints "ready" and sleeps until killed.
 *   mmvgen NAME   (metrics appear as mmv.NAME.*) */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <pcp/pmapi.h>
#include <pcp/mmv_stats.h>

#define NRUN          26
#define NING          25
#define NSINGLE       34
#define RUN_INSTANCES 200
#define ING_INSTANCES 10

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: mmvgen NAME\n");
        return 2;
    }
    mmv_registry_t *reg = mmv_stats_registry(argv[1], 42, 0);
    if (!reg) {
        perror("mmv_stats_registry");
        return 1;
    }
    pmUnits none = MMV_UNITS(0, 0, 0, 0, 0, 0);
    mmv_stats_add_indom(reg, 1, "run cells", "benchmark/variant");
    mmv_stats_add_indom(reg, 2, "ingesters", "ingesters");
    char name[64];
    for (int i = 0; i < RUN_INSTANCES; i++) {
        snprintf(name, sizeof(name), "bench%03d/variant%d", i / 4, i % 4);
        mmv_stats_add_instance(reg, 1, i, strdup(name)); /* kept by reference */
    }
    for (int i = 0; i < ING_INSTANCES; i++) {
        snprintf(name, sizeof(name), "ingester%d", i);
        mmv_stats_add_instance(reg, 2, i, strdup(name));
    }
    int item = 1;
    for (int m = 0; m < NRUN; m++, item++) {
        snprintf(name, sizeof(name), "run.m%02d", m);
        mmv_stats_add_metric(reg, strdup(name), item, MMV_TYPE_DOUBLE, MMV_SEM_INSTANT, none, 1,
                             "r", "r");
    }
    for (int m = 0; m < NING; m++, item++) {
        snprintf(name, sizeof(name), "ingester.m%02d", m);
        mmv_stats_add_metric(reg, strdup(name), item, MMV_TYPE_U64, MMV_SEM_COUNTER, none, 2, "i",
                             "i");
    }
    for (int m = 0; m < NSINGLE; m++, item++) {
        snprintf(name, sizeof(name), "single.m%02d", m);
        mmv_stats_add_metric(reg, strdup(name), item, MMV_TYPE_DOUBLE, MMV_SEM_INSTANT, none,
                             MMV_INDOM_NULL, "s", "s");
    }
    void *map = mmv_stats_start(reg);
    if (!map) {
        perror("mmv_stats_start");
        return 1;
    }
    for (int m = 0; m < NRUN; m++) {
        snprintf(name, sizeof(name), "run.m%02d", m);
        for (int i = 0; i < RUN_INSTANCES; i++) {
            char inst[64];
            snprintf(inst, sizeof(inst), "bench%03d/variant%d", i / 4, i % 4);
            pmAtomValue *v = mmv_lookup_value_desc(map, name, inst);
            if (v) mmv_set_value(map, v, 1.0 + i / 1000.0);
        }
    }
    printf("ready\n");
    fflush(stdout);
    for (;;) pause();
}
