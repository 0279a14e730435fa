// JSON text through every decoder of the gateway <-> API ledger wire format (ledger_wire.hpp):
// ops (batch and single-op bodies), results, the price list. Invariant: whatever decodes encodes
// to JSON that decodes to the same thing (encode(decode(encode(x))) == encode(x)).
#include <string>
#include <vector>

#include "wire/ledger_wire.hpp"
#include "fuzz_support.hpp"

namespace {

using namespace kt;

std::string encode_rows(const std::vector<ledger::PricingRow>& rows) {
  JsonWriter w;
  w.begin_array();
  for (const auto& r : rows) wire::write_pricing(w, r);
  w.end_array();
  return w.take();
}

void check_ops(const std::vector<ledger::LedgerOp>& ops) {
  const std::string once = wire::encode_ops(ops);
  KT_FUZZ_CHECK(fuzz::is_json(once), "encoded ops are JSON");
  ApiError error;
  auto again = wire::decode_ops(once, error);
  KT_FUZZ_CHECK(again.has_value(), "encoded ops decode");
  KT_FUZZ_CHECK(wire::encode_ops(*again) == once, "ops survive a round trip");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  ApiError error;
  if (auto ops = wire::decode_ops(body, error)) check_ops(*ops);
  for (const char* kind : {"reserve", "settle", "release"})
    if (auto op = wire::decode_single_op(body, kind, error)) check_ops({*op});

  if (auto results = wire::decode_results(body)) {
    const std::string once = wire::encode_results(*results);
    KT_FUZZ_CHECK(fuzz::is_json(once), "encoded results are JSON");
    auto again = wire::decode_results(once);
    KT_FUZZ_CHECK(again && wire::encode_results(*again) == once, "results survive a round trip");
  }

  if (auto rows = wire::decode_pricing_list(body)) {
    const std::string once = encode_rows(*rows);
    KT_FUZZ_CHECK(fuzz::is_json(once), "an encoded price list is JSON");
    auto again = wire::decode_pricing_list(once);
    KT_FUZZ_CHECK(again && encode_rows(*again) == once, "a price list survives a round trip");
  }
  return 0;
}
