// `kt api migrate --database URL`: brings the ledger schema up to date and exits, so a
// deployment can migrate once before starting its API replicas (each replica also migrates at
// start; replicas starting together wait on one another instead of racing).
#include <cstdio>

#include "cli/cmd_ledger.hpp"
#include "ledger/store.hpp"

namespace kt::cli {

int api_migrate(const std::string& database_url) {
  const std::string shown = ledger::redact_database_url(database_url);
  try {
    ledger::open_store(database_url);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "kt api migrate: %s\n", e.what());
    return 2;
  }
  std::printf("OK: ledger schema is up to date (%s)\n", shown.c_str());
  return 0;
}

}  // namespace kt::cli
