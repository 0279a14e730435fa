#pragma once
#include <cstdint>
#include <string>

namespace kt {
// "host:port" / "[::1]:port" → parts; false when malformed.
bool split_host_port(const std::string& s, std::string& host, uint16_t& port);
}  // namespace kt
