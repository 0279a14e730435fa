#include "core/prom_text.hpp"

namespace kt {
namespace {

// Label values escape backslash, double quote and newline; HELP text backslash and newline.
void append_escaped(std::string& out, std::string_view s, bool quotes) {
  for (char c : s) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else if (c == '"' && quotes) out += "\\\"";
    else out += c;
  }
}

}  // namespace

std::string decimal_from_micros(int64_t micros) {
  bool negative = micros < 0;
  uint64_t v = negative ? 0 - uint64_t(micros) : uint64_t(micros);
  std::string out = negative ? "-" : "";
  out += std::to_string(v / 1'000'000);
  uint64_t frac = v % 1'000'000;
  if (frac == 0) return out;
  std::string digits = std::to_string(frac);
  digits.insert(0, 6 - digits.size(), '0');
  while (digits.back() == '0') digits.pop_back();
  return out + "." + digits;
}

PromText& PromText::family(std::string_view name, std::string_view type, std::string_view help) {
  out_ += "# HELP ";
  out_ += name;
  out_ += ' ';
  append_escaped(out_, help, false);
  out_ += "\n# TYPE ";
  out_ += name;
  out_ += ' ';
  out_ += type;
  out_ += '\n';
  return *this;
}

void PromText::series(std::string_view name, Labels labels, std::string_view extra_name, std::string_view extra_value) {
  out_ += name;
  if (labels.size() == 0 && extra_name.empty()) return;
  out_ += '{';
  bool first = true;
  auto label = [&](std::string_view k, std::string_view v) {
    if (!first) out_ += ',';
    first = false;
    out_ += k;
    out_ += "=\"";
    append_escaped(out_, v, true);
    out_ += '"';
  };
  for (const auto& [k, v] : labels) label(k, v);
  if (!extra_name.empty()) label(extra_name, extra_value);
  out_ += '}';
}

PromText& PromText::sample(std::string_view name, Labels labels, std::string_view value) {
  series(name, labels);
  out_ += ' ';
  out_ += value;
  out_ += '\n';
  return *this;
}

PromText& PromText::sample(std::string_view name, Labels labels, uint64_t value) {
  return sample(name, labels, std::string_view(std::to_string(value)));
}

PromText& PromText::sample(std::string_view name, Labels labels, Money value) {
  return sample(name, labels, std::string_view(value.to_decimal()));
}

PromText& PromText::histogram(std::string_view name, Labels labels, std::span<const int64_t> bounds_us,
                              std::span<const uint64_t> counts, uint64_t sum_us) {
  const std::string base(name);
  const std::string bucket = base + "_bucket";
  uint64_t cumulative = 0;
  for (size_t i = 0; i < counts.size(); ++i) {
    cumulative += counts[i];
    std::string le = i < bounds_us.size() ? decimal_from_micros(bounds_us[i]) : "+Inf";
    series(bucket, labels, "le", le);
    out_ += ' ' + std::to_string(cumulative) + '\n';
  }
  series(base + "_sum", labels);
  out_ += ' ' + decimal_from_micros(int64_t(sum_us)) + '\n';
  series(base + "_count", labels);
  out_ += ' ' + std::to_string(cumulative) + '\n';
  return *this;
}

PromText& PromText::raw(std::string_view text) {
  out_ += text;
  return *this;
}

}  // namespace kt
