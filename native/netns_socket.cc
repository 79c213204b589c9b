#include "netns_socket.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/netlink.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include <atomic>
#include <map>
#include <mutex>
#include <new>
#include <string>
#include <vector>

#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif

namespace nic {

struct CachedSocket {
  std::atomic<uint32_t> refs{1};
  int fd = -1;
};

namespace {

void ref(CachedSocket* s) { s->refs.fetch_add(1, std::memory_order_relaxed); }

void unref(CachedSocket* s) {
  if (s != nullptr && s->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    close(s->fd);
    delete s;
  }
}

// The identity of a namespace file: the device and inode it resolves to.
struct Identity {
  uint32_t dev_major = 0, dev_minor = 0;
  uint64_t ino = 0;
  bool operator==(const Identity& o) const { return dev_major == o.dev_major && dev_minor == o.dev_minor && ino == o.ino; }
};

Identity identity_of(const struct statx& stx) { return Identity{stx.stx_dev_major, stx.stx_dev_minor, stx.stx_ino}; }

struct PathEntry {
  CachedSocket* socket;
  Identity id;
  uint64_t checked_ns;  // CLOCK_MONOTONIC time of the statx that last confirmed `id`
};

std::mutex cache_mutex;
CachedSocket* own_socket = nullptr;                        // guarded by cache_mutex
std::map<std::string, PathEntry, std::less<>> by_path;     // guarded by cache_mutex; find() takes a char*

uint64_t monotonic_ns() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1000000000u + uint64_t(ts.tv_nsec);
}

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

// Opens a namespace file for setns, refusing what is not one. statx first: only a regular file
// is opened at all (nsfs files are), so a FIFO cannot block and a device is never opened; the
// open is non-blocking anyway, and fstatfs then checks that the file opened is an nsfs inode.
// setns itself refuses a namespace of another type (/proc/PID/ns/uts) with EINVAL.
int open_netns(const char* path, Identity* id, const char** failed) {
  struct statx stx;
  if (statx(AT_FDCWD, path, 0, STATX_TYPE | STATX_INO, &stx) < 0) {
    *failed = "statx";
    return -errno;
  }
  if (!S_ISREG(stx.stx_mode)) {
    *failed = "setns";
    return -EINVAL;
  }
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) {
    *failed = "open";
    return -errno;
  }
  struct statfs fs;
  if (fstatfs(fd, &fs) < 0 || fs.f_type != NSFS_MAGIC) {
    close(fd);
    *failed = "setns";
    return -EINVAL;
  }
  // The identity of what was opened, not of what the path named a moment before.
  if (statx(fd, "", AT_EMPTY_PATH, STATX_INO, &stx) < 0) {
    int e = errno;
    close(fd);
    *failed = "statx";
    return -e;
  }
  *id = identity_of(stx);
  return fd;
}

// What a namespace thread does: enter, make the socket, end. The thread is never reused, so it
// may end in the foreign namespace: nothing has to be restored, and no failure can leave a
// thread of this process in the wrong namespace.
struct InNetns {
  int nsfd;
  int domain, type, protocol;  // domain 0: the SIOCETHTOOL socket
  int result;
  const char* failed;
};

void enter_and_make(void* arg) {
  auto* job = static_cast<InNetns*>(arg);
  if (setns(job->nsfd, CLONE_NEWNET) < 0) {
    job->result = -errno;
    job->failed = "setns";
    return;
  }
  job->result = job->domain == 0 ? new_ethtool_socket(&job->failed)
                                 : plain_socket(job->domain, job->type, job->protocol, &job->failed);
}

int make_in_netns(int nsfd, int domain, int type, int protocol, const char** failed) {
  InNetns job{nsfd, domain, type, protocol, -EIO, "socket"};
  uv_thread_options_t opts;
  opts.flags = UV_THREAD_HAS_STACK_SIZE;
  opts.stack_size = 64 * 1024;
  uv_thread_t thread;
  int rc = uv_thread_create_ex(&thread, &opts, enter_and_make, &job);
  if (rc < 0) {
    *failed = "pthread_create";
    return rc;
  }
  uv_thread_join(&thread);
  *failed = job.failed;
  return job.result;
}

// A new socket in the namespace at `path`; *id says which namespace that is.
int socket_at_path(const char* path, int domain, int type, int protocol, Identity* id, const char** failed) {
  int nsfd = open_netns(path, id, failed);
  if (nsfd < 0) return nsfd;
  int fd = make_in_netns(nsfd, domain, type, protocol, failed);
  close(nsfd);
  return fd;
}

// Takes the cache's entry for `path` out (the caller unrefs it, outside the lock).
CachedSocket* forget_locked(const char* path) {
  auto it = by_path.find(path);
  if (it == by_path.end()) return nullptr;
  CachedSocket* s = it->second.socket;
  by_path.erase(it);
  return s;
}

}  // namespace

int SocketLease::fd() const { return socket_->fd; }

void SocketLease::reset() {
  unref(socket_);
  socket_ = nullptr;
}

int lease_ethtool_socket(const char* netns, SocketLease* out, const char** failed) {
  out->reset();
  if (netns == nullptr || netns[0] == '\0') {
    std::lock_guard<std::mutex> lock(cache_mutex);
    if (own_socket == nullptr) {
      int fd = new_ethtool_socket(failed);
      if (fd < 0) return fd;
      own_socket = new (std::nothrow) CachedSocket;
      if (own_socket == nullptr) {
        close(fd);
        *failed = "socket";
        return -ENOMEM;
      }
      own_socket->fd = fd;
    }
    ref(own_socket);
    out->socket_ = own_socket;
    return 0;
  }

  uint64_t now = monotonic_ns();
  {
    std::lock_guard<std::mutex> lock(cache_mutex);
    auto it = by_path.find(netns);
    if (it != by_path.end() && now - it->second.checked_ns < kRecheckNs) {
      ref(it->second.socket);
      out->socket_ = it->second.socket;
      return 0;
    }
  }

  // Check again what the path names now (no lock held: statx walks a path).
  struct statx stx;
  if (statx(AT_FDCWD, netns, 0, STATX_INO, &stx) < 0) {
    int e = errno;
    CachedSocket* gone;
    {
      std::lock_guard<std::mutex> lock(cache_mutex);
      gone = forget_locked(netns);  // the namespace is gone from there: let it go
    }
    unref(gone);
    *failed = "statx";
    return -e;
  }
  {
    std::lock_guard<std::mutex> lock(cache_mutex);
    auto it = by_path.find(netns);
    if (it != by_path.end() && it->second.id == identity_of(stx)) {
      it->second.checked_ns = now;
      ref(it->second.socket);
      out->socket_ = it->second.socket;
      return 0;
    }
  }

  // Not seen before, or the name now refers to another namespace.
  Identity id;
  int fd = socket_at_path(netns, 0, 0, 0, &id, failed);
  if (fd < 0) return fd;
  auto* fresh = new (std::nothrow) CachedSocket;
  if (fresh == nullptr) {
    close(fd);
    *failed = "socket";
    return -ENOMEM;
  }
  fresh->fd = fd;
  CachedSocket* replaced = nullptr;
  {
    std::lock_guard<std::mutex> lock(cache_mutex);
    auto it = by_path.find(netns);
    if (it != by_path.end() && it->second.id == id) {
      // Another thread cached the same namespace meanwhile: use that one.
      it->second.checked_ns = now;
      ref(it->second.socket);
      out->socket_ = it->second.socket;
    } else {
      if (it != by_path.end()) {
        replaced = it->second.socket;  // closed once the calls still using it return
        it->second = PathEntry{fresh, id, now};
      } else {
        by_path.emplace(netns, PathEntry{fresh, id, now});
      }
      ref(fresh);
      out->socket_ = fresh;
      fresh = nullptr;
    }
  }
  unref(fresh);
  unref(replaced);
  return 0;
}

int socket_in_netns(const char* netns, int domain, int type, int protocol, const char** failed) {
  if (netns == nullptr || netns[0] == '\0') return plain_socket(domain, type, protocol, failed);
  Identity id;
  return socket_at_path(netns, domain, type, protocol, &id, failed);
}

void release_cached_sockets() {
  std::vector<CachedSocket*> dropped;
  {
    std::lock_guard<std::mutex> lock(cache_mutex);
    dropped.reserve(by_path.size() + 1);
    for (auto& kv : by_path) dropped.push_back(kv.second.socket);
    by_path.clear();
    dropped.push_back(own_socket);
    own_socket = nullptr;
  }
  for (CachedSocket* s : dropped) unref(s);
}

}  // namespace nic
