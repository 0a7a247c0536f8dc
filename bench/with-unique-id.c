// with-unique-id COUNTER PREFIX PROGRAM [ARG...]
//
// Runs PROGRAM with every argument that is exactly "{id}" replaced by
// PREFIX followed by the next number from the file COUNTER (created at 0).
// hyperfine has no per-run counter, and `crun run` / `runc run` want a
// container id that is not in use: this gives every run its own id.
//
// It must cost next to nothing, because hyperfine times it together with
// the runtime it starts: a static binary, a handful of system calls, then
// execv() into PROGRAM (same process, no fork). bench/start-time.sh measures
// its overhead against /bin/true and prints it beside the results.
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char** argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: with-unique-id COUNTER PREFIX PROGRAM [ARG...]\n");
        return 125;
    }
    int fd = open(argv[1], O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        perror(argv[1]);
        return 125;
    }
    char buf[32] = {0};
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    unsigned long next = (n > 0 ? strtoul(buf, NULL, 10) : 0) + 1;
    int len = snprintf(buf, sizeof buf, "%lu\n", next);
    if (pwrite(fd, buf, (size_t)len, 0) != len) {
        perror(argv[1]);
        return 125;
    }
    close(fd);

    char id[128];
    snprintf(id, sizeof id, "%s%lu", argv[2], next);
    char** args = argv + 3;
    for (char** a = args; *a; ++a)
        if (strcmp(*a, "{id}") == 0) *a = id;
    execv(args[0], args);
    perror(args[0]);
    return 127;
}
