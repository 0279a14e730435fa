#include "core/money.hpp"

#include <algorithm>
#include <charconv>
#include <cstdlib>

namespace kt {
namespace {

using i128 = __int128;
constexpr i128 kMax = INT64_MAX;

std::string trimmed_fraction(uint64_t frac, int digits) {
  std::string s(digits, '0');
  for (int i = digits - 1; i >= 0; --i) {
    s[i] = char('0' + frac % 10);
    frac /= 10;
  }
  while (!s.empty() && s.back() == '0') s.pop_back();
  return s;
}

}  // namespace

std::optional<Money> Money::parse(std::string_view t) {
  if (t.empty()) return std::nullopt;
  size_t i = 0;
  bool neg = false;
  if (t[i] == '-' || t[i] == '+') {
    neg = t[i] == '-';
    ++i;
  }
  i128 digits = 0;   // all significant digits as one integer
  int frac_digits = 0;
  // Fraction zeros are held back until a non-zero digit follows, so "1.000000000000000000000"
  // (trailing zeros carry no value) never inflates `digits` past the overflow guard.
  int pending_zeros = 0;
  bool any_digit = false, seen_dot = false;
  for (; i < t.size(); ++i) {
    char c = t[i];
    if (c >= '0' && c <= '9') {
      any_digit = true;
      if (seen_dot && c == '0') {
        ++pending_zeros;
        continue;
      }
      for (; pending_zeros > 0; --pending_zeros) {
        if (digits > kMax * 10) return std::nullopt;
        digits *= 10;
        ++frac_digits;
      }
      if (digits > kMax * 10) return std::nullopt;  // far beyond any representable amount
      digits = digits * 10 + (c - '0');
      if (seen_dot) ++frac_digits;
    } else if (c == '.' && !seen_dot) {
      seen_dot = true;
    } else {
      break;
    }
  }
  if (!any_digit) return std::nullopt;
  int exponent = 0;
  if (i < t.size()) {
    if (t[i] != 'e' && t[i] != 'E') return std::nullopt;
    ++i;
    bool eneg = false;
    if (i < t.size() && (t[i] == '-' || t[i] == '+')) eneg = t[i++] == '-';
    if (i >= t.size()) return std::nullopt;
    for (; i < t.size(); ++i) {
      if (t[i] < '0' || t[i] > '9') return std::nullopt;
      // Saturate: any exponent this large either overflows or needs sub-nano digits, except for 0.
      if (exponent < 100000) exponent = exponent * 10 + (t[i] - '0');
    }
    if (eneg) exponent = -exponent;
  }
  if (digits == 0) return Money(0);  // "0e999", "-0.000"
  // value = digits * 10^(exponent - frac_digits); nanos = digits * 10^(exponent - frac_digits + 9)
  int shift = exponent - frac_digits + kFractionDigits;
  while (shift < 0) {
    if (digits % 10 != 0) return std::nullopt;  // finer than a nano-dollar: not exact
    digits /= 10;
    ++shift;
  }
  while (shift > 0) {
    if (digits > kMax) return std::nullopt;
    digits *= 10;
    --shift;
  }
  if (digits > kMax) return std::nullopt;
  int64_t n = static_cast<int64_t>(digits);
  return Money(neg ? -n : n);
}

size_t Money::write_decimal(char* out) const {
  i128 v = nanos_;
  bool neg = v < 0;
  if (neg) v = -v;
  uint64_t whole = static_cast<uint64_t>(v / kNanosPerUnit);
  uint64_t frac = static_cast<uint64_t>(v % kNanosPerUnit);
  char* at = out;
  if (neg) *at++ = '-';
  at = std::to_chars(at, out + kMaxDecimalLength, whole).ptr;
  if (frac != 0) {
    *at++ = '.';
    for (int i = kFractionDigits - 1; i >= 0; --i) {
      at[i] = char('0' + frac % 10);
      frac /= 10;
    }
    int digits = kFractionDigits;
    while (at[digits - 1] == '0') --digits;  // frac != 0: some digit is not
    at += digits;
  }
  return static_cast<size_t>(at - out);
}

std::string Money::to_decimal() const {
  char buf[kMaxDecimalLength];
  return std::string(buf, write_decimal(buf));
}

std::string Money::to_display() const {
  i128 v = nanos_;
  bool neg = v < 0;
  if (neg) v = -v;
  uint64_t whole = static_cast<uint64_t>(v / kNanosPerUnit);
  uint64_t frac = static_cast<uint64_t>(v % kNanosPerUnit);
  std::string f = trimmed_fraction(frac, kFractionDigits);
  while (f.size() < 2) f += '0';
  return std::string(neg ? "-$" : "$") + std::to_string(whole) + "." + f;
}

Money PricePer1k::cost_of(int64_t tokens) const { return cost_of_terms({{tokens, *this}}); }

Money cost_of_terms(std::initializer_list<std::pair<int64_t, PricePer1k>> terms) {
  i128 milli_nanos = 0;
  constexpr i128 kMaxMilli = kMax * 1000 + 999;  // past this the total is out of range either way
  for (auto& [tokens, price] : terms) {
    // Each product fits in 127 bits (|2^63 * 2^63| = 2^126); the running total is kept within
    // +-(kMaxMilli + 2^126) by saturating as it goes, so it cannot overflow either.
    milli_nanos += i128(tokens) * price.per_1k().nanos();
    milli_nanos = std::max(-kMaxMilli - 1, std::min(milli_nanos, kMaxMilli + 1));
  }
  i128 nanos = milli_nanos / 1000;
  if (milli_nanos % 1000 > 0) ++nanos;  // round the sub-nano remainder up
  if (nanos > kMax) nanos = kMax;
  if (nanos < -kMax) nanos = -kMax;
  return Money::from_nanos(static_cast<int64_t>(nanos));
}

int64_t percent_nanos(Money part, Money whole) {
  if (whole.nanos() <= 0) return 0;
  i128 p = i128(part.nanos()) * 100 * Money::kNanosPerUnit / whole.nanos();
  if (p > kMax) p = kMax;
  if (p < -kMax) p = -kMax;
  return static_cast<int64_t>(p);
}

std::string format_percent(int64_t pn) {
  if (pn == 0) return "0.0";
  return Money::from_nanos(pn).to_decimal();
}

}  // namespace kt
