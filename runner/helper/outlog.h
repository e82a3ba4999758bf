/* outlog.h: a run's output (its stdout and stderr, read from a pipe) into its log file,
 * bounded: the first OUTLOG_HEAD bytes go to the file as they come, then only the last
 * OUTLOG_TAIL bytes are kept (in memory mapped for this run only, so the helper's
 * resident set, which a run's max RSS starts from, stays small), written at the end after
 * a line saying how many bytes were cut between. A benchmark that prints without end
 * cannot fill the disk, and its last lines (the checksum) are kept. */
#ifndef AB_HELPER_OUTLOG_H
#define AB_HELPER_OUTLOG_H

#include <stddef.h>

#define OUTLOG_HEAD (256u << 10)
#define OUTLOG_TAIL (256u << 10)

typedef struct outlog {
    int fd;                    /* the log, opened for appending */
    size_t head_left;          /* bytes that still go straight to the file */
    char *ring;                /* the tail, OUTLOG_TAIL bytes, once the head is full */
    size_t ring_len, ring_pos; /* bytes in the ring; where the next byte goes */
    unsigned long long cut;    /* bytes that fell out of the ring */
} outlog;

void rn_outlog_begin(outlog *o, int fd);
void rn_outlog_take(outlog *o, const char *buf, size_t n);
/* Write the note and the tail (when something was cut) and release the ring. Returns the
 * bytes cut. The file stays open (the caller's). */
unsigned long long rn_outlog_end(outlog *o);

#endif
