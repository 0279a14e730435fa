#pragma once
// Versioned schema migrations for the PostgreSQL ledger, applied at open.
#include "ledger/postgres/pg_connection.hpp"

namespace kt::ledger::postgres {

int latest_schema_version();
// Brings the schema (the first schema of the search_path) to the latest version and returns
// it. Replicas starting together serialise on a transaction-scoped advisory lock, so each
// step runs exactly once; a database newer than this build is refused.
int migrate_schema(Connection& c);

}  // namespace kt::ledger::postgres
