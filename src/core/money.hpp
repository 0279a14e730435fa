#pragma once
// Money is an exact integer count of nano-dollars (1e-9 USD). No floating point anywhere:
// decimal text is parsed digit by digit and printed digit by digit.
#include <compare>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace kt {

// A Money result that does not fit in int64 nano-dollars (about $9.2 billion): thrown by Money's
// arithmetic instead of wrapping around (which would be undefined behaviour, and a wrong bill).
class MoneyOverflow : public std::overflow_error {
 public:
  using std::overflow_error::overflow_error;
};

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
  // to_decimal's text written at `out` (room for kMaxDecimalLength bytes); returns its length.
  static constexpr size_t kMaxDecimalLength = 32;
  size_t write_decimal(char* out) const;
  // For people: "$500.00", "$0.02", "$0.0000171" (at least 2 fraction digits, never rounded).
  std::string to_display() const;

  // Checked: throw MoneyOverflow when the exact result does not fit.
  constexpr Money operator+(Money o) const { return fits(checked_add(o), "sum"); }
  constexpr Money operator-(Money o) const { return fits(checked_sub(o), "difference"); }
  constexpr Money operator*(int64_t k) const { return fits(checked_mul(k), "product"); }
  constexpr Money& operator+=(Money o) { return *this = *this + o; }
  constexpr Money& operator-=(Money o) { return *this = *this - o; }
  constexpr auto operator<=>(const Money&) const = default;

  // The same without throwing: nullopt when the exact result does not fit.
  constexpr std::optional<Money> checked_add(Money o) const {
    int64_t r = 0;
    if (__builtin_add_overflow(nanos_, o.nanos_, &r)) return std::nullopt;
    return Money(r);
  }
  constexpr std::optional<Money> checked_sub(Money o) const {
    int64_t r = 0;
    if (__builtin_sub_overflow(nanos_, o.nanos_, &r)) return std::nullopt;
    return Money(r);
  }
  constexpr std::optional<Money> checked_mul(int64_t k) const {
    int64_t r = 0;
    if (__builtin_mul_overflow(nanos_, k, &r)) return std::nullopt;
    return Money(r);
  }

 private:
  constexpr explicit Money(int64_t n) : nanos_(n) {}
  static constexpr Money fits(std::optional<Money> r, const char* what) {
    if (!r) throw MoneyOverflow(std::string("money ") + what + " out of range (more than 9.2 billion dollars)");
    return *r;
  }
  int64_t nanos_ = 0;
};

// Token counts multiplied or added (max_tokens x n, prompt + output): nullopt on overflow.
constexpr std::optional<int64_t> checked_mul(int64_t a, int64_t b) {
  int64_t r = 0;
  if (__builtin_mul_overflow(a, b, &r)) return std::nullopt;
  return r;
}
constexpr std::optional<int64_t> checked_add(int64_t a, int64_t b) {
  int64_t r = 0;
  if (__builtin_add_overflow(a, b, &r)) return std::nullopt;
  return r;
}

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

// Sum of several (tokens x price) terms, rounded up once at the end (exact to the nano). Worked
// in 128 bits, so no product overflows; a total past int64 saturates at the largest Money (more
// than any wallet holds: an estimate that large is refused, never wrapped into a small one).
Money cost_of_terms(std::initializer_list<std::pair<int64_t, PricePer1k>> terms);

// usage = part / whole as a percentage with 9 fraction digits kept as an integer
// (percent * 1e9); whole <= 0 gives 0.
int64_t percent_nanos(Money part, Money whole);
// "0.00000342", "50", "0.0" for zero: trimmed exact decimal of a percent_nanos value.
std::string format_percent(int64_t percent_nanos);

}  // namespace kt
