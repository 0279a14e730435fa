// Bytes as a spool segment file (spool/frame.hpp, spool/segment_log.hpp): read frame by frame as
// recovery reads them, and as a dead gateway's log adopted from disk. The input's lines are also
// framed with their right checksum (a leading "xxxxxxxx " is replaced), its last line, if it has no
// newline, kept as a torn tail: else almost no mutation would get past the CRC.
//
// Invariants: a frame read is one line whose JSON starts {"s":<seq> and ends }, and writing that
// seq and JSON again gives the same bytes; every cut of a good frame is "incomplete", never a
// frame; a bit flipped anywhere in it makes it invalid (checked with the CRC); adoption hands over
// exactly the leading run of good frames numbered 1, 2, ..., cuts the file after them (the torn
// tail), and a frame appended then reads back after them.
#include <fcntl.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "core/crc32c.hpp"
#include "fuzz_support.hpp"
#include "spool/frame.hpp"
#include "spool/segment_log.hpp"

namespace {

using namespace kt;
using spool::FrameStatus;
using spool::FrameView;
namespace fs = std::filesystem;

bool is_crc_prefix(std::string_view line) {
  if (line.size() < 9 || line[8] != ' ') return false;
  for (size_t i = 0; i < 8; ++i)
    if (!std::isxdigit(static_cast<unsigned char>(line[i]))) return false;
  return true;
}

// The input's lines framed with their right checksum; the last line, without its newline, as is.
std::string with_checksums(std::string_view input) {
  std::string out;
  while (!input.empty()) {
    size_t nl = input.find('\n');
    if (nl == std::string_view::npos) {
      out.append(input);
      break;
    }
    std::string_view line = input.substr(0, nl);
    if (is_crc_prefix(line)) line.remove_prefix(9);
    char crc[10];
    std::snprintf(crc, sizeof crc, "%08x ", crc32c(line));
    out.append(crc).append(line) += '\n';
    input.remove_prefix(nl + 1);
  }
  return out;
}

// One good frame at the start of `data`, `length` bytes long.
void check_frame(std::string_view data, const FrameView& f, size_t length) {
  KT_FUZZ_CHECK(length >= 10 && length <= data.size() && data[length - 1] == '\n', "a frame is one whole line");
  KT_FUZZ_CHECK(data.substr(0, length - 1).find('\n') == std::string_view::npos, "a frame is one line");
  KT_FUZZ_CHECK(f.json.data() == data.data() + 9 && f.json.size() == length - 10, "the JSON is the line after the checksum");
  KT_FUZZ_CHECK(f.json.starts_with("{\"s\":") && f.json.ends_with("}"), "the JSON is an object led by its seq");
  std::string again;
  spool::append_frame(again, f.seq, f.json.substr(f.json.find_first_of(",}", 5)));
  KT_FUZZ_CHECK(again == data.substr(0, length), "a frame written again is the same bytes");

  FrameView g;
  size_t len = 0;
  for (size_t cut : {size_t(0), size_t(1), size_t(9), length / 2, length - 1})
    KT_FUZZ_CHECK(spool::parse_frame(data.substr(0, cut), g, len, true) == FrameStatus::incomplete,
                  "a torn frame is incomplete");
  std::string flipped(data.substr(0, length));
  flipped[(f.seq * 31 + length) % (length - 1)] ^= char(1 << (f.seq % 8));
  KT_FUZZ_CHECK(spool::parse_frame(flipped, g, len, true) != FrameStatus::ok, "a flipped bit is caught");
}

// Reads frames as recovery does. Returns how many lead the data numbered 1, 2, ... and where they end.
std::pair<uint64_t, size_t> scan(std::string_view data) {
  uint64_t numbered = 0;
  size_t numbered_end = 0, pos = 0;
  bool in_order = true;
  while (pos < data.size()) {
    FrameView f, unchecked;
    size_t len = 0, unchecked_len = 0;
    FrameStatus st = spool::parse_frame(data.substr(pos), f, len, true);
    if (st != FrameStatus::ok) break;
    KT_FUZZ_CHECK(spool::parse_frame(data.substr(pos), unchecked, unchecked_len, false) == FrameStatus::ok &&
                      unchecked.seq == f.seq && unchecked_len == len,
                  "a frame is one with or without its checksum checked");
    check_frame(data.substr(pos), f, len);
    in_order = in_order && f.seq == numbered + 1;
    if (in_order) ++numbered, numbered_end = pos + len;
    pos += len;
  }
  return {numbered, numbered_end};
}

std::string read_file(const std::string& path) {
  std::string out;
  if (FILE* f = std::fopen(path.c_str(), "rb")) {
    char buf[8192];
    for (size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) out.append(buf, n);
    std::fclose(f);
  }
  return out;
}

// The data as the only segment of a dead process's log, adopted.
void check_adoption(const std::string& segment, uint64_t good, size_t good_bytes) {
  char dir[] = "/tmp/kt-fuzz-segment.XXXXXX";
  KT_FUZZ_CHECK(::mkdtemp(dir) != nullptr, "cannot create a folder");
  const std::string first = std::string(dir) + "/00000000000000000001.log";
  if (FILE* f = std::fopen(first.c_str(), "wb")) {
    std::fwrite(segment.data(), 1, segment.size(), f);
    std::fclose(f);
  }
  spool::LogOptions options;
  options.fsync = spool::FsyncPolicy::off;
  std::vector<uint64_t> handed;
  auto log = spool::SegmentLog::adopt(dir, options, [&](const FrameView& f) { handed.push_back(f.seq); });
  KT_FUZZ_CHECK(log != nullptr, "a log nobody holds is adopted");
  KT_FUZZ_CHECK(handed.size() == good, "adoption hands over the leading good frames");
  for (size_t i = 0; i < handed.size(); ++i) KT_FUZZ_CHECK(handed[i] == i + 1, "adopted frames in order");
  KT_FUZZ_CHECK(read_file(first) == segment.substr(0, good_bytes), "the torn tail is cut, the good frames kept");

  uint64_t seq = log->append(R"(,"k":"close"})");
  KT_FUZZ_CHECK(seq == good + 1, "numbering goes on after the last good frame");
  KT_FUZZ_CHECK(log->flush(), "the appended frame is written");
  auto cursor = log->start();
  std::string all, chunk;
  while (log->read(cursor, 1 << 20, chunk)) all += chunk, chunk.clear();
  KT_FUZZ_CHECK(scan(all) == std::make_pair(good + 1, all.size()), "the log reads back whole, the new frame last");
  log.reset();
  std::error_code ec;
  fs::remove_all(dir, ec);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  scan(input);
  const std::string segment = with_checksums(input);
  auto [good, good_bytes] = scan(segment);
  check_adoption(segment, good, good_bytes);
  return 0;
}
