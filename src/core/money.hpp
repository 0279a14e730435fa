#pragma once
// Money is an exact integer count of nano-dollars (1e-9 USD). No floating point anywhere:
// decimal text is parsed digit by digit and printed digit by digit.
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kt {

class Money {
 public:
  static constexpr int64_t kNanosPerUnit = 1'000'000'000;
  static constexpr int kFractionDigits = 9;

  constexpr Money() = default;
  static constexpr Money from_nanos(int64_t nanos) { return Money(nanos); }
  static constexpr Money zero() { return Money(0); }

  // Parses a JSON-style decimal: "500", "500.00", "0.00015", "-1.5", "1.5e-4", "2E3".
  // Rejects empty text, NaN/Infinity, non-digits, more than 9 fraction digits after exponent
  // scaling (non-zero ones), and anything that overflows int64 nanos.
  static std::optional<Money> parse(std::string_view text);

  constexpr int64_t nanos() const { return nanos_; }
  constexpr bool is_negative() const { return nanos_ < 0; }
  constexpr bool is_zero() const { return nanos_ == 0; }

  // Exact decimal with trailing zeros trimmed: "500", "0.01", "0.0000171", "-2.5".
  std::string to_decimal() const;
  // For people: "$500.00", "$0.02", "$0.0000171" (at least 2 fraction digits, never rounded).
  std::string to_display() const;

  constexpr Money operator+(Money o) const { return Money(nanos_ + o.nanos_); }
  constexpr Money operator-(Money o) const { return Money(nanos_ - o.nanos_); }
  constexpr Money& operator+=(Money o) { nanos_ += o.nanos_; return *this; }
  constexpr Money& operator-=(Money o) { nanos_ -= o.nanos_; return *this; }
  constexpr auto operator<=>(const Money&) const = default;

 private:
  constexpr explicit Money(int64_t n) : nanos_(n) {}
  int64_t nanos_ = 0;
};

// Price of 1,000 tokens. cost_of(n) = ceil(n * price / 1000) nanos: the sub-nano remainder
// is rounded up so an estimate is never below what is charged.
class PricePer1k {
 public:
  constexpr PricePer1k() = default;
  constexpr explicit PricePer1k(Money m) : per_1k_(m) {}
  constexpr Money per_1k() const { return per_1k_; }
  Money cost_of(int64_t tokens) const;
  constexpr auto operator<=>(const PricePer1k&) const = default;

 private:
  Money per_1k_;
};

// Sum of several (tokens x price) terms, rounded up once at the end (exact to the nano).
Money cost_of_terms(std::initializer_list<std::pair<int64_t, PricePer1k>> terms);

// usage = part / whole as a percentage with 9 fraction digits kept as an integer
// (percent * 1e9); whole <= 0 gives 0.
int64_t percent_nanos(Money part, Money whole);
// "0.00000342", "50", "0.0" for zero: trimmed exact decimal of a percent_nanos value.
std::string format_percent(int64_t percent_nanos);

}  // namespace kt
