// The SIOCETHTOOL commands nic-offload uses. Plain C++, no policy: each function sends one
// command (or the two of a size handshake) on a control socket and returns >= 0 or -errno.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace nic {

// Names of ETH_SS_FEATURES, in bit order (bit i of the feature words = names[i]). Empty
// strings are holes the kernel left for removed features. Count from ETHTOOL_GSSET_INFO.
int feature_names(int fd, const char* ifname, std::vector<std::string>* names);

// ETHTOOL_GFEATURES. Writes up to `capacity` blocks of {available, requested, active,
// never_changed} into `blocks` (4 words each) and returns the kernel's word count, which
// may exceed `capacity` (then call again with room for that many).
int get_features(int fd, const char* ifname, uint32_t* blocks, uint32_t capacity);

// ETHTOOL_SFEATURES with `words` words of valid/requested (must equal the kernel's count).
// Returns the ioctl's own non-negative result: ETHTOOL_F_UNSUPPORTED (1) and ETHTOOL_F_WISH (2).
int set_features(int fd, const char* ifname, const uint32_t* valid, const uint32_t* requested, uint32_t words);

struct DriverInfo {
  std::string driver, version, firmware_version, bus_info, erom_version;
};

// ETHTOOL_GDRVINFO.
int driver_info(int fd, const char* ifname, DriverInfo* out);

}  // namespace nic
