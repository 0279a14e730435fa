// Text through Money::parse, and the amounts it gives through printing and pricing. Invariants: a
// parsed amount prints (to_decimal, to_display) as text that parses back to it; any int64 amount
// but INT64_MIN (whose magnitude has no int64) round-trips the same way; cost_of_terms rounds up
// exactly once (0 <= cost x 1000 - tokens x price < 1000) unless it saturates.
#include <cstring>
#include <limits>
#include <string>

#include "core/money.hpp"
#include "fuzz_support.hpp"

namespace {

using kt::Money;
using i128 = __int128;

void check_round_trip(Money m) {
  auto back = Money::parse(m.to_decimal());
  KT_FUZZ_CHECK(back && *back == m, "to_decimal parses back to the amount");
  std::string shown = m.to_display();  // "$1.50" / "-$0.0000171"
  const bool negative = shown[0] == '-';
  shown.erase(0, negative ? 2 : 1);
  auto shown_back = Money::parse(shown);
  KT_FUZZ_CHECK(shown_back && (negative ? Money::zero() - *shown_back : *shown_back) == m, "to_display shows the amount");
}

void check_cost(int64_t tokens, Money price) {
  const Money cost = kt::PricePer1k(price).cost_of(tokens);
  const i128 exact = i128(tokens) * price.nanos();  // in thousandths of a nano
  const i128 over = i128(cost.nanos()) * 1000 - exact;
  const bool saturated = cost.nanos() == std::numeric_limits<int64_t>::max() || cost.nanos() == -std::numeric_limits<int64_t>::max();
  KT_FUZZ_CHECK(saturated || (over >= 0 && over < 1000), "a cost is the exact product rounded up once");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto m = Money::parse(text)) {
    check_round_trip(*m);
    check_cost(static_cast<int64_t>(size) * 1000003, *m);
    kt::format_percent(kt::percent_nanos(*m, Money::from_nanos(static_cast<int64_t>(size) + 1)));
  }
  if (size >= 16) {  // two raw int64s: any amount, any token count
    int64_t nanos, tokens;
    std::memcpy(&nanos, data, 8);
    std::memcpy(&tokens, data + 8, 8);
    if (nanos != std::numeric_limits<int64_t>::min()) check_round_trip(Money::from_nanos(nanos));
    check_cost(tokens, Money::from_nanos(nanos));
    const Money whole = Money::from_nanos(tokens);
    KT_FUZZ_CHECK(Money::parse(kt::format_percent(kt::percent_nanos(Money::from_nanos(nanos), whole))).has_value(),
                  "a percentage prints as a decimal");
  }
  return 0;
}
