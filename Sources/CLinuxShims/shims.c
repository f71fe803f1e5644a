#define _GNU_SOURCE
#include "CLinuxShims.h"
#include <pthread.h>
int clinux_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags) { return accept4(fd, addr, len, flags); }
void clinux_name_thread(const char *name) { pthread_setname_np(pthread_self(), name); }
