#include "providers/azure_openai/azure_openai_provider.hpp"

namespace kt::providers {
namespace {

// Deployment names are the operator's; they may need escaping in a URL path.
std::string percent_encode_segment(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~') {
      out += char(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace

std::string azure_deployment_for(const config::Target& t, const std::string& model) {
  if (auto it = t.deployments.find(model); it != t.deployments.end()) return it->second;
  if (t.deployment) return *t.deployment;
  return model;
}

http::ClientRequest AzureOpenAiProvider::build_request(const ResolvedTarget& t, const RouteInfo& info, std::string body) const {
  http::ClientRequest r;
  r.method = "POST";
  r.target = t.base.base_path + "/openai/deployments/" + percent_encode_segment(azure_deployment_for(t.config, info.model)) +
             std::string(openai_route_suffix(info.route)) + "?api-version=" +
             percent_encode_segment(t.config.api_version.value_or(config::kDefaultAzureApiVersion));
  r.headers.emplace_back("Content-Type", "application/json");
  r.headers.emplace_back("Accept", info.stream ? "text/event-stream" : "application/json");
  if (!t.api_key.empty()) r.headers.emplace_back("api-key", t.api_key);
  r.body = std::move(body);
  return r;
}

}  // namespace kt::providers
