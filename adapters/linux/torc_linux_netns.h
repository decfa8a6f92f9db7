/*
 * torc_linux_netns.h - Interface for a module to give one offloaded
 * connection its own network namespace, tun device and TCP socket.
 *
 * Where it sits: torc_linux_target.c's initiate_offload() calls it before
 * building the connection in repair mode.  Everything it creates lives in a
 * fresh namespace, so connections never see each other and the host's
 * network is untouched; the namespace disappears when the returned
 * descriptors are closed.
 */
#ifndef TORC_LINUX_NETNS_H
#define TORC_LINUX_NETNS_H

#include <stddef.h>
#include <stdint.h>

/* What torc_linux_ns_open() made: both descriptors are owned by the caller
 * (close them to destroy the namespace). */
typedef struct torc_linux_ns {
  int tun_fd;  /* the tun device (IFF_TUN | IFF_NO_PI, non-blocking) */
  int sock_fd; /* a fresh, unconnected TCP socket of the namespace */
} torc_linux_ns;

/* Opens a descriptor of the calling thread's current network namespace (the
 * one to come back to), or returns -1. */
int torc_linux_ns_home(void);

/* Creates a network namespace for one connection and comes back to home_fd:
 * loopback up, a tun device up carrying local (ip_version 4 or 6; IPv4 in
 * the first 4 bytes) with a host route to remote through it, and a TCP
 * socket of that family created inside.  Returns 0, or -1 with a message in
 * why (whylen bytes) and nothing left open. */
int torc_linux_ns_open(int home_fd, int ip_version, const uint8_t *local,
                       const uint8_t *remote, torc_linux_ns *out, char *why,
                       size_t whylen);

#endif /* TORC_LINUX_NETNS_H */
