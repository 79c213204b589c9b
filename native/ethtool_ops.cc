#include "ethtool_ops.h"

#include <errno.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <sys/ioctl.h>

#include <cstring>

namespace nic {
namespace {

int ethtool_ioctl(int fd, const char* ifname, void* cmd) {
  if (std::strlen(ifname) >= IFNAMSIZ) return -ENAMETOOLONG;
  struct ifreq ifr;
  std::memset(&ifr, 0, sizeof(ifr));
  std::strncpy(ifr.ifr_name, ifname, IFNAMSIZ - 1);
  ifr.ifr_data = static_cast<char*>(cmd);
  int rc = ioctl(fd, SIOCETHTOOL, &ifr);
  return rc < 0 ? -errno : rc;
}

std::string from_fixed(const char* s, size_t max) { return std::string(s, strnlen(s, max)); }

// Reused per thread: reads allocate nothing after the first call.
thread_local std::vector<uint32_t> gfeatures_buf;

}  // namespace

int feature_names(int fd, const char* ifname, std::vector<std::string>* names) {
  // struct ethtool_sset_info followed by one __u32 of data (one set asked for).
  alignas(struct ethtool_sset_info) uint8_t sset_buf[sizeof(struct ethtool_sset_info) + sizeof(uint32_t)];
  std::memset(sset_buf, 0, sizeof(sset_buf));
  auto* sset = reinterpret_cast<struct ethtool_sset_info*>(sset_buf);
  sset->cmd = ETHTOOL_GSSET_INFO;
  sset->sset_mask = 1ULL << ETH_SS_FEATURES;
  int rc = ethtool_ioctl(fd, ifname, sset);
  if (rc < 0) return rc;
  // The kernel clears the bit of a set it does not know; then there are no named features.
  uint32_t count = (sset->sset_mask & (1ULL << ETH_SS_FEATURES)) ? sset->data[0] : 0;
  names->clear();
  if (count == 0) return 0;

  // ETHTOOL_GSTRINGS ignores the len we pass and writes count*ETH_GSTRING_LEN bytes.
  std::vector<uint8_t> buf(sizeof(struct ethtool_gstrings) + size_t(count) * ETH_GSTRING_LEN);
  auto* gs = reinterpret_cast<struct ethtool_gstrings*>(buf.data());
  gs->cmd = ETHTOOL_GSTRINGS;
  gs->string_set = ETH_SS_FEATURES;
  gs->len = count;
  rc = ethtool_ioctl(fd, ifname, gs);
  if (rc < 0) return rc;
  uint32_t got = gs->len < count ? gs->len : count;
  names->reserve(got);
  for (uint32_t i = 0; i < got; i++) {
    names->push_back(from_fixed(reinterpret_cast<const char*>(gs->data) + size_t(i) * ETH_GSTRING_LEN, ETH_GSTRING_LEN));
  }
  return int(got);
}

int get_features(int fd, const char* ifname, uint32_t* blocks, uint32_t capacity) {
  const size_t header = sizeof(struct ethtool_gfeatures) / sizeof(uint32_t);
  const size_t per_block = sizeof(struct ethtool_get_features_block) / sizeof(uint32_t);
  size_t need = header + size_t(capacity) * per_block;
  if (gfeatures_buf.size() < need) gfeatures_buf.resize(need);
  auto* gf = reinterpret_cast<struct ethtool_gfeatures*>(gfeatures_buf.data());
  gf->cmd = ETHTOOL_GFEATURES;
  gf->size = capacity;  // the kernel copies min(size, its words) and writes its words back
  int rc = ethtool_ioctl(fd, ifname, gf);
  if (rc < 0) return rc;
  uint32_t words = gf->size;
  uint32_t copy = words < capacity ? words : capacity;
  std::memcpy(blocks, gf->features, size_t(copy) * sizeof(struct ethtool_get_features_block));
  return int(words);
}

int set_features(int fd, const char* ifname, const uint32_t* valid, const uint32_t* requested, uint32_t words) {
  std::vector<uint8_t> buf(sizeof(struct ethtool_sfeatures) + size_t(words) * sizeof(struct ethtool_set_features_block));
  auto* sf = reinterpret_cast<struct ethtool_sfeatures*>(buf.data());
  sf->cmd = ETHTOOL_SFEATURES;
  sf->size = words;
  for (uint32_t i = 0; i < words; i++) {
    sf->features[i].valid = valid[i];
    sf->features[i].requested = requested[i];
  }
  // A positive result is not an error: it says some of the request did not take effect.
  return ethtool_ioctl(fd, ifname, sf);
}

int driver_info(int fd, const char* ifname, DriverInfo* out) {
  struct ethtool_drvinfo info;
  std::memset(&info, 0, sizeof(info));
  info.cmd = ETHTOOL_GDRVINFO;
  int rc = ethtool_ioctl(fd, ifname, &info);
  if (rc < 0) return rc;
  out->driver = from_fixed(info.driver, sizeof(info.driver));
  out->version = from_fixed(info.version, sizeof(info.version));
  out->firmware_version = from_fixed(info.fw_version, sizeof(info.fw_version));
  out->bus_info = from_fixed(info.bus_info, sizeof(info.bus_info));
  out->erom_version = from_fixed(info.erom_version, sizeof(info.erom_version));
  return 0;
}

}  // namespace nic
