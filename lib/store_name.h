/* store_name.h: the file name `agentbench-ingester --store DIR` gives an application's
 * stacks (DIR/NAME.folded), shared by the ingester that writes the file and the runner
 * that reads a run's profile from it (doc/internals.md, "--store DIR").
 *
 * The mapping is injective: bytes of [A-Za-z0-9_-] (and '.' after the first byte) stay,
 * every other byte becomes %XX (upper-case hex), the empty name is "%00". So `my/app` and
 * `my_app` never share a file, and no name can climb out of DIR. */
#ifndef AB_STORE_NAME_H
#define AB_STORE_NAME_H

#include <stddef.h>

/* The longest file name made (with ".folded"); a name that would be longer is refused. */
#define AB_STORE_MAX_FILE_NAME 240

/* Writes APP's file name (with ".folded") into OUT. Returns 0, or -1 when it would be
 * longer than AB_STORE_MAX_FILE_NAME or OUTLEN - 1. */
int ab_store_file_name(const char *app, char *out, size_t outlen);

/* The inverse: the application whose file FILE ("NAME.folded") is, into APP. 0, or -1
 * when FILE is no such name (another file, or one ab_store_file_name never makes) or APP
 * is too small. */
int ab_store_app_name(const char *file, char *app, size_t applen);

#endif
