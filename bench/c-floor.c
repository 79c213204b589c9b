/*
 * The floor for the benchmark: the same SIOCETHTOOL ioctls nic-offload issues, from C, in a loop.
 * Runs in the caller's network namespace; prints {"ns_per_op": N} (wall clock per iteration).
 *
 *   c-floor get      IFACE ITERS           GFEATURES per iteration (what getFeatures issues: names are cached)
 *   c-floor get-full IFACE ITERS           GSSET_INFO + GSTRINGS + GFEATURES per iteration (ethtool's ioctl path)
 *   c-floor set      IFACE ITERS FEATURE   SFEATURES (toggle FEATURE) + GFEATURES re-read per iteration
 *   c-floor set-read IFACE ITERS FEATURE   GFEATURES + SFEATURES + GFEATURES: exactly what setFeatures issues
 *
 * Like the addon: one control socket, word count from the kernel, buffers allocated once (except
 * get-full, which allocates its strings buffer per call as ethtool does).
 */
#include <errno.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int fd;
static const char *ifname;

static void die(const char *what) {
  fprintf(stderr, "c-floor: %s: %s\n", what, strerror(errno));
  exit(1);
}

static int eioctl(void *cmd) {
  struct ifreq ifr;
  memset(&ifr, 0, sizeof(ifr));
  strncpy(ifr.ifr_name, ifname, IFNAMSIZ - 1);
  ifr.ifr_data = cmd;
  return ioctl(fd, SIOCETHTOOL, &ifr);
}

static uint32_t feature_count(void) {
  struct {
    struct ethtool_sset_info hdr;
    uint32_t data;
  } s;
  memset(&s, 0, sizeof(s));
  s.hdr.cmd = ETHTOOL_GSSET_INFO;
  s.hdr.sset_mask = 1ULL << ETH_SS_FEATURES;
  if (eioctl(&s) < 0) die("ETHTOOL_GSSET_INFO");
  return (s.hdr.sset_mask & (1ULL << ETH_SS_FEATURES)) ? s.data : 0;
}

static struct ethtool_gstrings *names(uint32_t count) {
  struct ethtool_gstrings *gs = calloc(1, sizeof(*gs) + (size_t)count * ETH_GSTRING_LEN);
  if (!gs) die("calloc");
  gs->cmd = ETHTOOL_GSTRINGS;
  gs->string_set = ETH_SS_FEATURES;
  gs->len = count;
  if (eioctl(gs) < 0) die("ETHTOOL_GSTRINGS");
  return gs;
}

static void gfeatures(struct ethtool_gfeatures *gf, uint32_t words) {
  gf->cmd = ETHTOOL_GFEATURES;
  gf->size = words;
  if (eioctl(gf) < 0) die("ETHTOOL_GFEATURES");
}

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: c-floor get|get-full|set|set-read IFACE ITERS [FEATURE]\n");
    return 2;
  }
  const char *mode = argv[1];
  ifname = argv[2];
  long iters = atol(argv[3]);
  fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) die("socket");

  uint32_t count = feature_count();
  uint32_t words = (count + 31) / 32;
  struct ethtool_gfeatures *gf = calloc(1, sizeof(*gf) + words * sizeof(gf->features[0]));
  struct ethtool_sfeatures *sf = calloc(1, sizeof(*sf) + words * sizeof(sf->features[0]));
  if (!gf || !sf) die("calloc");

  int set = strcmp(mode, "set") == 0, set_read = strcmp(mode, "set-read") == 0;
  int get = strcmp(mode, "get") == 0, get_full = strcmp(mode, "get-full") == 0;
  if (!set && !set_read && !get && !get_full) {
    fprintf(stderr, "c-floor: unknown mode %s\n", mode);
    return 2;
  }
  uint32_t bit = 0;
  if (set || set_read) {
    if (argc < 5) die("set needs a FEATURE");
    struct ethtool_gstrings *gs = names(count);
    uint32_t i;
    for (i = 0; i < count; i++) {
      if (strncmp((const char *)gs->data + i * ETH_GSTRING_LEN, argv[4], ETH_GSTRING_LEN) == 0) break;
    }
    if (i == count) {
      fprintf(stderr, "c-floor: no feature %s\n", argv[4]);
      return 1;
    }
    bit = i;
    free(gs);
  }

  double start = 0;
  long warmup = iters / 10 + 1;
  for (long n = -warmup; n < iters; n++) {
    if (n == 0) start = now_ns();
    if (get) {
      gfeatures(gf, words);
    } else if (get_full) {
      uint32_t c = feature_count();
      struct ethtool_gstrings *gs = names(c);
      gfeatures(gf, (c + 31) / 32);
      free(gs);
    } else {
      if (set_read) gfeatures(gf, words);
      memset(sf->features, 0, words * sizeof(sf->features[0]));
      sf->cmd = ETHTOOL_SFEATURES;
      sf->size = words;
      sf->features[bit / 32].valid = 1u << (bit % 32);
      sf->features[bit / 32].requested = (n & 1) ? 1u << (bit % 32) : 0; /* off, then on */
      if (eioctl(sf) < 0) die("ETHTOOL_SFEATURES");
      gfeatures(gf, words);
    }
  }
  double per = (now_ns() - start) / (double)iters;
  printf("{\"ns_per_op\": %.1f, \"features\": %u, \"words\": %u}\n", per, count, words);
  return 0;
}
