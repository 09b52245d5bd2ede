#define _GNU_SOURCE
#include <pthread.h>
#include <sys/socket.h>
#include "cshim.h"

int cshim_accept4(int fd, struct sockaddr *address, socklen_t *length, int flags) {
    return accept4(fd, address, length, flags);
}

int cshim_set_thread_name(const char *name) {
    return pthread_setname_np(pthread_self(), name);
}
