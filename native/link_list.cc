#include "link_list.h"

#include <errno.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include "netns_socket.h"

namespace nic {

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
      for (auto* rta = IFLA_RTA(ifi); RTA_OK(rta, alen); rta = RTA_NEXT(rta, alen)) {
        if (rta->rta_type == IFLA_IFNAME) {
          const char* name = static_cast<const char*>(RTA_DATA(rta));
          out->push_back(Link{ifi->ifi_index, std::string(name, strnlen(name, RTA_PAYLOAD(rta)))});
          break;
        }
      }
    }
  }
}

}  // namespace nic
