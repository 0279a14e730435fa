#include "config/model_pricing_loader.hpp"

#include <array>
#include <set>

#include "config/schema_constants.hpp"
#include "ledger/price_sanity.hpp"

namespace kt::config {
namespace {

constexpr std::array<std::string_view, 6> kPriceKeys = {"model",         "provider",            "input_per_1k",
                                                        "output_per_1k", "cached_input_per_1k", "max_output_tokens"};

// An exact, non-negative decimal from the scalar's own text ("0.00015", "1.5e-4").
std::optional<Money> read_money(const Field& f, DiagnosticSink& sink) {
  if (!f.value.IsScalar()) {
    sink.error("E004", f.path, f.value.Mark(), f.path + ": expected a price in USD per 1K tokens, got " + describe(f.value));
    return std::nullopt;
  }
  auto m = Money::parse(f.value.Scalar());
  if (!m) {
    sink.error("E004", f.path, f.value.Mark(),
               f.path + ": '" + f.value.Scalar() + "' is not an exact decimal amount (at most 9 decimal places)",
               "write the price per 1K tokens as a decimal, e.g. 0.00015");
    return std::nullopt;
  }
  if (m->is_negative()) {
    sink.error("E004", f.path, f.value.Mark(), f.path + ": a price cannot be negative");
    return std::nullopt;
  }
  std::vector<std::string> warnings;
  ledger::check_price_unit(f.key.c_str(), *m, warnings);
  for (auto& w : warnings)
    sink.warning("W007", f.path, f.value.Mark(), w, "prices are in USD per 1K tokens (per 1M / 1000, per token * 1000)");
  return m;
}

}  // namespace

void load_model_pricing(const Field& f, std::vector<ModelPrice>& out, DiagnosticSink& sink) {
  if (!expect_list(f.value, f.path, sink)) return;
  std::set<std::string> models;
  for (std::size_t i = 0; i < f.value.size(); ++i) {
    YAML::Node item = f.value[i];
    std::string path = index_path(f.path, i);
    if (!expect_map(item, path, sink)) continue;
    MapView m(item, path, kPriceKeys, sink);
    ModelPrice p;
    bool complete = true;
    if (const Field* n = m.require("model")) {
      if (auto v = read_name(*n, sink)) {
        p.model = *v;
        if (!models.insert(*v).second)
          sink.error("E004", n->path, n->value.Mark(), "model '" + *v + "' is priced twice in model_pricing");
      }
    }
    if (const Field* pr = m.require("provider")) {
      if (auto v = read_choice(pr->value, pr->path, kKnownProviders, sink)) p.provider = *v;
    }
    if (const Field* in = m.require("input_per_1k")) {
      if (auto v = read_money(*in, sink)) p.input_per_1k = *v; else complete = false;
    } else {
      complete = false;
    }
    if (const Field* o = m.require("output_per_1k")) {
      if (auto v = read_money(*o, sink)) p.output_per_1k = *v; else complete = false;
    } else {
      complete = false;
    }
    if (const Field* c = m.get("cached_input_per_1k"))
      if (auto v = read_money(*c, sink)) p.cached_input_per_1k = *v;
    if (const Field* t = m.get("max_output_tokens")) {
      if (auto v = read_int(t->value, t->path, sink)) {
        // Below 2^31: it is multiplied by n and a price when a request is reserved.
        if (*v <= 0 || *v > INT32_MAX)
          sink.error("E004", t->path, t->value.Mark(), t->path + ": must be a positive number of tokens below 2^31");
        else p.max_output_tokens = *v;
      }
    }
    if (complete && !p.model.empty() && !p.provider.empty()) out.push_back(std::move(p));
  }
}

}  // namespace kt::config
