#include "spool/frame.hpp"

#include <charconv>

#include "core/crc32c.hpp"

namespace kt::spool {
namespace {

constexpr size_t kCrcDigits = 8;
constexpr std::string_view kSeqPrefix = "{\"s\":";
// A frame longer than this is not one of ours (events are ~1.5 KB; a request's can grow with
// its attempts and warnings, never to megabytes).
constexpr size_t kMaxFrame = 4u << 20;

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

void append_frame(std::string& out, uint64_t seq, std::string_view rest) {
  size_t crc_at = out.size();
  out.append(kCrcDigits + 1, ' ');
  size_t json_at = out.size();
  out += kSeqPrefix;
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, seq);
  out.append(digits, end);
  out += rest;
  uint32_t crc = crc32c(std::string_view(out).substr(json_at));
  static constexpr char hex[] = "0123456789abcdef";
  for (int i = int(kCrcDigits) - 1; i >= 0; --i, crc >>= 4) out[crc_at + size_t(i)] = hex[crc & 15];
  out += '\n';
}

FrameStatus parse_frame(std::string_view data, FrameView& frame, size_t& length, bool check_crc) {
  size_t nl = data.find('\n');
  if (nl == std::string_view::npos) return data.size() > kMaxFrame ? FrameStatus::invalid : FrameStatus::incomplete;
  if (nl < kCrcDigits + 1 + kSeqPrefix.size() + 2 || data[kCrcDigits] != ' ') return FrameStatus::invalid;
  std::string_view json = data.substr(kCrcDigits + 1, nl - kCrcDigits - 1);
  if (json.substr(0, kSeqPrefix.size()) != kSeqPrefix || json.back() != '}') return FrameStatus::invalid;
  uint64_t seq = 0;
  const char* digits = json.data() + kSeqPrefix.size();
  auto [end, ec] = std::from_chars(digits, json.data() + json.size(), seq);
  if (ec != std::errc() || end == digits || (*end != ',' && *end != '}')) return FrameStatus::invalid;
  // A leading zero is not JSON, nor what append_frame writes (found by the spool_frame fuzzer).
  if (*digits == '0' && end - digits > 1) return FrameStatus::invalid;
  if (check_crc) {
    uint32_t want = 0;
    for (size_t i = 0; i < kCrcDigits; ++i) {
      int v = hex_value(data[i]);
      if (v < 0) return FrameStatus::invalid;
      want = (want << 4) | uint32_t(v);
    }
    if (crc32c(json) != want) return FrameStatus::invalid;
  }
  frame.seq = seq;
  frame.json = json;
  length = nl + 1;
  return FrameStatus::ok;
}

}  // namespace kt::spool
