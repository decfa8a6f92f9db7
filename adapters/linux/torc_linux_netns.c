/*
 * torc_linux_netns.c - one network namespace per offloaded connection.
 *
 * Where it sits: called from the Linux adapter's initiate_offload().  The
 * calling thread unshares its network namespace, configures it with ioctls
 * (no external tools), creates the connection's TCP socket there and
 * returns to the namespace it came from with setns().  Descriptors keep
 * their namespace, so the socket and the tun device work from anywhere;
 * when both are closed the kernel tears the namespace down.
 *
 * Needs CAP_SYS_ADMIN (unshare) and CAP_NET_ADMIN (tun, addresses, routes,
 * and later TCP_REPAIR).
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/if_tun.h>

#include "torc_linux_netns.h"

#define TUN_NAME "torc0"

/* struct in6_ifreq of <linux/ipv6.h>, which clashes with glibc's headers. */
struct torc_in6_ifreq {
  struct in6_addr addr;
  uint32_t prefixlen;
  int ifindex;
};

static int failf(char *why, size_t whylen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int failf(char *why, size_t whylen, const char *fmt, ...) {
  va_list ap;
  int e = errno;
  va_start(ap, fmt);
  vsnprintf(why, whylen, fmt, ap);
  va_end(ap);
  if (e) {
    size_t n = strlen(why);
    snprintf(why + n, whylen - n, ": %s", strerror(e));
  }
  return -1;
}

int torc_linux_ns_home(void) {
  int fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  return fd;
}

static int set_up(int ctl, const char *name) {
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
  if (ioctl(ctl, SIOCGIFFLAGS, &ifr) < 0)
    return -1;
  ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
  return ioctl(ctl, SIOCSIFFLAGS, &ifr);
}

/* Best effort: new IPv6 addresses skip duplicate address detection, so the
 * local address is usable (not tentative) at once. */
static void no_dad(void) {
  int fd =
      open("/proc/sys/net/ipv6/conf/default/accept_dad", O_WRONLY | O_CLOEXEC);
  if (fd >= 0) {
    if (write(fd, "0\n", 2) < 0) {
      /* IPv6 disabled: the address setup below reports it. */
    }
    close(fd);
  }
}

static int config_v4(int ctl, const uint8_t *local, const uint8_t *remote,
                     char *why, size_t whylen) {
  struct ifreq ifr;
  struct rtentry rt;
  struct sockaddr_in *sin;
  memset(&ifr, 0, sizeof ifr);
  snprintf(ifr.ifr_name, IFNAMSIZ, "%s", TUN_NAME);
  sin = (struct sockaddr_in *)(void *)&ifr.ifr_addr;
  sin->sin_family = AF_INET;
  memcpy(&sin->sin_addr, local, 4);
  if (ioctl(ctl, SIOCSIFADDR, &ifr) < 0)
    return failf(why, whylen, "SIOCSIFADDR");
  if (set_up(ctl, TUN_NAME) < 0)
    return failf(why, whylen, "bringing %s up", TUN_NAME);
  memset(&rt, 0, sizeof rt);
  sin = (struct sockaddr_in *)(void *)&rt.rt_dst;
  sin->sin_family = AF_INET;
  memcpy(&sin->sin_addr, remote, 4);
  sin = (struct sockaddr_in *)(void *)&rt.rt_genmask;
  sin->sin_family = AF_INET;
  sin->sin_addr.s_addr = 0xFFFFFFFFu;
  rt.rt_flags = RTF_UP | RTF_HOST;
  rt.rt_dev = (char *)(uintptr_t)TUN_NAME;
  if (ioctl(ctl, SIOCADDRT, &rt) < 0 && errno != EEXIST)
    return failf(why, whylen, "route to the peer");
  return 0;
}

static int config_v6(int ctl6, int ifindex, const uint8_t *local,
                     const uint8_t *remote, char *why, size_t whylen) {
  struct torc_in6_ifreq ifr6;
  struct in6_rtmsg rt;
  memset(&ifr6, 0, sizeof ifr6);
  memcpy(&ifr6.addr, local, 16);
  ifr6.prefixlen = 128;
  ifr6.ifindex = ifindex;
  if (ioctl(ctl6, SIOCSIFADDR, &ifr6) < 0)
    return failf(why, whylen, "SIOCSIFADDR (IPv6)");
  if (set_up(ctl6, TUN_NAME) < 0)
    return failf(why, whylen, "bringing %s up", TUN_NAME);
  memset(&rt, 0, sizeof rt);
  memcpy(&rt.rtmsg_dst, remote, 16);
  rt.rtmsg_dst_len = 128;
  rt.rtmsg_ifindex = ifindex;
  rt.rtmsg_flags = RTF_UP | RTF_HOST;
  rt.rtmsg_metric = 1;
  if (ioctl(ctl6, SIOCADDRT, &rt) < 0 && errno != EEXIST)
    return failf(why, whylen, "route to the peer (IPv6)");
  return 0;
}

/* Configures the current (fresh) namespace; fills out on success. */
static int build(int ip_version, const uint8_t *local, const uint8_t *remote,
                 torc_linux_ns *out, char *why, size_t whylen) {
  struct ifreq ifr;
  int family = ip_version == 6 ? AF_INET6 : AF_INET;
  int ctl = -1, rc = -1;

  if (ip_version == 6)
    no_dad();
  ctl = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (ctl < 0)
    return failf(why, whylen, "control socket");
  if (set_up(ctl, "lo") < 0) {
    failf(why, whylen, "bringing lo up");
    goto done;
  }
  out->tun_fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (out->tun_fd < 0) {
    failf(why, whylen, "/dev/net/tun");
    goto done;
  }
  memset(&ifr, 0, sizeof ifr);
  snprintf(ifr.ifr_name, IFNAMSIZ, "%s", TUN_NAME);
  ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
  if (ioctl(out->tun_fd, TUNSETIFF, &ifr) < 0) {
    failf(why, whylen, "TUNSETIFF");
    goto done;
  }
  /* Large captured segments (jumbo, loopback) must fit. */
  ifr.ifr_mtu = 65535;
  if (ioctl(ctl, SIOCSIFMTU, &ifr) < 0) {
    failf(why, whylen, "SIOCSIFMTU");
    goto done;
  }
  if (ip_version == 6) {
    if (config_v6(ctl, (int)if_nametoindex(TUN_NAME), local, remote, why,
                  whylen) < 0)
      goto done;
  } else if (config_v4(ctl, local, remote, why, whylen) < 0) {
    goto done;
  }
  out->sock_fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (out->sock_fd < 0) {
    failf(why, whylen, "TCP socket");
    goto done;
  }
  rc = 0;
done:
  close(ctl);
  if (rc < 0 && out->tun_fd >= 0) {
    close(out->tun_fd);
    out->tun_fd = -1;
  }
  return rc;
}

int torc_linux_ns_open(int home_fd, int ip_version, const uint8_t *local,
                       const uint8_t *remote, torc_linux_ns *out, char *why,
                       size_t whylen) {
  int rc;
  out->tun_fd = -1;
  out->sock_fd = -1;
  errno = 0;
  if (home_fd < 0)
    return failf(why, whylen, "no home network namespace");
  if (unshare(CLONE_NEWNET) < 0)
    return failf(why, whylen, "unshare(CLONE_NEWNET)");
  errno = 0;
  rc = build(ip_version, local, remote, out, why, whylen);
  if (setns(home_fd, CLONE_NEWNET) < 0) {
    /* Cannot happen with a valid descriptor; refuse to go on inside. */
    if (rc == 0) {
      close(out->tun_fd);
      close(out->sock_fd);
      out->tun_fd = out->sock_fd = -1;
    }
    return failf(why, whylen, "setns back to the home namespace");
  }
  return rc;
}
