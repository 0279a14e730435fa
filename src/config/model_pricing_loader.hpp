#pragma once
// The optional `model_pricing:` list of policy-config.yaml: prices the gateway seeds into the API
// at start (when the API has none or a different one for a model). Money is read from the YAML
// scalar's text, never through a double.
#include "config/gateway_config.hpp"
#include "config/yaml_reader.hpp"

namespace kt::config {

// Reads the list into `out`. E004 for a malformed or negative price, a duplicate model or a bad
// max_output_tokens; E005 for a missing field; W007 for a price that looks entered per token or
// per 1M tokens instead of per 1K (the unit sanity check the API shares, core/price_sanity.hpp).
void load_model_pricing(const Field& f, std::vector<ModelPrice>& out, DiagnosticSink& sink);

}  // namespace kt::config
