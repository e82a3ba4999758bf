/* baseline/disk.c: disk figures with fio (Debian's fio): sequential write and read (1 MiB
 * blocks) and random read and write (4 KiB), one after another (stonewall), with direct
 * I/O so the page cache does not flatter the result (buffered when the file system
 * refuses O_DIRECT), on one temporary file of bounded size in the given directory,
 * removed afterwards. fio's JSON report is read with jansson. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "parts.h"

static int run_fio(const bl_opts *o, const char *file, int direct, char **out, char *err,
                   size_t errlen) {
    char dir[4200], name[300], size[32], runtime[32], dflag[16];
    snprintf(dir, sizeof dir, "--directory=%s", o->disk_dir);
    snprintf(name, sizeof name, "--filename=%s", file);
    snprintf(size, sizeof size, "--size=%s", o->quick ? "8M" : "256M");
    snprintf(runtime, sizeof runtime, "--runtime=%d", o->quick ? 1 : 5);
    snprintf(dflag, sizeof dflag, "--direct=%d", direct);
    char *argv[] = {"fio",
                    "--output-format=json",
                    dir,
                    name,
                    size,
                    runtime,
                    dflag,
                    "--ioengine=psync",
                    "--end_fsync=1",
                    "--name=seq_write",
                    "--rw=write",
                    "--bs=1M",
                    "--stonewall",
                    "--name=seq_read",
                    "--rw=read",
                    "--bs=1M",
                    "--stonewall",
                    "--name=rand_read",
                    "--rw=randread",
                    "--bs=4k",
                    "--stonewall",
                    "--name=rand_write",
                    "--rw=randwrite",
                    "--bs=4k",
                    "--stonewall",
                    NULL};
    return rn_bl_run_capture(argv, o->quick ? 60 : 120, out, err, errlen);
}

int rn_bl_disk(const bl_opts *o, bl_figures *f, char *err, size_t errlen) {
    struct stat st;
    if (!o->disk_dir || stat(o->disk_dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "--disk %s: not a directory", o->disk_dir ? o->disk_dir : "");
        return -1;
    }
    char file[128], path[4400];
    snprintf(file, sizeof file, "agentbench-fio-%d.tmp", (int)getpid());
    snprintf(path, sizeof path, "%s/%s", o->disk_dir, file);
    char *out = NULL;
    int direct = 1;
    int rc = run_fio(o, file, direct, &out, err, errlen);
    if (rc > 0) { /* e.g. tmpfs: O_DIRECT refused */
        free(out);
        direct = 0;
        rc = run_fio(o, file, direct, &out, err, errlen);
    }
    unlink(path);
    if (rc != 0) {
        free(out);
        return -1;
    }
    /* fio may print warnings before the JSON */
    const char *js = out ? strchr(out, '{') : NULL;
    json_error_t je;
    json_t *root = js ? json_loads(js, JSON_DISABLE_EOF_CHECK, &je) : NULL;
    free(out);
    if (!root) {
        snprintf(err, errlen, "fio printed no JSON report");
        return -1;
    }
    static const struct {
        const char *job, *dir, *name, *unit;
        int iops;
    } want[] = {
        {"seq_write", "write", "seq_write_mb_s", "MB/s", 0},
        {"seq_read", "read", "seq_read_mb_s", "MB/s", 0},
        {"rand_read", "read", "rand_read_iops", "IO/s", 1},
        {"rand_write", "write", "rand_write_iops", "IO/s", 1},
    };
    size_t i, got = 0;
    json_t *job;
    json_array_foreach(json_object_get(root, "jobs"), i, job) {
        const char *jn = json_string_value(json_object_get(job, "jobname"));
        for (size_t k = 0; jn && k < sizeof want / sizeof want[0]; k++) {
            if (strcmp(jn, want[k].job)) continue;
            json_t *d = json_object_get(job, want[k].dir);
            double bw_kib = json_number_value(json_object_get(d, "bw"));
            double iops = json_number_value(json_object_get(d, "iops"));
            double v = want[k].iops ? iops : bw_kib * 1024.0 / 1e6;
            if (v <= 0) continue;
            rn_bl_add(f, "disk", want[k].name, v, want[k].unit,
                      json_pack("{s:s, s:s, s:s, s:i, s:s, s:f, s:f}", "tool", "fio", "dir",
                                o->disk_dir, "block", want[k].iops ? "4k" : "1M", "direct", direct,
                                "size", o->quick ? "8M" : "256M", "iops", iops, "bw_kib_s",
                                bw_kib));
            got++;
        }
    }
    json_decref(root);
    if (got == 0) {
        snprintf(err, errlen, "fio reported no throughput");
        return -1;
    }
    return 0;
}
