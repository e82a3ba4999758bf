/* auth.c: Authorization header checks for --auth-token. */
#include "auth.h"
#include "decode.h"

#include <string.h>
#include <strings.h>

/* Compare without an early exit, so timing tells nothing about the token. */
static int same(const char *a, size_t alen, const char *b) {
    size_t blen = strlen(b);
    unsigned diff = alen != blen;
    for (size_t i = 0; i < alen; i++)
        diff |= (unsigned char)a[i] ^ (unsigned char)b[i < blen ? i : 0];
    return diff == 0;
}

int ing_auth_ok(const char *header, const char *token) {
    if (!header) return 0;
    while (*header == ' ') header++;
    if (strncasecmp(header, "Bearer ", 7) == 0) {
        const char *t = header + 7;
        while (*t == ' ') t++;
        size_t n = strlen(t);
        while (n && t[n - 1] == ' ') n--;
        return same(t, n, token);
    }
    if (strncasecmp(header, "Basic ", 6) == 0) {
        char dec[1024];
        size_t n = sizeof dec - 1;
        const char *t = header + 6;
        while (*t == ' ') t++;
        if (ing_base64_decode(t, strlen(t), (uint8_t *)dec, &n) < 0 || memchr(dec, '\0', n))
            return 0;
        dec[n] = '\0';
        const char *colon = strchr(dec, ':');
        const char *pass = colon ? colon + 1 : dec;
        return same(pass, strlen(pass), token);
    }
    return 0;
}
