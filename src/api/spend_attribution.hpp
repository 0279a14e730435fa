#pragma once
// `GET /v1/spend?team=T&by=user|tag|key`: a period's spend grouped by the attribution the gateway
// put in each decision event (`user`, `tags`, `key_id`: the id of a key made through the API; a
// key of the config shows as its group's name), and what the response cache saved (`cost_saved`).
// The journal knows neither, so this reads the team's decision events for the period, a page at a
// time (constant memory; the time is linear in the period's requests: a report, not a hot path).
#include "api/api_context.hpp"
#include "core/period.hpp"
#include "ledger/store_types.hpp"

namespace kt::api {

struct AttributionReport {
  std::vector<ledger::SpendRow> rows;  // by cost, largest first; an event with n tags counts in n rows
  int64_t cache_hits = 0;
  Money cost_saved;  // what the cache hits would have cost (each first answer's cost)
};

enum class Attribution { user, tag, key };

awaitable<AttributionReport> spend_by_attribution(ApiContext& ctx, const std::string& team_id, const Period& period,
                                                  Attribution by);

}  // namespace kt::api
