#pragma once
// How a gateway worker reaches the Keeptrusts API: base URL, token and the worker's pool.
#include <chrono>
#include <string>

#include "http/client.hpp"

namespace kt::gateway {

struct ApiLink {
  http::Url url;
  std::string token;
  http::ClientPool* pool = nullptr;

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
