{
  "targets": [
    {
      "target_name": "nic_offload",
      "sources": [
        "native/netns_socket.cc",
        "native/ethtool_ops.cc",
        "native/link_list.cc",
        "native/fd_watch.cc",
        "native/addon.cc"
      ],
      "dependencies": ["<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except"],
      "defines": ["NAPI_VERSION=8"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-O2"]
    }
  ]
}
