#ifndef PERIMETER_CSHIM_H
#define PERIMETER_CSHIM_H

// Linux interfaces that the Glibc module does not export to Swift.
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <signal.h>
#include <errno.h>

// accept4 is a GNU extension; a wrapper keeps _GNU_SOURCE out of every Swift import.
int cshim_accept4(int fd, struct sockaddr *address, socklen_t *length, int flags);

// epoll_data is a union, which Swift imports awkwardly; these pack and read its u64 member.
static inline struct epoll_event cshim_epoll_event(uint32_t events, uint64_t data) {
    struct epoll_event event;
    event.events = events;
    event.data.u64 = data;
    return event;
}

static inline uint64_t cshim_epoll_event_data(const struct epoll_event *event) {
    return event->data.u64;
}

static inline int cshim_errno(void) { return errno; }

// pthread_setname_np is a GNU extension; names the calling thread (at most 15 bytes) for ps, top and gdb.
int cshim_set_thread_name(const char *name);

#endif
