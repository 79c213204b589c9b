#include "link_list.h"

#include <errno.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>

#include "netns_socket.h"

namespace nic {
namespace {

#ifndef IFLA_PERM_ADDRESS
#define IFLA_PERM_ADDRESS 54
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

}  // namespace

int list_links(const char* netns, std::vector<Link>* out, const char** failed) {
  int fd = socket_in_netns(netns, AF_NETLINK, SOCK_RAW, NETLINK_ROUTE, failed);
  if (fd < 0) return fd;

  struct {
    struct nlmsghdr nh;
    struct ifinfomsg ifi;
  } req;
  std::memset(&req, 0, sizeof(req));
  req.nh.nlmsg_len = sizeof(req);
  req.nh.nlmsg_type = RTM_GETLINK;
  req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  req.nh.nlmsg_seq = 1;
  req.ifi.ifi_family = AF_UNSPEC;
  if (send(fd, &req, sizeof(req), 0) < 0) {
    int e = errno;
    close(fd);
    *failed = "send";
    return -e;
  }

  std::vector<char> buf(32768);
  out->clear();
  for (;;) {
    ssize_t n = recv(fd, buf.data(), buf.size(), 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      close(fd);
      *failed = "recv";
      return -e;
    }
    int len = int(n);
    for (auto* nh = reinterpret_cast<struct nlmsghdr*>(buf.data()); NLMSG_OK(nh, len); nh = NLMSG_NEXT(nh, len)) {
      if (nh->nlmsg_type == NLMSG_DONE) {
        close(fd);
        return 0;
      }
      if (nh->nlmsg_type == NLMSG_ERROR) {
        auto* err = static_cast<struct nlmsgerr*>(NLMSG_DATA(nh));
        close(fd);
        *failed = "recv";
        return err->error < 0 ? err->error : -EIO;
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
