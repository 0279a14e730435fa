#pragma once
// The ledger's schema, one template for both databases (schema.cpp), and its migration.
#include "ledger/sql/db.hpp"

namespace kt::ledger::sql {

int latest_schema_version();
// Brings the database to the latest version in one transaction; replicas starting at once take
// turns. Throws StoreError for a database newer than this build, or one too old to upgrade.
void migrate(Db& db);

}  // namespace kt::ledger::sql
