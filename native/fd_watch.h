// Readiness of a file descriptor, reported in the event loop of the thread that made the
// watch: a libuv poll handle (epoll), so waiting for /dev/kmsg costs no thread and no timer.
// Node itself offers no way to wait on a character device: net.Socket refuses its descriptor
// and a blocking read in the thread pool could never be cancelled.
//
// Plain C++ over libuv: no JavaScript types here. Functions return 0 or -errno.
#pragma once

#include <uv.h>

namespace nic {

class FdWatch {
 public:
  // status 0: readable. status < 0 (-errno): the kernel reported an error condition and libuv
  // stopped the watch (for /dev/kmsg: records were overwritten before they were read; the next
  // read() returns EPIPE); Start() again after reading.
  using Callback = void (*)(void* ctx, int status);

  // Fails with -EPERM for regular files, which epoll cannot watch.
  static int Create(uv_loop_t* loop, int fd, Callback cb, void* ctx, FdWatch** out);

  int Start();
  int Stop();
  void Ref();
  void Unref();
  // Stops the watch and drops the callback at once. Once libuv has closed the handle,
  // on_closed(arg) is called (if given) and the memory is freed. Only closing() may be asked
  // afterwards, and only until on_closed has run.
  void Close(void (*on_closed)(void*) = nullptr, void* arg = nullptr);
  bool closing() const { return closing_; }
  void* context() const { return ctx_; }

 private:
  FdWatch() = default;
  static void OnPoll(uv_poll_t* handle, int status, int events);
  static void OnClose(uv_handle_t* handle);

  uv_poll_t handle_{};
  Callback cb_ = nullptr;
  void* ctx_ = nullptr;
  bool closing_ = false;
  void (*on_closed_)(void*) = nullptr;
  void* on_closed_arg_ = nullptr;
};

}  // namespace nic
