// Control sockets bound to a network namespace.
//
// A socket acts in the network namespace it was created in, for its whole life. To reach a
// device in another namespace, a short-lived thread enters that namespace, creates the socket and
// ends there: the calling thread never changes namespace, so there is nothing to restore.
//
// SIOCETHTOOL sockets are cached: one for the caller's own namespace, one per namespace path,
// keyed by the namespace file's device and inode so that a namespace deleted and re-created under
// the same name gets a fresh socket. A path is checked again (statx) when its last check is more
// than kRecheckNs old, so a read sees what the path named at most that long ago. A path that is
// not a network namespace file is refused with -EINVAL (failed: "setns"): only a regular file is
// opened at all, and without blocking, so FIFOs and devices never block or act.
//
// Ownership: a cached socket is reference counted. The cache holds one reference and every call
// that uses the socket holds one (a SocketLease) from before its first syscall until after its
// last, so a socket dropped from the cache meanwhile (release_cached_sockets(), or a re-created
// namespace) is closed only once the last call using it has returned. Its descriptor number
// therefore cannot be reused by an unrelated open() while a call still issues ioctls on it.
//
// Plain C++: no JavaScript types here. Functions return a value >= 0 or -errno, and name the
// syscall that failed in *failed.
#pragma once

#include <cstdint>

namespace nic {

// How long a namespace path's check stays valid.
constexpr uint64_t kRecheckNs = 100 * 1000;

struct CachedSocket;

// One call's reference to a cached socket.
class SocketLease {
 public:
  SocketLease() = default;
  ~SocketLease() { reset(); }
  SocketLease(const SocketLease&) = delete;
  SocketLease& operator=(const SocketLease&) = delete;

  int fd() const;
  void reset();

 private:
  friend int lease_ethtool_socket(const char* netns, SocketLease* out, const char** failed);
  CachedSocket* socket_ = nullptr;
};

// Leases the cached SIOCETHTOOL control socket for `netns` ("" = the caller's own namespace),
// creating it on a miss. Returns 0 or -errno.
int lease_ethtool_socket(const char* netns, SocketLease* out, const char** failed);

// The device and inode of a namespace file: which namespace a path named when it was checked.
struct NetnsIdentity {
  uint32_t dev_major = 0, dev_minor = 0;
  uint64_t ino = 0;
  bool operator==(const NetnsIdentity& o) const { return dev_major == o.dev_major && dev_minor == o.dev_minor && ino == o.ino; }
};

// An rtnetlink (NETLINK_ROUTE) socket for one dump, the caller's alone. A namespace path's cache
// entry keeps one spare, made on the same thread as its SIOCETHTOOL socket, so that listing a
// cached namespace enters nothing; it goes back to the entry after a complete dump (keep()).
class DumpSocket {
 public:
  DumpSocket() = default;
  ~DumpSocket();
  DumpSocket(const DumpSocket&) = delete;
  DumpSocket& operator=(const DumpSocket&) = delete;

  int fd() const { return fd_; }
  // Call after a dump read to its end: the socket is kept for the next one (or closed if the
  // cache has no place for it). Otherwise the destructor closes it, with whatever it still holds.
  void keep();

 private:
  friend int take_dump_socket(const char* netns, DumpSocket* out, const char** failed);
  int fd_ = -1;
  const char* path_ = nullptr;  // the caller's string, which outlives this object
  NetnsIdentity id_;
};

// A NETLINK_ROUTE socket in `netns` ("" = the caller's own namespace, which keeps a spare too).
// Returns 0 or -errno.
int take_dump_socket(const char* netns, DumpSocket* out, const char** failed);

// Drops the cache's reference to every cached socket: each is closed now, or when the last call
// still using it returns (spare dump sockets not in use are closed now). Later calls create fresh
// sockets.
void release_cached_sockets();

}  // namespace nic
