/* store_name.c: the --store file name of an application (store_name.h). */
#include <string.h>

#include "store_name.h"

int ab_store_file_name(const char *app, char *out, size_t outlen) {
    static const char hex[] = "0123456789ABCDEF";
    size_t n = 0, max = outlen < AB_STORE_MAX_FILE_NAME + 1 ? outlen : AB_STORE_MAX_FILE_NAME + 1;
    for (const unsigned char *p = (const unsigned char *)app; *p; p++) {
        unsigned char c = *p;
        int plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-' || (c == '.' && n > 0);
        if (n + (plain ? 1 : 3) + sizeof ".folded" > max)
            return -1;
        if (plain) {
            out[n++] = (char)c;
        } else {
            out[n++] = '%';
            out[n++] = hex[c >> 4];
            out[n++] = hex[c & 15];
        }
    }
    if (n == 0) {
        if (max < 3 + sizeof ".folded")
            return -1;
        memcpy(out, "%00", 3);   /* the empty name: no other name encodes to it */
        n = 3;
    }
    memcpy(out + n, ".folded", sizeof ".folded");
    return 0;
}
