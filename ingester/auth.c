/* auth.c: Authorization header checks for --auth-token. */
#include "auth.h"

#include <string.h>
#include <strings.h>

static int b64val(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+' || c == '-')
        return 62;
    if (c == '/' || c == '_')
        return 63;
    return -1;
}

long auth_base64_decode(const char *in, char *out, unsigned long outlen)
{
    unsigned long n = 0;
    unsigned acc = 0;
    int bits = 0;
    const char *p = in;
    for (; *p && *p != '='; p++) {
        int v = b64val(*p);
        if (v < 0)
            return -1;
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (n + 1 >= outlen)
                return -1;
            out[n++] = (char)((acc >> bits) & 0xff);
        }
    }
    while (*p == '=')
        p++;
    if (*p)
        return -1;
    out[n] = '\0';
    return (long)n;
}

/* Compare without an early exit, so timing tells nothing about the token. */
static int same(const char *a, size_t alen, const char *b)
{
    size_t blen = strlen(b);
    unsigned diff = alen != blen;
    for (size_t i = 0; i < alen; i++)
        diff |= (unsigned char)a[i] ^ (unsigned char)b[i < blen ? i : 0];
    return diff == 0;
}

int auth_ok(const char *header, const char *token)
{
    if (!header)
        return 0;
    while (*header == ' ')
        header++;
    if (strncasecmp(header, "Bearer ", 7) == 0) {
        const char *t = header + 7;
        while (*t == ' ')
            t++;
        size_t n = strlen(t);
        while (n && t[n - 1] == ' ')
            n--;
        return same(t, n, token);
    }
    if (strncasecmp(header, "Basic ", 6) == 0) {
        char dec[1024];
        const char *t = header + 6;
        while (*t == ' ')
            t++;
        long n = auth_base64_decode(t, dec, sizeof dec);
        if (n < 0 || memchr(dec, '\0', (size_t)n))
            return 0;
        const char *colon = strchr(dec, ':');
        const char *pass = colon ? colon + 1 : dec;
        return same(pass, strlen(pass), token);
    }
    return 0;
}
