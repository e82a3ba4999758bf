/* pmda.c: pmdaagentbench's main: options, configuration, then the PMDA loop (daemon mode,
 * over the pipe pmcd or dbpmda gives it). */
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <curl/curl.h>
#include <pcp/pmapi.h>
#include <pcp/pmda.h>
#include "config.h"
#include "domain.h"
#include "metrics.h"
#include "poller.h"
#include "source.h"

#define RESULT_PIPE_BYTES (512 * 1024)

static abc_config config;

static pmLongOptions longopts[] = {
    PMDA_OPTIONS_HEADER("Options"),
    PMDAOPT_DEBUG,
    PMDAOPT_DOMAIN,
    PMDAOPT_HELPTEXT,
    PMDAOPT_LOGFILE,
    PMDAOPT_USERNAME,
    {"config", 1, 'c', "FILE", "configuration file [$PCP_SYSCONF_DIR/agentbench/agentbench.conf]"},
    {"results", 1, 'r', "DIR",
     "results directory whose `latest` suite is published (overrides the file)"},
    PMOPT_HELP,
    PMDA_OPTIONS_END};

static pmdaOptions opts = {
    .short_options = "c:D:d:h:l:r:U:?",
    .long_options = longopts,
};

/* `agentbench` for captures: the configured one, else the tree's runner next to this
 * binary, else the first on PATH, else /usr/local/bin/agentbench. */
static char *find_agentbench(void) {
    char self[PATH_MAX], candidate[PATH_MAX + 64];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n > 0) {
        self[n] = '\0';
        char *slash = strrchr(self, '/');
        if (slash) {
            *slash = '\0';
            snprintf(candidate, sizeof(candidate), "%s/../runner/agentbench", self);
            if (access(candidate, X_OK) == 0) return realpath(candidate, NULL);
        }
    }
    const char *path = getenv("PATH");
    if (path) {
        char *copy = strdup(path), *save = NULL;
        for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
            snprintf(candidate, sizeof(candidate), "%s/agentbench", dir);
            if (access(candidate, X_OK) == 0) {
                free(copy);
                return strdup(candidate);
            }
        }
        free(copy);
    }
    return strdup("/usr/local/bin/agentbench");
}

int main(int argc, char **argv) {
    pmdaInterface dispatch;
    char helpfile[PATH_MAX], conffile[PATH_MAX], err[512];
    char *username = NULL, *results_override = NULL, *conf_override = NULL;
    int c;

    pmSetProgname(argv[0]);
    pmGetUsername(&username);
    snprintf(helpfile, sizeof(helpfile), "%s/agentbench/help", pmGetConfig("PCP_PMDAS_DIR"));
    snprintf(conffile, sizeof(conffile), "%s/agentbench/agentbench.conf",
             pmGetConfig("PCP_SYSCONF_DIR"));
    pmdaDaemon(&dispatch, PMDA_INTERFACE_7, pmGetProgname(), AGENTBENCH, "agentbench.log",
               helpfile);

    while ((c = pmdaGetOptions(argc, argv, &opts, &dispatch)) != EOF) {
        switch (c) {
            case 'c': conf_override = opts.optarg; break;
            case 'r': results_override = opts.optarg; break;
            default: opts.errors++; break;
        }
    }
    if (opts.errors || opts.optind != argc) {
        pmdaUsageMessage(&opts);
        exit(1);
    }
    /* Run as root unless -U is given: captures need perf system-wide. */
    if (opts.username) username = opts.username;
    else username = NULL;

    pmda_config_defaults(&config);
    if (pmda_config_load(&config, conf_override ? conf_override : conffile, conf_override == NULL,
                         err, sizeof(err)) < 0) {
        fprintf(stderr, "%s: %s\n", pmGetProgname(), err);
        exit(1);
    }
    if (results_override) {
        free(config.results);
        config.results = strdup(results_override);
    }
    if (!config.agentbench) config.agentbench = find_agentbench();

    pmdaOpenLog(&dispatch);
    if (username) pmSetProcessIdentity(username);
    signal(SIGPIPE, SIG_IGN);
    signal(SIGCHLD, SIG_DFL); /* captures are reaped with waitpid */
    curl_global_init(CURL_GLOBAL_DEFAULT);
    pmNotifyErr(LOG_INFO, "results %s, %zu configured ingesters, captures by %s into %s",
                config.results, config.ningesters, config.agentbench, config.flamegraph_dir);

    pmda_source_init(config.results);
    if (pmda_poller_start() < 0) {
        pmNotifyErr(LOG_ERR, "cannot start the ingester poller thread");
        exit(1);
    }
    /* before pmdaConnect: the connection tells pmcd to send client credentials */
    pmda_metrics_init(&dispatch, &config);
    pmdaConnect(&dispatch);
    /* A fetch of every metric is a ~100 KB result PDU; a pipe of the default 64 KB makes
     * each one take two turns of writer and reader. Ask for room for a whole result (the
     * pipe pmcd or dbpmda gave us; ignored when it is not a pipe or not allowed). */
    fcntl(dispatch.version.any.ext->e_outfd, F_SETPIPE_SZ, RESULT_PIPE_BYTES);
    pmdaMain(&dispatch);

    pmda_metrics_shutdown();
    pmda_poller_stop();
    pmda_source_free();
    curl_global_cleanup();
    pmda_config_free(&config);
    exit(0);
}
