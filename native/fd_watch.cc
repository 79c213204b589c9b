#include "fd_watch.h"

namespace nic {

int FdWatch::Create(uv_loop_t* loop, int fd, Callback cb, void* ctx, FdWatch** out) {
  auto* w = new FdWatch();
  int rc = uv_poll_init(loop, &w->handle_, fd);
  if (rc < 0) {  // the handle was not registered with the loop: plain delete is right
    delete w;
    return rc;
  }
  w->handle_.data = w;
  w->cb_ = cb;
  w->ctx_ = ctx;
  *out = w;
  return 0;
}

int FdWatch::Start() { return uv_poll_start(&handle_, UV_READABLE, OnPoll); }

int FdWatch::Stop() { return uv_poll_stop(&handle_); }

void FdWatch::Ref() { uv_ref(reinterpret_cast<uv_handle_t*>(&handle_)); }

void FdWatch::Unref() { uv_unref(reinterpret_cast<uv_handle_t*>(&handle_)); }

void FdWatch::Close(void (*on_closed)(void*), void* arg) {
  if (closing_) return;
  closing_ = true;
  cb_ = nullptr;
  ctx_ = nullptr;
  on_closed_ = on_closed;
  on_closed_arg_ = arg;
  uv_close(reinterpret_cast<uv_handle_t*>(&handle_), OnClose);
}

void FdWatch::OnPoll(uv_poll_t* handle, int status, int /*events*/) {
  auto* w = static_cast<FdWatch*>(handle->data);
  if (w->cb_) w->cb_(w->ctx_, status);
}

void FdWatch::OnClose(uv_handle_t* handle) {
  auto* w = static_cast<FdWatch*>(handle->data);
  if (w->on_closed_) w->on_closed_(w->on_closed_arg_);
  delete w;
}

}  // namespace nic
