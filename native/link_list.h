// Every network interface of a namespace, from an rtnetlink RTM_GETLINK dump.
#pragma once

#include <string>
#include <vector>

namespace nic {

struct Link {
  int index;
  std::string name;
};

// Fills `out` in the kernel's dump order (by ifindex). Returns 0 or -errno.
int list_links(const char* netns, std::vector<Link>* out, const char** failed);

}  // namespace nic
