/* run_ingesters.c: the ingesters' lifecycle within a suite. Locally, one
 * agentbench-ingester per profiled variant, started in that variant's mode before the
 * first run (its stderr in logs/ingester-VARIANT.log; with --store profiles/VARIANT when a
 * benchmark has a ground truth or with --flamegraph), restarted if it died between runs,
 * stopped at the end; remotely, one ingester whose mode is switched before each run of
 * another variant. Every start and stop is journaled (ingester_start, ingester_stop), so
 * pmdaagentbench knows which /stats to poll. runner/ingester.h does the process work. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "events.h"
#include "progress.h"
#include "run.h"
#include "util.h"
#include "variant.h"

/* ingester_start or ingester_stop (as build makes it) of g, in mode; store: its --store
 * directory relative to the suite's, or NULL. */
static void emit_ingester(suite *s, json_t *(*build)(const ab_ev_ingester *), const ingester *g,
                          const char *mode, const char *store) {
    ab_ev_ingester e = {.name = g->name,
                        .mode = mode,
                        .url = g->url,
                        .control = g->control,
                        .pid = g->pid,
                        .store = store};
    rn_suite_emit(s, build(&e));
}

static int start_one(suite *s, int vi) {
    char err[512], mode[64], token[256];
    const char *v = s->o.variants.v[vi];
    char *logpath = rn_xasprintf("%s/logs/ingester-%s.log", s->dir,
                                 rn_variant_file_token(v, token, sizeof token));
    int logfd = open(logpath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    free(logpath);
    /* the stacks the agent delivered, kept per variant (--store): for a ground truth's
     * profile check and for --flamegraph's agent view (and the PMDA's profile.stacks) */
    char *store_rel = (s->has_truth || s->o.flamegraph) ? rn_xasprintf("profiles/%s", token) : NULL;
    char *store = store_rel ? rn_run_profile_store_dir(s, vi) : NULL;
    int rc = rn_ingester_start(&s->loop, &s->ing[vi], s->ingester_bin, s->helper, v,
                               rn_variant_mode(v, mode, sizeof mode), s->o.slow_delay,
                               s->cpu_ingester, store, logfd, err, sizeof err);
    if (logfd >= 0) close(logfd);
    free(store);
    if (rc < 0) {
        rn_progress_warn("variant %s: %s", v, err);
        rn_suite_error(s, err, NULL, v);
        free(store_rel);
        return -1;
    }
    emit_ingester(s, ab_ev_ingester_start_json, &s->ing[vi], s->ing[vi].mode, store_rel);
    free(store_rel);
    return 0;
}

static int check_remote(suite *s) {
    rn_ingester_remote(&s->remote, s->o.ingester_url, s->o.ingester_control);
    if (rn_ingester_wait_healthy(s->remote.control, 5) < 0) {
        char err[512];
        snprintf(err, sizeof err, "the ingester's control endpoint %s/healthz does not answer",
                 s->remote.control);
        rn_progress_warn("%s", err);
        rn_suite_error(s, err, NULL, NULL);
        return -1;
    }
    emit_ingester(s, ab_ev_ingester_start_json, &s->remote, "fast", NULL);
    return 0;
}

/* --server-url: nothing to start or check (it has no control endpoint); say what that
 * costs. */
static void announce_external(suite *s) {
    rn_progress_warn("--server-url %s: an external server without a control endpoint: one "
                     "profiled variant (external), no behaviour switching, and no /stats, so "
                     "the profiles it received are unknown (the report shows ?)",
                     s->o.server_url);
}

int rn_ingesters_start(suite *s) {
    if (s->o.server_url) {
        announce_external(s);
        return 0;
    }
    if (s->is_remote) return check_remote(s);
    s->ing = rn_xcalloc((size_t)s->nvar, sizeof *s->ing);
    for (int vi = 0; vi < s->nvar && !s->stop; vi++) {
        if (!rn_variant_has_agent(s->o.variants.v[vi])) continue;
        if (start_one(s, vi) < 0) return -1;
    }
    return 0;
}

/* The remote ingester into variant vi's mode, unless it is in it already. A remote ingester that
 * cannot be switched stops the suite: a run against it in another mode would be recorded under the
 * wrong variant. */
static int switch_remote(suite *s, int bi, int vi) {
    char mode[64];
    const char *variant = rn_variant_mode(s->o.variants.v[vi], mode, sizeof mode);
    if (s->remote_mode && !strcmp(s->remote_mode, variant)) return 0;
    char err[512];
    if (rn_ingester_set_mode(s->remote.control, variant, s->o.slow_delay, err, sizeof err) < 0) {
        size_t n = strlen(err);
        while (n > 0 && (err[n - 1] == '\n' || err[n - 1] == '\r' || err[n - 1] == ' '))
            err[--n] = '\0'; /* a body's last newline */
        rn_progress_warn("cannot switch the ingester to %s: %s", variant, err);
        rn_suite_error(s, err, s->bench[bi]->name, variant);
        snprintf(s->stop_why, sizeof s->stop_why,
                 "cannot switch the remote ingester to %s (%s): a run against it in another "
                 "mode would be recorded under the wrong variant",
                 variant, err);
        s->stop = 1;
        return -1;
    }
    free(s->remote_mode);
    s->remote_mode = rn_xstrdup(variant);
    return 0;
}

int rn_ingester_ensure(suite *s, int bi, int vi) {
    if (s->o.server_url) return 0;
    if (s->is_remote) return switch_remote(s, bi, vi);
    if (!s->ing || !s->ing[vi].spawned || !s->ing[vi].exited) return 0;
    ingester *g = &s->ing[vi];
    char *msg = rn_xasprintf("the %s ingester (pid %d) exited with status %d; restarting it",
                             g->name, g->pid, (int)g->exit_status);
    rn_progress_warn("%s", msg);
    rn_suite_error(s, msg, NULL, g->name);
    free(msg);
    rn_ingester_stop(&s->loop, g);
    emit_ingester(s, ab_ev_ingester_stop_json, g, g->mode, NULL);
    rn_ingester_free(g);
    return start_one(s, vi);
}

const char *rn_ingester_control_of(suite *s, int vi) {
    if (s->o.server_url) return NULL;
    if (s->is_remote) return s->remote.control;
    return s->ing && s->ing[vi].control ? s->ing[vi].control : NULL;
}

const char *rn_ingester_url_of(suite *s, int vi) {
    if (s->o.server_url) return s->o.server_url;
    if (s->is_remote) return s->remote.url;
    return s->ing && s->ing[vi].url ? s->ing[vi].url : NULL;
}

void rn_ingesters_stop(suite *s) {
    if (s->is_remote) {
        if (s->remote.control) {
            emit_ingester(s, ab_ev_ingester_stop_json, &s->remote,
                          s->remote_mode ? s->remote_mode : "fast", NULL);
            rn_ingester_free(&s->remote);
        }
        return;
    }
    for (int vi = 0; s->ing && vi < s->nvar; vi++) {
        ingester *g = &s->ing[vi];
        if (!g->spawned) continue;
        rn_ingester_stop(&s->loop, g);
        emit_ingester(s, ab_ev_ingester_stop_json, g, g->mode, NULL);
        rn_ingester_free(g);
    }
    free(s->ing);
    s->ing = NULL;
}
