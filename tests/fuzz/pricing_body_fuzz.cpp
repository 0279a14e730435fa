// A POST /v1/model-pricing body through the API's decoder (JsonFields, exact money, timestamps).
// Invariants: a refusal is a 400 with a JSON envelope; an accepted price has a model, a provider,
// no negative amount and a positive output cap, and comes back unchanged through the price list
// the gateways read (write_pricing -> decode_pricing_list).
#include <string>

#include "wire/ledger_wire.hpp"
#include "wire/pricing_input.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string body(reinterpret_cast<const char*>(data), size);
  kt::ApiError error;
  auto in = kt::wire::decode_pricing_input(body, error);
  if (!in) {
    KT_FUZZ_CHECK(error.status == 400 && kt::fuzz::is_json(kt::error_envelope(error)), "a refusal is a 400 envelope");
    return 0;
  }
  KT_FUZZ_CHECK(kt::fuzz::is_json(body), "an accepted body is JSON");
  KT_FUZZ_CHECK(!in->model.empty() && !in->provider.empty(), "an accepted price names a model and a provider");
  KT_FUZZ_CHECK(!in->input_per_1k.is_negative() && !in->output_per_1k.is_negative() &&
                    !(in->cached_input_per_1k && in->cached_input_per_1k->is_negative()) &&
                    !(in->cache_creation_per_1k && in->cache_creation_per_1k->is_negative()),
                "no accepted price is negative");
  KT_FUZZ_CHECK(!in->max_output_tokens || *in->max_output_tokens > 0, "an accepted output cap is positive");

  kt::ledger::PricingRow row;
  static_cast<kt::ledger::PricingInput&>(row) = *in;
  row.version = 1;
  row.updated_at = in->effective_from.value_or(1767225600);
  kt::JsonWriter w;
  w.begin_array();
  kt::wire::write_pricing(w, row);
  w.end_array();
  auto rows = kt::wire::decode_pricing_list(w.str());
  KT_FUZZ_CHECK(rows && rows->size() == 1, "the price list decodes");
  const auto& back = rows->front();
  KT_FUZZ_CHECK(back.model == row.model && back.provider == row.provider && back.input_per_1k == row.input_per_1k &&
                    back.output_per_1k == row.output_per_1k && back.cached_input_per_1k == row.cached_input_per_1k &&
                    back.cache_creation_per_1k == row.cache_creation_per_1k &&
                    back.max_output_tokens == row.max_output_tokens && back.effective_from == row.updated_at,
                "a price comes back unchanged through the price list");
  return 0;
}
