#pragma once
// Writes the Prometheus text exposition format (version 0.0.4) for values computed at scrape
// time. Money is written as its exact decimal (never through a double) and durations kept as
// integer microseconds are written as exact decimal seconds, so a total read from /metrics
// matches the ledger digit for digit.
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "core/money.hpp"

namespace kt {

inline constexpr std::string_view kPromContentType = "text/plain; version=0.0.4; charset=utf-8";

class PromText {
 public:
  using Label = std::pair<std::string_view, std::string_view>;
  using Labels = std::initializer_list<Label>;

  // "# HELP" and "# TYPE" lines; type is counter, gauge or histogram.
  PromText& family(std::string_view name, std::string_view type, std::string_view help);
  PromText& sample(std::string_view name, Labels labels, std::string_view value);
  PromText& sample(std::string_view name, Labels labels, uint64_t value);
  PromText& sample(std::string_view name, Labels labels, Money value);
  // `bounds_us`: upper bounds in microseconds, ascending; `counts`: observations per bucket (not
  // cumulative), one more than the bounds (the last is +Inf); `sum_us`: their sum.
  PromText& histogram(std::string_view name, Labels labels, std::span<const int64_t> bounds_us,
                      std::span<const uint64_t> counts, uint64_t sum_us);

  // Appends text already in the format (e.g. a client library's serializer).
  PromText& raw(std::string_view text);
  std::string take() { return std::move(out_); }

 private:
  void series(std::string_view name, Labels labels, std::string_view extra_name = {},
              std::string_view extra_value = {});
  std::string out_;
};

// 1500 -> "0.0015": an integer count of micro-units as an exact decimal.
std::string decimal_from_micros(int64_t micros);

}  // namespace kt
