#include "link_list.h"

#include <errno.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstring>

#include "netns_socket.h"

namespace nic {
namespace {

#ifndef IFLA_PERM_ADDRESS
#define IFLA_PERM_ADDRESS 54
#endif
#ifndef RTEXT_FILTER_SKIP_STATS
#define RTEXT_FILTER_SKIP_STATS (1 << 3)
#endif

std::string c_string(struct rtattr* rta) {
  const char* s = static_cast<const char*>(RTA_DATA(rta));
  return std::string(s, strnlen(s, RTA_PAYLOAD(rta)));
}

std::string hex_address(struct rtattr* rta) {
  static const char digits[] = "0123456789abcdef";
  const auto* b = static_cast<const unsigned char*>(RTA_DATA(rta));
  std::string out;
  for (size_t i = 0; i < RTA_PAYLOAD(rta); i++) {
    if (i) out += ':';
    out += digits[b[i] >> 4];
    out += digits[b[i] & 15];
  }
  return out;
}

// Receives one whole netlink datagram into buf, growing it first if the datagram is larger (a
// link with many VFs or altnames can exceed any fixed size; a cut datagram loses its rest).
ssize_t recv_whole(int fd, std::vector<char>* buf, const char** failed) {
  for (;;) {
    ssize_t n = recv(fd, buf->data(), buf->size(), MSG_PEEK | MSG_TRUNC);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      *failed = "recv";
      return -errno;
    }
    if (size_t(n) > buf->size()) buf->resize(size_t(n));
    struct iovec iov = {buf->data(), buf->size()};
    struct msghdr msg;
    std::memset(&msg, 0, sizeof(msg));
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    n = recvmsg(fd, &msg, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      *failed = "recv";
      return -errno;
    }
    *failed = "recv";
    if (msg.msg_flags & MSG_TRUNC) return -EMSGSIZE;  // never parse part of a datagram
    if (n == 0) return -EIO;
    return n;
  }
}

}  // namespace

int list_links(const char* netns, std::vector<Link>* out, const char** failed) {
  DumpSocket sock;
  int rc = take_dump_socket(netns, &sock, failed);
  if (rc < 0) return rc;
  int fd = sock.fd();
  // The socket may have served dumps before: replies to this one carry its sequence number.
  static std::atomic<uint32_t> next_seq{1};
  uint32_t seq = next_seq.fetch_add(1, std::memory_order_relaxed);

  // No statistics (as `ip link` asks): they are not read here, and without them a link's message
  // is smaller. Linux 6.10+ ends a link dump early, silently, at a link whose message does not fit
  // in an empty dump buffer (many VFs or altnames plus statistics can exceed it).
  struct {
    struct nlmsghdr nh;
    struct ifinfomsg ifi;
    struct rtattr ext_mask;
    uint32_t ext_mask_value;
  } req;
  std::memset(&req, 0, sizeof(req));
  req.nh.nlmsg_len = sizeof(req);
  req.nh.nlmsg_type = RTM_GETLINK;
  req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  req.nh.nlmsg_seq = seq;
  req.ifi.ifi_family = AF_UNSPEC;
  req.ext_mask.rta_type = IFLA_EXT_MASK;
  req.ext_mask.rta_len = RTA_LENGTH(sizeof(uint32_t));
  req.ext_mask_value = RTEXT_FILTER_SKIP_STATS;
  if (send(fd, &req, sizeof(req), 0) < 0) {
    *failed = "send";
    return -errno;
  }

  std::vector<char> buf(32768);
  out->clear();
  for (;;) {
    ssize_t n = recv_whole(fd, &buf, failed);
    if (n < 0) return int(n);
    int len = int(n);
    for (auto* nh = reinterpret_cast<struct nlmsghdr*>(buf.data()); NLMSG_OK(nh, len); nh = NLMSG_NEXT(nh, len)) {
      if (nh->nlmsg_seq != seq) continue;
      // Errors the kernel reports in the dump itself are not failed syscalls: "netlink".
      if (nh->nlmsg_type == NLMSG_DONE) {
        // NLMSG_DONE carries an int: the dump's own result, negative when an error ended it early.
        if (nh->nlmsg_len >= NLMSG_LENGTH(sizeof(int))) {
          int result;
          std::memcpy(&result, NLMSG_DATA(nh), sizeof(result));
          if (result < 0) {
            *failed = "netlink";
            return result;
          }
        }
        sock.keep();  // read to its end: the socket can serve the next dump
        return 0;
      }
      if (nh->nlmsg_type == NLMSG_ERROR) {
        *failed = "netlink";
        if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(struct nlmsgerr))) return -EBADMSG;
        auto* err = static_cast<struct nlmsgerr*>(NLMSG_DATA(nh));
        return err->error < 0 ? err->error : -EBADMSG;
      }
      if (nh->nlmsg_type != RTM_NEWLINK) continue;
      auto* ifi = static_cast<struct ifinfomsg*>(NLMSG_DATA(nh));
      int alen = int(IFLA_PAYLOAD(nh));
      Link link;
      link.index = ifi->ifi_index;
      bool link_elsewhere = false;
      for (auto* rta = IFLA_RTA(ifi); RTA_OK(rta, alen); rta = RTA_NEXT(rta, alen)) {
        switch (rta->rta_type) {
          case IFLA_IFNAME:
            link.name = c_string(rta);
            break;
          case IFLA_LINK:
            if (RTA_PAYLOAD(rta) >= sizeof(uint32_t)) link.link = int(*static_cast<uint32_t*>(RTA_DATA(rta)));
            break;
          case IFLA_LINK_NETNSID:  // IFLA_LINK is an ifindex in another namespace
            link_elsewhere = true;
            break;
          case IFLA_MASTER:
            if (RTA_PAYLOAD(rta) >= sizeof(uint32_t)) link.master = int(*static_cast<uint32_t*>(RTA_DATA(rta)));
            break;
          case IFLA_ADDRESS:
            link.address = hex_address(rta);
            break;
          case IFLA_PERM_ADDRESS:
            link.perm_address = hex_address(rta);
            break;
          case IFLA_LINKINFO: {
            int ilen = int(RTA_PAYLOAD(rta));
            for (auto* in = static_cast<struct rtattr*>(RTA_DATA(rta)); RTA_OK(in, ilen); in = RTA_NEXT(in, ilen)) {
              if (in->rta_type == IFLA_INFO_KIND) link.kind = c_string(in);
            }
            break;
          }
        }
      }
      // A device's own index is what the kernel reports as IFLA_LINK for plain NICs; a veth's is its
      // peer. Only the caller knows which kinds are stacked, so keep the index, minus the self case.
      if (link_elsewhere || link.link == link.index) link.link = 0;
      out->push_back(std::move(link));
    }
  }
}

}  // namespace nic
