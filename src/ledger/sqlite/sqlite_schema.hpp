#pragma once
// Versioned schema for the SQLite ledger. The version lives in PRAGMA user_version; each
// migration runs once, in order, inside one write transaction with the version bump.
#include "ledger/sqlite/sqlite_db.hpp"

namespace kt::ledger::sqlite {

// The version a fully migrated database reports.
int latest_schema_version();

// Applies every migration newer than the database's user_version. Safe to call concurrently
// from several connections: the version is read under the write lock.
void migrate_schema(Connection& c);

}  // namespace kt::ledger::sqlite
