/* flamegraph.c: `agentbench flamegraph` (placeholder until the flame graph part lands). */
#include <stdio.h>
#include "commands.h"
#include "flamegraph.h"

int cmd_flamegraph(int argc, char **argv) { fprintf(stderr, "agentbench flamegraph: not built yet\n"); return 1; }
long fg_capture_command(char *const argv[], char *const envp[], const char *outdir,
                        const char *label, const char *title, char *err, size_t errlen)
{ snprintf(err, errlen, "flame graphs not built yet"); return -1; }
int fg_diff(const char *b, const char *p, const char *outdir, const char *label,
            const char *title, char *err, size_t errlen)
{ snprintf(err, errlen, "flame graphs not built yet"); return -1; }
