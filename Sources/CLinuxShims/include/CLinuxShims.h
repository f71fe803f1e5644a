#ifndef CLINUXSHIMS_H
#define CLINUXSHIMS_H
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <sys/socket.h>
#include <netinet/tcp.h>
int clinux_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags);
/* Names the calling thread for `top -H`, `perf` and /proc (at most 15 bytes are kept). */
void clinux_name_thread(const char *name);
#endif
