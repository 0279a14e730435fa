#pragma once
// Scoped API tokens as every API request sees them: an in-process view of the store's tokens,
// looked up from the request head without a store call. The view is reloaded from the store
// every second (and at once when this process creates or revokes a token); a view older than
// kMaxAge is not trusted, so a token revoked through any replica stops working on every replica
// within kMaxAge of the revocation — scoped tokens get 503 meanwhile, fail closed.
//
// Tokens are "kt_tok_" + 64 hex digits (256 random bits). Only their SHA-256 is kept (store and
// view); the view is keyed by the hash's first 8 bytes, and the whole hash is then compared in
// constant time.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/secret_index.hpp"
#include "ledger/store.hpp"

namespace kt::api {

// What a token may do. The bootstrap token (KEEPTRUSTS_API_TOKEN) is admin.
enum class Scope : uint8_t { admin = 1, gateway = 2, viewer = 4 };
// The scopes allowed on a route, besides admin (which may do everything).
using ScopeSet = uint8_t;
constexpr ScopeSet kAdminOnly = 0;
constexpr ScopeSet kGateway = uint8_t(Scope::gateway), kViewer = uint8_t(Scope::viewer);
inline bool allows(ScopeSet route, Scope s) { return s == Scope::admin || (route & uint8_t(s)) != 0; }

std::optional<Scope> scope_named(std::string_view name);
const char* scope_name(Scope s);
// "admin", "admin or gateway", "admin, gateway or viewer": who may call a route.
std::string scopes_text(ScopeSet route);

constexpr std::string_view kTokenPrefix = "kt_tok_";
using TokenHash = SecretHash;

// A new token: the secret (shown once) and the row the store keeps (no secret in it).
struct MintedToken {
  std::string secret;
  ledger::ApiToken row;
};
// Throws std::runtime_error when the system's random source fails.
MintedToken mint_token(const std::string& name, Scope scope);

class TokenCache {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr auto kRefreshEvery = std::chrono::seconds(1);
  static constexpr auto kMaxAge = std::chrono::seconds(4);

  struct Lookup {
    enum class Status { unknown, stale, found } status = Status::unknown;
    Scope scope = Scope::viewer;
  };
  // Any thread: the scope of a presented kt_tok_ token. `unknown` for anything else, a revoked
  // token included; `stale` when the view is too old to tell. Records the token's last use.
  Lookup find(std::string_view presented, Clock::time_point now = Clock::now()) const;

  // Store thread (or before the store executor starts): reloads the view from `store` and
  // writes the last uses seen since the previous reload. Throws what the store throws.
  void refresh(ledger::Store& store);

 private:
  struct View {
    Clock::time_point as_of;  // when its read began: it knows every change committed before
    SecretIndex<Scope> index;
  };
  std::atomic<std::shared_ptr<const View>> view_;
};

}  // namespace kt::api
