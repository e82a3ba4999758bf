/* store_name.h: the file names `agentbench-ingester --store DIR` gives an application's
 * stacks, one file per profile type (DIR/APP@TYPE.folded), shared by the ingester that
 * writes the files and by their readers: the runner's profile check, `agentbench
 * flamegraph --from-ingester` and the PMDA's agentbench.profile.* (doc/internals.md,
 * "--store DIR").
 *
 * The mapping is injective: in APP and in TYPE, bytes of [A-Za-z0-9_-] (and '.' after
 * the first byte) stay, every other byte becomes %XX (upper-case hex), the empty name is
 * "%00"; '@' (never left plain by that encoding) separates the two. So `my/app` and
 * `my_app` never share a file, nor does application `a` of type `b.c` with any other
 * pair, and no name can climb out of DIR. The type "" (or NULL) is the untyped name
 * DIR/APP.folded, which ingesters before profile types wrote for every type of an
 * application together: a reader finds such a file's stacks under type "". */
#ifndef AB_STORE_NAME_H
#define AB_STORE_NAME_H

#include <stddef.h>

/* The longest file name made (with ".folded"); a name that would be longer is refused. */
#define AB_STORE_MAX_FILE_NAME 240

/* The longest profile type name (bytes) the ingester gives a type (decode.h's
 * ING_MAX_TYPE_NAME is the same). */
#define AB_STORE_MAX_TYPE 63

/* Writes the file name (with ".folded") of APP's stacks of profile type TYPE (NULL or "":
 * the untyped name) into OUT. Returns 0, or -1 when it would be longer than
 * AB_STORE_MAX_FILE_NAME or OUTLEN - 1. */
int ab_store_file_name(const char *app, const char *type, char *out, size_t outlen);

/* The inverse: the application and profile type whose file FILE ("NAME.folded") is, into
 * APP and TYPE ("" for an untyped file). 0, or -1 when FILE is no such name (another
 * file, or one ab_store_file_name never makes) or APP or TYPE is too small. */
int ab_store_app_name(const char *file, char *app, size_t applen, char *type, size_t typelen);

#endif
