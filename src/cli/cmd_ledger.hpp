#pragma once
// Commands that talk to the ledger database directly (not through the API): `kt api migrate`
// and `kt ledger verify`.
#include <cstdint>
#include <string>

namespace kt::cli {

// Applies the schema migrations (open_store does) and exits: 0 on success, 2 on failure.
int api_migrate(const std::string& database_url);

struct LedgerVerifyArgs {
  std::string database;
  std::string reservation_ttl = "15m";  // "900", "900s", "15m", "1h"
  std::string format = "text";          // text | json
};
// 0: no violation (warnings are printed); 1: at least one violation; 2: bad arguments or the
// database cannot be read.
int ledger_verify(const LedgerVerifyArgs& a);

// "900" / "900s" / "15m" / "1h" -> seconds; -1 when malformed.
int64_t parse_duration_seconds(const std::string& text);

}  // namespace kt::cli
