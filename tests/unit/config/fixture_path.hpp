#pragma once
#include <string>

inline std::string config_fixture(const std::string& name) {
  return std::string(KT_SOURCE_DIR) + "/tests/fixtures/config/" + name;
}
