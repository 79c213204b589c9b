/*
 * LD_PRELOAD shim for the benchmark: counts malloc/calloc/realloc/memalign calls (and bytes) made
 * on the process's main thread, so the addon's own allocations per call can be measured from JS.
 * JS reads the counters through getenv(), which Node's process.env calls on every access:
 * process.env.NIC_BENCH_MALLOCS is "calls bytes". Other threads (V8's workers, libuv's pool) are
 * not counted: the read path runs on the main thread.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern char **environ;

static __thread int on_main __attribute__((tls_model("initial-exec")));
static unsigned long long calls, bytes;

__attribute__((constructor)) static void mark_main(void) { on_main = 1; }

static void count(size_t n) {
  if (on_main) {
    calls++;
    bytes += n;
  }
}

void *malloc(size_t n) { count(n); return __libc_malloc(n); }
void *calloc(size_t a, size_t b) { count(a * b); return __libc_calloc(a, b); }
void *realloc(void *p, size_t n) { count(n); return __libc_realloc(p, n); }
void *memalign(size_t a, size_t n) { count(n); return __libc_memalign(a, n); }
void *aligned_alloc(size_t a, size_t n) { count(n); return __libc_memalign(a, n); }
int posix_memalign(void **out, size_t a, size_t n) {
  count(n);
  void *p = __libc_memalign(a, n);
  if (!p) return 12; /* ENOMEM */
  *out = p;
  return 0;
}

static const char KEY[] = "NIC_BENCH_MALLOCS";
static char answer[64];

char *getenv(const char *name) {
  if (strcmp(name, KEY) == 0) {
    snprintf(answer, sizeof(answer), "%llu %llu", calls, bytes);
    return answer;
  }
  size_t len = strlen(name);
  for (char **e = environ; e && *e; e++) {
    if (strncmp(*e, name, len) == 0 && (*e)[len] == '=') return *e + len + 1;
  }
  return NULL;
}
