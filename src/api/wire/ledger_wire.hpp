#pragma once
// The JSON wire format between gateways and the API for ledger operations, balances and pricing.
// Both sides use these functions, so the format lives in one place.
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/json_writer.hpp"
#include "ledger/store_types.hpp"

namespace kt::wire {

// Balance → {team_id, currency, budget, spent, reserved, remaining, usage_percent, status,
//            period, period_start, period_end}
// With `logs` (the open gateway logs), also "unapplied": what gateways have answered for the team
// but the ledger has not applied yet, as they last reported it:
//   {"amount","records","logs":[{"log_id","amount","records","reported_at"}]}
void write_balance(JsonWriter& w, const ledger::Balance& b, const std::vector<ledger::GatewayLogState>* logs = nullptr);
// PricingRow → {model, provider, *_cost_per_1k_tokens, max_output_tokens, currency, version,
//               updated_at, effective_from, effective_from_unix[, scheduled]}
void write_pricing(JsonWriter& w, const ledger::PricingRow& p, std::optional<bool> scheduled = std::nullopt);
// The same fields without the braces, for answers that add their own.
void write_pricing_fields(JsonWriter& w, const ledger::PricingRow& p);

// Gateway → API: {"ops":[{"op":"reserve",...},{"op":"settle",...},{"op":"release",...}]}
std::string encode_ops(const std::vector<ledger::LedgerOp>& ops);
std::optional<std::vector<ledger::LedgerOp>> decode_ops(std::string_view body, ApiError& error);
// One op object without the wrapper (the single-op routes); `kind` is reserve|settle|release.
std::optional<ledger::LedgerOp> decode_single_op(std::string_view body, const std::string& kind, ApiError& error);

// API → gateway: {"results":[{"replay","status","balance",fired_thresholds}]}
void write_op_result(JsonWriter& w, const ledger::OpResult& r);
std::string encode_results(const std::vector<ledger::OpResult>& results);
std::optional<std::vector<ledger::OpResult>> decode_results(std::string_view body);

// GET /v1/model-pricing body → rows (gateway side), with effective_from when the API sent it.
std::optional<std::vector<ledger::PricingRow>> decode_pricing_list(std::string_view body);

const char* reserve_status_name(ledger::ReserveStatus s);

}  // namespace kt::wire
