#pragma once
// The ledger's schema, one template for both databases (schema.cpp), and its migration.
#include "ledger/sql/db.hpp"

namespace kt::ledger::sql {

int latest_schema_version();
// Brings the database to the latest version in one transaction; replicas starting at once take
// turns. Throws StoreError for a database newer than this build, or one too old to upgrade.
// `up_to` (tests of the upgrade path): stop at that version instead of the latest.
void migrate(Db& db, int up_to = 0);

}  // namespace kt::ledger::sql
