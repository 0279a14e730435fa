#pragma once
// `policies:` of policy-config.yaml: each entry's name, type, action, mode and its type's config
// (content_filter: categories, threshold, patterns).
#include <vector>

#include "config/gateway_config.hpp"
#include "config/yaml_reader.hpp"

namespace kt::config {

void load_policies(const Field& f, std::vector<Policy>& out, DiagnosticSink& sink);

}  // namespace kt::config
