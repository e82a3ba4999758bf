/* kv.h: a line of agentbench's "key = value" files (a benchmark's bench.conf, the PMDA's
 * agentbench.conf), read one way: '#' starts a comment (to the end of the line), a line
 * with nothing else is blank, white space around the key and the value is not part of
 * them, and the first '=' separates them (a value may hold more). The callers give the
 * keys their meaning and the errors their file names and line numbers. */
#ifndef AB_KV_H
#define AB_KV_H

enum {
    AB_KV_MALFORMED = -1,
    AB_KV_BLANK = 0,
    AB_KV_PAIR = 1
};

/* Splits LINE in place: AB_KV_PAIR with *key and *value (within LINE), AB_KV_BLANK for
 * a blank or comment line, AB_KV_MALFORMED for text without '='. */
int ab_kv_line(char *line, char **key, char **value);

/* S without its leading and trailing white space (trailing cut in place). */
char *ab_trim(char *s);

#endif
