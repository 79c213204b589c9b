// The only file that knows JavaScript: argument checks, conversion, and turning -errno into
// an Error that keeps errno as a number. No policy lives here (see ts/ for that).
#include <napi.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "ethtool_ops.h"
#include "fd_watch.h"
#include "link_list.h"
#include "netns_socket.h"

namespace {

Napi::Error SysError(Napi::Env env, int neg_errno, const char* syscall, const char* command,
                     const std::string& ifname, const std::string& netns) {
  int e = -neg_errno;
  std::string msg = std::string(syscall) + (command ? std::string(" ") + command : "") + " failed: " + std::strerror(e);
  Napi::Error err = Napi::Error::New(env, msg);
  Napi::Object o = err.Value();
  o.Set("errno", Napi::Number::New(env, e));
  o.Set("syscall", Napi::String::New(env, syscall));
  if (command) o.Set("command", Napi::String::New(env, command));
  if (!ifname.empty()) o.Set("ifname", Napi::String::New(env, ifname));
  o.Set("netns", Napi::String::New(env, netns));
  return err;
}

std::string StringArg(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (info.Length() <= i || !info[i].IsString()) throw Napi::TypeError::New(info.Env(), std::string(what) + " must be a string");
  std::string s = info[i].As<Napi::String>().Utf8Value();
  if (s.find('\0') != std::string::npos) throw Napi::TypeError::New(info.Env(), std::string(what) + " must not contain NUL");
  return s;
}

Napi::Uint32Array WordsArg(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (info.Length() <= i || !info[i].IsTypedArray() ||
      info[i].As<Napi::TypedArray>().TypedArrayType() != napi_uint32_array) {
    throw Napi::TypeError::New(info.Env(), std::string(what) + " must be a Uint32Array");
  }
  return info[i].As<Napi::Uint32Array>();
}

// A string argument for the read path, copied into a stack buffer so that a call allocates
// nothing (interface names and /var/run/netns paths fit; longer ones go to the heap).
class SmallString {
 public:
  SmallString(const Napi::CallbackInfo& info, size_t i, const char* what) {
    Napi::Env env = info.Env();
    if (info.Length() <= i || !info[i].IsString()) throw Napi::TypeError::New(env, std::string(what) + " must be a string");
    size_t len = 0;
    napi_status st = napi_get_value_string_utf8(env, info[i], buf_, sizeof(buf_), &len);
    if (st != napi_ok) throw Napi::Error::New(env, "cannot read a string argument");
    // napi writes whole characters only (up to 4 bytes each) into sizeof(buf_) - 1 bytes: a string
    // that did not fit leaves fewer than 4 bytes unused, so anything that long is read again, whole.
    if (len + 4 >= sizeof(buf_)) {
      heap_ = info[i].As<Napi::String>().Utf8Value();
      ptr_ = heap_.c_str();
      len = heap_.size();
    }
    if (std::memchr(ptr_, '\0', len) != nullptr) throw Napi::TypeError::New(env, std::string(what) + " must not contain NUL");
    size_ = len;
  }
  SmallString(const SmallString&) = delete;
  SmallString& operator=(const SmallString&) = delete;
  const char* c_str() const { return ptr_; }
  std::string str() const { return std::string(ptr_, size_); }

 private:
  char buf_[128];
  std::string heap_;
  const char* ptr_ = buf_;
  size_t size_ = 0;
};

// Leases the control socket for netns (held until `lease` goes out of scope), or throws.
int Socket(Napi::Env env, const std::string& netns, const std::string& ifname, nic::SocketLease* lease) {
  const char* failed = "socket";
  int rc = nic::lease_ethtool_socket(netns.c_str(), lease, &failed);
  if (rc < 0) throw SysError(env, rc, failed, nullptr, ifname, netns);
  return lease->fd();
}

// featureNames(netns, ifname): string[] -- empty strings are holes.
Napi::Value FeatureNames(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string netns = StringArg(info, 0, "netns"), ifname = StringArg(info, 1, "ifname");
  nic::SocketLease lease;
  int fd = Socket(env, netns, ifname, &lease);
  std::vector<std::string> names;
  int rc = nic::feature_names(fd, ifname.c_str(), &names);
  if (rc < 0) throw SysError(env, rc, "ioctl", "ETHTOOL_GSSET_INFO/GSTRINGS", ifname, netns);
  Napi::Array out = Napi::Array::New(env, names.size());
  for (size_t i = 0; i < names.size(); i++) out.Set(uint32_t(i), Napi::String::New(env, names[i]));
  return out;
}

// getFeatures(netns, ifname, blocks: Uint32Array): number of words the kernel has.
// The hot read path: no heap allocation, one N-API call per argument.
Napi::Value GetFeatures(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  SmallString netns(info, 0, "netns"), ifname(info, 1, "ifname");
  napi_typedarray_type type;
  size_t length = 0;
  void* data = nullptr;
  if (info.Length() <= 2 || napi_get_typedarray_info(env, info[2], &type, &length, &data, nullptr, nullptr) != napi_ok ||
      type != napi_uint32_array) {
    throw Napi::TypeError::New(env, "blocks must be a Uint32Array");
  }
  const char* failed = "socket";
  nic::SocketLease lease;
  int rc = nic::lease_ethtool_socket(netns.c_str(), &lease, &failed);
  if (rc < 0) throw SysError(env, rc, failed, nullptr, ifname.str(), netns.str());
  rc = nic::get_features(lease.fd(), ifname.c_str(), static_cast<uint32_t*>(data), uint32_t(length / 4));
  if (rc < 0) throw SysError(env, rc, "ioctl", "ETHTOOL_GFEATURES", ifname.str(), netns.str());
  return Napi::Number::New(env, rc);
}

struct SetArgs {
  std::string netns, ifname;
  std::vector<uint32_t> valid, requested;
};

SetArgs ReadSetArgs(const Napi::CallbackInfo& info) {
  SetArgs a;
  a.netns = StringArg(info, 0, "netns");
  a.ifname = StringArg(info, 1, "ifname");
  Napi::Uint32Array valid = WordsArg(info, 2, "valid"), requested = WordsArg(info, 3, "requested");
  if (valid.ElementLength() != requested.ElementLength()) {
    throw Napi::RangeError::New(info.Env(), "valid and requested must have the same length");
  }
  a.valid.assign(valid.Data(), valid.Data() + valid.ElementLength());
  a.requested.assign(requested.Data(), requested.Data() + requested.ElementLength());
  return a;
}

// setFeatures(netns, ifname, valid, requested): the ioctl's non-negative result.
Napi::Value SetFeatures(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  SetArgs a = ReadSetArgs(info);
  nic::SocketLease lease;
  int fd = Socket(env, a.netns, a.ifname, &lease);
  int rc = nic::set_features(fd, a.ifname.c_str(), a.valid.data(), a.requested.data(), uint32_t(a.valid.size()));
  if (rc < 0) throw SysError(env, rc, "ioctl", "ETHTOOL_SFEATURES", a.ifname, a.netns);
  return Napi::Number::New(env, rc);
}

// The same in the thread pool: ioctls take rtnl_lock and drivers may sleep.
class SetFeaturesWorker : public Napi::AsyncWorker {
 public:
  SetFeaturesWorker(Napi::Env env, SetArgs args)
      : Napi::AsyncWorker(env, "nic-offload:setFeatures"), args_(std::move(args)), deferred_(Napi::Promise::Deferred::New(env)) {}
  Napi::Promise Promise() { return deferred_.Promise(); }

  void Execute() override {
    nic::SocketLease lease;
    rc_ = nic::lease_ethtool_socket(args_.netns.c_str(), &lease, &failed_);
    if (rc_ < 0) return;
    failed_ = "ioctl";
    rc_ = nic::set_features(lease.fd(), args_.ifname.c_str(), args_.valid.data(), args_.requested.data(), uint32_t(args_.valid.size()));
  }
  void OnOK() override {
    Napi::Env env = Env();
    if (rc_ < 0) {
      const char* cmd = std::strcmp(failed_, "ioctl") == 0 ? "ETHTOOL_SFEATURES" : nullptr;
      deferred_.Reject(SysError(env, rc_, failed_, cmd, args_.ifname, args_.netns).Value());
    } else {
      deferred_.Resolve(Napi::Number::New(env, rc_));
    }
  }

 private:
  SetArgs args_;
  Napi::Promise::Deferred deferred_;
  int rc_ = 0;
  const char* failed_ = "socket";
};

Napi::Value SetFeaturesAsync(const Napi::CallbackInfo& info) {
  auto* worker = new SetFeaturesWorker(info.Env(), ReadSetArgs(info));
  Napi::Promise p = worker->Promise();
  worker->Queue();
  return p;
}

// driverInfo(netns, ifname): { driver, version, firmwareVersion, busInfo, expansionRomVersion }
Napi::Value DriverInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string netns = StringArg(info, 0, "netns"), ifname = StringArg(info, 1, "ifname");
  nic::SocketLease lease;
  int fd = Socket(env, netns, ifname, &lease);
  nic::DriverInfo d;
  int rc = nic::driver_info(fd, ifname.c_str(), &d);
  if (rc < 0) throw SysError(env, rc, "ioctl", "ETHTOOL_GDRVINFO", ifname, netns);
  Napi::Object o = Napi::Object::New(env);
  o.Set("driver", d.driver);
  o.Set("version", d.version);
  o.Set("firmwareVersion", d.firmware_version);
  o.Set("busInfo", d.bus_info);
  o.Set("expansionRomVersion", d.erom_version);
  return o;
}

// listInterfaces(netns): Array<{ index, name, master, link, kind, address, permAddress }>
Napi::Value ListInterfaces(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string netns = StringArg(info, 0, "netns");
  std::vector<nic::Link> links;
  const char* failed = "socket";
  int rc = nic::list_links(netns.c_str(), &links, &failed);
  if (rc < 0) throw SysError(env, rc, failed, "RTM_GETLINK", "", netns);
  Napi::Array out = Napi::Array::New(env, links.size());
  for (size_t i = 0; i < links.size(); i++) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("index", Napi::Number::New(env, links[i].index));
    o.Set("name", Napi::String::New(env, links[i].name));
    o.Set("master", Napi::Number::New(env, links[i].master));
    o.Set("link", Napi::Number::New(env, links[i].link));
    o.Set("kind", Napi::String::New(env, links[i].kind));
    o.Set("address", Napi::String::New(env, links[i].address));
    o.Set("permAddress", Napi::String::New(env, links[i].perm_address));
    out.Set(uint32_t(i), o);
  }
  return out;
}

Napi::Value CloseSockets(const Napi::CallbackInfo& info) {
  nic::release_cached_sockets();
  return info.Env().Undefined();
}

Napi::Error UvError(Napi::Env env, int neg_errno, const char* call) {
  Napi::Error err = Napi::Error::New(env, std::string(call) + " failed: " + std::strerror(-neg_errno));
  err.Value().Set("errno", Napi::Number::New(env, -neg_errno));
  err.Value().Set("syscall", Napi::String::New(env, call));
  return err;
}

// new FdWatch(fd, onReady(status)): start(), stop(), ref(), unref(), close(). See fd_watch.h.
// The object and its callback stay referenced until close(), as any libuv handle keeps its callback.
class FdWatchWrap : public Napi::ObjectWrap<FdWatchWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "FdWatch",
                       {InstanceMethod("start", &FdWatchWrap::Start), InstanceMethod("stop", &FdWatchWrap::Stop),
                        InstanceMethod("ref", &FdWatchWrap::RefLoop), InstanceMethod("unref", &FdWatchWrap::UnrefLoop),
                        InstanceMethod("close", &FdWatchWrap::Close)});
  }

  explicit FdWatchWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<FdWatchWrap>(info), env_(info.Env()) {
    Napi::Env env = info.Env();
    if (info.Length() < 2 || !info[0].IsNumber() || !info[1].IsFunction()) {
      throw Napi::TypeError::New(env, "FdWatch(fd: number, onReady: function)");
    }
    double fd = info[0].As<Napi::Number>().DoubleValue();
    if (!(fd >= 0 && fd <= 0x7fffffff) || fd != static_cast<double>(static_cast<int>(fd))) {
      throw Napi::RangeError::New(env, "fd must be a non-negative integer");
    }
    uv_loop_t* loop = nullptr;
    if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr) throw Napi::Error::New(env, "no event loop");
    int rc = nic::FdWatch::Create(loop, static_cast<int>(fd), &FdWatchWrap::OnReady, this, &watch_);
    if (rc < 0) throw UvError(env, rc, "uv_poll_init");
    callback_ = Napi::Persistent(info[1].As<Napi::Function>());
    context_.reset(new Napi::AsyncContext(env, "nic-offload:FdWatch"));
    // The object stays alive until close(), as a libuv handle does: were it collected first, a
    // readiness event could arrive between collection and its deferred finalizer.
    Napi::ObjectWrap<FdWatchWrap>::Ref();
    // A worker that exits with the watch open unloads this addon once its environment is torn
    // down, and libuv's close callback would then jump into unmapped code: an async cleanup
    // hook closes the handle first, and Node waits until the close callback has removed it.
    if (napi_add_async_cleanup_hook(env, &FdWatchWrap::OnEnvCleanup, watch_, &cleanup_) != napi_ok) {
      watch_->Close();
      watch_ = nullptr;
      throw Napi::Error::New(env, "napi_add_async_cleanup_hook failed");
    }
  }

  ~FdWatchWrap() override {
    if (watch_) watch_->Close(&FdWatchWrap::RemoveHook, cleanup_);
    watch_ = nullptr;
    context_.reset();
  }

 private:
  // Environment teardown; a watch already closing removes the hook from its close callback.
  static void OnEnvCleanup(napi_async_cleanup_hook_handle hook, void* arg) {
    auto* w = static_cast<nic::FdWatch*>(arg);
    if (w->closing()) return;
    static_cast<FdWatchWrap*>(w->context())->watch_ = nullptr;
    w->Close(&FdWatchWrap::RemoveHook, hook);
  }
  static void RemoveHook(void* hook) { napi_remove_async_cleanup_hook(static_cast<napi_async_cleanup_hook_handle>(hook)); }

  // Called from libuv with no JavaScript below: only the C API, checked by status. The Napi::
  // wrappers throw C++ exceptions on failure, and one leaving a libuv callback is std::terminate.
  static void OnReady(void* ctx, int status) noexcept {
    auto* self = static_cast<FdWatchWrap*>(ctx);
    napi_env env = self->env_;
    napi_handle_scope scope;
    if (napi_open_handle_scope(env, &scope) != napi_ok) return;
    napi_value recv, fn, arg, result;
    napi_status st = napi_get_reference_value(env, static_cast<napi_ref>(*self), &recv);
    if (st == napi_ok) st = napi_get_reference_value(env, static_cast<napi_ref>(self->callback_), &fn);
    if (st == napi_ok) st = napi_create_int32(env, status, &arg);
    // A collected or reset reference reads as no value: there is nothing to call then.
    if (st == napi_ok && recv != nullptr && fn != nullptr) {
      st = napi_make_callback(env, static_cast<napi_async_context>(*self->context_), recv, fn, 1, &arg, &result);
      // A throw goes to 'uncaughtException'. Any other failure means the environment is shutting
      // down (a worker's process.exit()): nothing can run any more.
      if (st == napi_pending_exception) {
        napi_value err;
        if (napi_get_and_clear_last_exception(env, &err) == napi_ok) napi_fatal_exception(env, err);
      }
    }
    napi_close_handle_scope(env, scope);
  }

  nic::FdWatch* Live(const Napi::CallbackInfo& info) {
    if (!watch_) throw Napi::Error::New(info.Env(), "the watch is closed");
    return watch_;
  }
  Napi::Value Start(const Napi::CallbackInfo& info) {
    int rc = Live(info)->Start();
    if (rc < 0) throw UvError(info.Env(), rc, "uv_poll_start");
    return info.Env().Undefined();
  }
  Napi::Value Stop(const Napi::CallbackInfo& info) {
    Live(info)->Stop();
    return info.Env().Undefined();
  }
  Napi::Value RefLoop(const Napi::CallbackInfo& info) {
    Live(info)->Ref();
    return info.Env().Undefined();
  }
  Napi::Value UnrefLoop(const Napi::CallbackInfo& info) {
    Live(info)->Unref();
    return info.Env().Undefined();
  }
  Napi::Value Close(const Napi::CallbackInfo& info) {
    Release();
    return info.Env().Undefined();
  }
  void Release() {
    if (!watch_) return;
    watch_->Close(&FdWatchWrap::RemoveHook, cleanup_);
    watch_ = nullptr;
    Napi::ObjectWrap<FdWatchWrap>::Unref();
    // Not the async context: close() may be called from inside the callback, which still uses it.
    if (!callback_.IsEmpty()) callback_.Reset();
  }

  napi_env env_;
  nic::FdWatch* watch_ = nullptr;
  napi_async_cleanup_hook_handle cleanup_ = nullptr;
  Napi::FunctionReference callback_;
  std::unique_ptr<Napi::AsyncContext> context_;
};

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("featureNames", Napi::Function::New(env, FeatureNames, "featureNames"));
  exports.Set("getFeatures", Napi::Function::New(env, GetFeatures, "getFeatures"));
  exports.Set("setFeatures", Napi::Function::New(env, SetFeatures, "setFeatures"));
  exports.Set("setFeaturesAsync", Napi::Function::New(env, SetFeaturesAsync, "setFeaturesAsync"));
  exports.Set("driverInfo", Napi::Function::New(env, DriverInfo, "driverInfo"));
  exports.Set("listInterfaces", Napi::Function::New(env, ListInterfaces, "listInterfaces"));
  exports.Set("closeSockets", Napi::Function::New(env, CloseSockets, "closeSockets"));
  exports.Set("FdWatch", FdWatchWrap::Define(env));
  return exports;
}

}  // namespace

NODE_API_MODULE(nic_offload, Init)
