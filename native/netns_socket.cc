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
#include <utility>
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

using Identity = NetnsIdentity;

Identity identity_of(const struct statx& stx) { return Identity{stx.stx_dev_major, stx.stx_dev_minor, stx.stx_ino}; }

struct PathEntry {
  CachedSocket* socket;  // SIOCETHTOOL, shared by calls (reference counted)
  Identity id;
  uint64_t checked_ns;   // CLOCK_MONOTONIC time of the statx that last confirmed `id`
  int spare_dump;        // NETLINK_ROUTE, handed to one dump at a time (-1: in use)
};

std::mutex cache_mutex;
CachedSocket* own_socket = nullptr;                        // guarded by cache_mutex
int own_spare_dump = -1;                                   // guarded by cache_mutex
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

// What a namespace thread does: enter, make the sockets, end. The thread is never reused, so it
// may end in the foreign namespace: nothing has to be restored, and no failure can leave a
// thread of this process in the wrong namespace.
struct Made {
  int ethtool = -1, dump = -1;
};

struct InNetns {
  int nsfd;
  bool ethtool, dump;
  Made made;
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
  if (job->ethtool) {
    int fd = new_ethtool_socket(&job->failed);
    if (fd < 0) {
      job->result = fd;
      return;
    }
    job->made.ethtool = fd;
  }
  if (job->dump) {
    int fd = plain_socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE, &job->failed);
    if (fd < 0) {
      if (job->made.ethtool >= 0) close(job->made.ethtool);
      job->made.ethtool = -1;
      job->result = fd;
      return;
    }
    job->made.dump = fd;
  }
  job->result = 0;
}

// Makes the sockets asked for in the namespace at `path`; *id says which namespace that is.
int make_at_path(const char* path, bool ethtool, bool dump, Identity* id, Made* out, const char** failed) {
  int nsfd = open_netns(path, id, failed);
  if (nsfd < 0) return nsfd;
  InNetns job{nsfd, ethtool, dump, Made{}, -EIO, "socket"};
  uv_thread_options_t opts;
  opts.flags = UV_THREAD_HAS_STACK_SIZE;
  opts.stack_size = 64 * 1024;
  uv_thread_t thread;
  int rc = uv_thread_create_ex(&thread, &opts, enter_and_make, &job);
  if (rc < 0) {
    close(nsfd);
    *failed = "pthread_create";
    return rc;
  }
  uv_thread_join(&thread);
  close(nsfd);
  *failed = job.failed;
  if (job.result < 0) return job.result;
  *out = job.made;
  return 0;
}

// Sockets taken out of the cache under its lock, released once the lock is dropped (declare it
// before the lock_guard: it is destroyed after).
struct Dropped {
  std::vector<CachedSocket*> sockets;
  std::vector<int> fds;
  void add(const PathEntry& e) {
    sockets.push_back(e.socket);
    if (e.spare_dump >= 0) fds.push_back(e.spare_dump);
  }
  ~Dropped() {
    for (CachedSocket* s : sockets) unref(s);
    for (int fd : fds) close(fd);
  }
};

// Runs use(entry) under the cache lock on the entry for `path`, valid as of now: checked less than
// kRecheckNs ago, or confirmed by a new statx, or made anew (not cached yet, or the path now names
// another namespace), its sockets created on a namespace thread.
template <typename Use>
int with_entry(const char* path, const char** failed, Use use) {
  Dropped dropped;
  uint64_t now = monotonic_ns();
  {
    std::lock_guard<std::mutex> lock(cache_mutex);
    auto it = by_path.find(path);
    if (it != by_path.end() && now - it->second.checked_ns < kRecheckNs) {
      use(it->second);
      return 0;
    }
  }

  // Check again what the path names now (no lock held: statx walks a path).
  struct statx stx;
  if (statx(AT_FDCWD, path, 0, STATX_INO, &stx) < 0) {
    int e = errno;
    std::lock_guard<std::mutex> lock(cache_mutex);
    auto it = by_path.find(path);
    if (it != by_path.end()) {  // the namespace is gone from there: let it go
      dropped.add(it->second);
      by_path.erase(it);
    }
    *failed = "statx";
    return -e;
  }
  {
    std::lock_guard<std::mutex> lock(cache_mutex);
    auto it = by_path.find(path);
    if (it != by_path.end() && it->second.id == identity_of(stx)) {
      it->second.checked_ns = now;
      use(it->second);
      return 0;
    }
  }

  Identity id;
  Made made;
  int rc = make_at_path(path, true, true, &id, &made, failed);
  if (rc < 0) return rc;
  auto* fresh = new (std::nothrow) CachedSocket;
  if (fresh == nullptr) {
    close(made.ethtool);
    close(made.dump);
    *failed = "socket";
    return -ENOMEM;
  }
  fresh->fd = made.ethtool;
  PathEntry entry{fresh, id, now, made.dump};
  std::lock_guard<std::mutex> lock(cache_mutex);
  auto it = by_path.find(path);
  if (it != by_path.end() && it->second.id == id) {
    // Another thread cached the same namespace meanwhile: use that one.
    it->second.checked_ns = now;
    use(it->second);
    dropped.add(entry);
  } else if (it != by_path.end()) {
    dropped.add(it->second);  // its socket is closed once the calls still using it return
    it->second = entry;
    use(it->second);
  } else {
    use(by_path.emplace(path, entry).first->second);
  }
  return 0;
}

bool own(const char* netns) { return netns == nullptr || netns[0] == '\0'; }

}  // namespace

int SocketLease::fd() const { return socket_->fd; }

void SocketLease::reset() {
  unref(socket_);
  socket_ = nullptr;
}

int lease_ethtool_socket(const char* netns, SocketLease* out, const char** failed) {
  out->reset();
  if (own(netns)) {
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
  return with_entry(netns, failed, [out](PathEntry& e) {
    ref(e.socket);
    out->socket_ = e.socket;
  });
}

DumpSocket::~DumpSocket() {
  if (fd_ >= 0) close(fd_);
}

void DumpSocket::keep() {
  if (fd_ < 0) return;
  std::lock_guard<std::mutex> lock(cache_mutex);
  if (path_ == nullptr) {
    if (own_spare_dump < 0) std::swap(own_spare_dump, fd_);
    return;
  }
  auto it = by_path.find(path_);
  if (it != by_path.end() && it->second.id == id_ && it->second.spare_dump < 0) std::swap(it->second.spare_dump, fd_);
}

int take_dump_socket(const char* netns, DumpSocket* out, const char** failed) {
  if (own(netns)) {
    {
      std::lock_guard<std::mutex> lock(cache_mutex);
      std::swap(out->fd_, own_spare_dump);
    }
    if (out->fd_ >= 0) return 0;
    int fd = plain_socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE, failed);
    if (fd < 0) return fd;
    out->fd_ = fd;
    return 0;
  }
  int rc = with_entry(netns, failed, [out](PathEntry& e) {
    out->id_ = e.id;
    out->fd_ = e.spare_dump;
    e.spare_dump = -1;
  });
  if (rc < 0) return rc;
  out->path_ = netns;
  if (out->fd_ >= 0) return 0;
  // Another dump has the spare: a socket of its own, made the same way.
  Made made;
  rc = make_at_path(netns, false, true, &out->id_, &made, failed);
  if (rc < 0) return rc;
  out->fd_ = made.dump;
  return 0;
}

void release_cached_sockets() {
  Dropped dropped;
  std::lock_guard<std::mutex> lock(cache_mutex);
  dropped.sockets.reserve(by_path.size() + 1);
  for (auto& kv : by_path) dropped.add(kv.second);
  by_path.clear();
  dropped.sockets.push_back(own_socket);
  own_socket = nullptr;
  if (own_spare_dump >= 0) dropped.fds.push_back(own_spare_dump);
  own_spare_dump = -1;
}

}  // namespace nic
