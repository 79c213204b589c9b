// Every network interface of a namespace, from an rtnetlink RTM_GETLINK dump.
#pragma once

#include <string>
#include <vector>

namespace nic {

struct Link {
  int index = 0;
  std::string name;
  int master = 0;            // IFLA_MASTER: the bridge/bond this device is a port of (0: none)
  int link = 0;              // IFLA_LINK: for a vlan/macvlan/…, the device it sits on; a veth's peer
                             // (0: none, or in another namespace)
  std::string kind;          // IFLA_INFO_KIND: "veth", "bridge", "tun", … ("" for plain NICs)
  std::string address;       // IFLA_ADDRESS as aa:bb:…
  std::string perm_address;  // IFLA_PERM_ADDRESS (Linux >= 5.6, real NICs only)
};

// Fills `out` in the kernel's dump order (by ifindex). Returns 0 or -errno.
int list_links(const char* netns, std::vector<Link>* out, const char** failed);

}  // namespace nic
