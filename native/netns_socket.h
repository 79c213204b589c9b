// Control sockets bound to a network namespace.
//
// A socket acts in the network namespace it was created in, for its whole life. To reach a
// device in another namespace we enter that namespace on the calling thread, create the
// socket, and go back. Sockets are cached per namespace path, keyed by the namespace file's
// inode so that a namespace deleted and re-created under the same name gets a fresh socket.
//
// Plain C++: no JavaScript types here. Functions return a value >= 0 or -errno, and name the
// syscall that failed in *failed.
#pragma once

namespace nic {

// The cached SIOCETHTOOL control socket for `netns` ("" = the caller's own namespace).
int ethtool_socket(const char* netns, const char** failed);

// A new socket (the caller closes it) created inside `netns` ("" = the caller's own namespace).
int socket_in_netns(const char* netns, int domain, int type, int protocol, const char** failed);

// Close every cached socket. Cached sockets keep their namespace alive after `ip netns del`.
void close_cached_sockets();

}  // namespace nic
