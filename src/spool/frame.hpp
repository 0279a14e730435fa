#pragma once
// One record of a spool log, as it lies on disk and as it travels to the API:
//
//   <crc32c of the JSON, 8 lowercase hex> <space> {"s":<seq>,...}\n
//
// The JSON object's first member is always the sequence number, so a reader finds it without a
// JSON parser; the checksum tells a torn or rotten frame from a good one.
#include <cstdint>
#include <string>
#include <string_view>

namespace kt::spool {

// Appends a frame for `seq` to `out`. `rest` is the object after its first member: it begins with
// ',' (more members) or is "}" alone.
void append_frame(std::string& out, uint64_t seq, std::string_view rest);

struct FrameView {
  uint64_t seq = 0;
  std::string_view json;  // {"s":...}
};

enum class FrameStatus { ok, incomplete, invalid };
// Reads the frame at the start of `data`. ok: `frame` and `length` (with its newline) are set.
// incomplete: `data` ends inside the frame. invalid: not a frame, or its checksum does not match
// (checked only when `check_crc`).
FrameStatus parse_frame(std::string_view data, FrameView& frame, size_t& length, bool check_crc);

}  // namespace kt::spool
