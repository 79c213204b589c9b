#include "netns_socket.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string>

namespace nic {
namespace {

// The identity of a namespace file: the device and inode it resolves to.
struct Cached {
  uint32_t dev_major, dev_minor;
  uint64_t ino;
  int fd;
};

std::mutex cache_mutex;
// The socket for "": read without the lock on the hot path (every getFeatures), created and
// closed under it.
std::atomic<int> own_netns_socket{-1};
std::map<std::string, Cached, std::less<>> by_path;  // guarded by cache_mutex; find() takes a char* as is

int plain_socket(int domain, int type, int protocol, const char** failed) {
  int fd = socket(domain, type | SOCK_CLOEXEC, protocol);
  if (fd < 0) {
    *failed = "socket";
    return -errno;
  }
  return fd;
}

// ethtool's choice: an AF_INET datagram socket, or a generic netlink one on kernels built
// without IPv4. SIOCETHTOOL is handled by the core for any family.
int new_ethtool_socket(const char** failed) {
  int fd = plain_socket(AF_INET, SOCK_DGRAM, 0, failed);
  if (fd >= 0) return fd;
  return plain_socket(AF_NETLINK, SOCK_RAW, NETLINK_GENERIC, failed);
}

template <typename Make>
int in_netns(const char* netns, const char** failed, Make make) {
  if (netns == nullptr || netns[0] == '\0') return make(failed);
  int target = open(netns, O_RDONLY | O_CLOEXEC);
  if (target < 0) {
    *failed = "open";
    return -errno;
  }
  int self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (self < 0) {
    int e = errno;
    close(target);
    *failed = "open";
    return -e;
  }
  if (setns(target, CLONE_NEWNET) < 0) {
    int e = errno;
    close(target);
    close(self);
    *failed = "setns";
    return -e;
  }
  int fd = make(failed);
  // Going back cannot fail for lack of privilege (we were allowed to leave); if it fails
  // anyway, this thread would silently act on the wrong namespace from now on.
  if (setns(self, CLONE_NEWNET) < 0) std::abort();
  close(target);
  close(self);
  return fd;
}

}  // namespace

int socket_in_netns(const char* netns, int domain, int type, int protocol, const char** failed) {
  return in_netns(netns, failed, [&](const char** f) { return plain_socket(domain, type, protocol, f); });
}

int ethtool_socket(const char* netns, const char** failed) {
  bool own = netns == nullptr || netns[0] == '\0';
  if (own) {
    int fd = own_netns_socket.load(std::memory_order_acquire);
    if (fd >= 0) return fd;
  }
  std::lock_guard<std::mutex> lock(cache_mutex);
  if (own) {
    int fd = own_netns_socket.load(std::memory_order_relaxed);
    if (fd < 0) {
      fd = new_ethtool_socket(failed);
      if (fd < 0) return fd;
      own_netns_socket.store(fd, std::memory_order_release);
    }
    return fd;
  }
  // statx, not stat: since glibc 2.33 stat() binds to a new symbol version, which would lift the
  // prebuilds' glibc floor above the 2.28 the official Node binaries need.
  struct statx stx;
  if (statx(AT_FDCWD, netns, 0, STATX_INO, &stx) < 0) {
    *failed = "statx";
    return -errno;
  }
  auto it = by_path.find(netns);
  if (it != by_path.end()) {
    const Cached& c = it->second;
    if (c.dev_major == stx.stx_dev_major && c.dev_minor == stx.stx_dev_minor && c.ino == stx.stx_ino) return c.fd;
    close(it->second.fd);  // the name now refers to another namespace
    by_path.erase(it);
  }
  int fd = in_netns(netns, failed, new_ethtool_socket);
  if (fd < 0) return fd;
  by_path[netns] = Cached{stx.stx_dev_major, stx.stx_dev_minor, stx.stx_ino, fd};
  return fd;
}

void close_cached_sockets() {
  std::lock_guard<std::mutex> lock(cache_mutex);
  for (auto& kv : by_path) close(kv.second.fd);
  by_path.clear();
  int own = own_netns_socket.exchange(-1);
  if (own >= 0) close(own);
}

}  // namespace nic
