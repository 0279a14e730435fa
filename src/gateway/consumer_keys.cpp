#include "gateway/consumer_keys.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstring>
#include <stdexcept>

#include "core/ids.hpp"

namespace kt::gateway {
namespace {

const EVP_MD* as_md(const std::shared_ptr<void>& p) { return static_cast<const EVP_MD*>(p.get()); }

// One digest context per thread, reused: a request makes no allocation here.
EVP_MD_CTX* thread_context() {
  thread_local std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  return ctx.get();
}

}  // namespace

ConsumerKeys::ConsumerKeys() {
  sha256_ = std::shared_ptr<void>(EVP_MD_fetch(nullptr, "SHA256", nullptr),
                                  [](void* md) { EVP_MD_free(static_cast<EVP_MD*>(md)); });
  if (!sha256_ || RAND_bytes(salt_.data(), static_cast<int>(salt_.size())) != 1)
    throw std::runtime_error("OpenSSL cannot provide SHA-256 or random bytes for the consumer key table");
}

ConsumerKeys::ConsumerKeys(const std::vector<config::ConsumerGroup>& groups) : ConsumerKeys() {
  for (const auto& g : groups) by_digest_.emplace(digest(g.api_key), &g);
}

size_t ConsumerKeys::DigestHash::operator()(const Digest& d) const noexcept {
  size_t h;
  std::memcpy(&h, d.data(), sizeof h);  // the digest is uniform already
  return h;
}

ConsumerKeys::Digest ConsumerKeys::digest(std::string_view key) const {
  Digest out{};
  unsigned int n = 0;
  EVP_MD_CTX* ctx = thread_context();
  if (!ctx || EVP_DigestInit_ex2(ctx, as_md(sha256_), nullptr) != 1 ||
      EVP_DigestUpdate(ctx, salt_.data(), salt_.size()) != 1 || EVP_DigestUpdate(ctx, key.data(), key.size()) != 1 ||
      EVP_DigestFinal_ex(ctx, out.data(), &n) != 1)
    throw std::runtime_error("SHA-256 failed");
  return out;
}

const config::ConsumerGroup* ConsumerKeys::find(std::string_view key) const {
  if (by_digest_.empty()) return nullptr;
  auto it = by_digest_.find(digest(key));
  if (it == by_digest_.end() || !constant_time_equal(it->second->api_key, key)) return nullptr;
  return it->second;
}

}  // namespace kt::gateway
