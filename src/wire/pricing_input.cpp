#include "wire/pricing_input.hpp"

#include "wire/json_fields.hpp"
#include "wire/timestamp.hpp"

namespace kt::wire {
namespace {

std::optional<ApiError> reject_unknown(const JsonFields& f, std::initializer_list<std::string_view> known) {
  for (const auto& [k, v] : f.all()) {
    bool ok = false;
    for (auto n : known) ok = ok || k == n;
    if (!ok) return bad_request("unknown_field", "unknown field '" + k + "'");
  }
  return std::nullopt;
}

// A money field that may also be null (absent and null both leave `out` unset).
bool optional_money(const JsonFields& f, std::string_view key, std::optional<Money>& out, ApiError& error) {
  if (!f.has(key)) return true;
  out = f.money(key, false, error);
  return out || f.get(key)->kind == JsonField::Kind::null;
}

}  // namespace

std::optional<ledger::PricingInput> decode_pricing_input(std::string_view body, ApiError& error) {
  auto f = JsonFields::parse(body, error);
  if (!f) return std::nullopt;
  if (auto e = reject_unknown(*f, {"model", "provider", "input_cost_per_1k_tokens", "output_cost_per_1k_tokens",
                                   "cached_input_cost_per_1k_tokens", "cache_creation_cost_per_1k_tokens", "max_output_tokens",
                                   "currency", "effective_from"})) {
    error = *e;
    return std::nullopt;
  }
  ledger::PricingInput in;
  auto model = f->string("model", true, error);
  auto provider = f->string("provider", true, error);
  auto input = f->money("input_cost_per_1k_tokens", true, error);
  auto output = f->money("output_cost_per_1k_tokens", true, error);
  if (!model || !provider || !input || !output) return std::nullopt;
  in.model = *model;
  in.provider = *provider;
  in.input_per_1k = *input;
  in.output_per_1k = *output;
  if (!optional_money(*f, "cached_input_cost_per_1k_tokens", in.cached_input_per_1k, error) ||
      !optional_money(*f, "cache_creation_cost_per_1k_tokens", in.cache_creation_per_1k, error))
    return std::nullopt;
  if (f->has("max_output_tokens")) {
    auto mt = f->integer("max_output_tokens", false, error);
    // Below 2^31: the gateway multiplies it by n and a price when it reserves.
    if (!mt || *mt <= 0 || *mt > INT32_MAX) {
      error = bad_request("invalid_field", "field 'max_output_tokens' must be a positive integer below 2^31");
      return std::nullopt;
    }
    in.max_output_tokens = *mt;
  }
  if (f->has("currency")) {
    auto cur = f->string("currency", false, error);
    if (!cur && f->get("currency")->kind != JsonField::Kind::null) return std::nullopt;  // not a string
    if (cur && *cur != "USD") {
      error = bad_request("invalid_field", "only currency USD is supported");
      return std::nullopt;
    }
  }
  if (const auto* ef = f->get("effective_from"); ef && ef->kind != JsonField::Kind::null) {
    // Unix seconds (a JSON integer or a string of digits) or RFC 3339.
    if (ef->kind == JsonField::Kind::number || ef->kind == JsonField::Kind::string) in.effective_from = parse_timestamp(ef->text);
    if (!in.effective_from) {
      error = bad_timestamp("effective_from");
      return std::nullopt;
    }
  }
  return in;
}

}  // namespace kt::wire
