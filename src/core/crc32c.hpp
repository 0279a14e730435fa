#pragma once
// CRC-32C (Castagnoli), the checksum of every frame of the gateway's spool log: the SSE4.2
// instruction where the CPU has it, a table otherwise (same result).
#include <cstdint>
#include <string_view>

namespace kt {

uint32_t crc32c(std::string_view data, uint32_t crc = 0);

}  // namespace kt
