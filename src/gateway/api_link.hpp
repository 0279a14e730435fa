#pragma once
// How a gateway worker reaches the Keeptrusts API: base URL, token and the worker's pool.
#include <chrono>
#include <memory>
#include <string>

#include "http/client.hpp"

namespace kt::gateway {

// Whether the API accepts the worker's token. A 401 or 403 to a ledger call (the token was
// revoked, or its scope is not gateway) sets `refused` until a call is accepted again; meanwhile
// the worker's priced requests fail closed (503): budget leases in hand are not used, and each
// reservation asks the API. One worker's io_context only: no lock.
struct ApiAccess {
  bool refused = false;
  void note(int status);
};

struct ApiLink {
  http::Url url;
  std::string token;
  http::ClientPool* pool = nullptr;
  std::shared_ptr<ApiAccess> access;  // null: nobody watches (recovery, kt gateway drain)

  // Every ledger call's answer status goes here.
  void note_status(int status) const {
    if (access) access->note(status);
  }

  http::ClientRequest make(std::string method, std::string path, std::string body,
                           std::string content_type = "application/json") const {
    http::ClientRequest r;
    r.method = std::move(method);
    r.target = url.base_path + path;
    r.headers.emplace_back("Authorization", "Bearer " + token);
    r.headers.emplace_back("Content-Type", std::move(content_type));
    r.body = std::move(body);
    return r;
  }
};

}  // namespace kt::gateway
