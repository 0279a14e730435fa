#include "core/timezone.hpp"

#include <algorithm>
#include <climits>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>

namespace kt {
namespace {

constexpr const char* kZoneDir = "/usr/share/zoneinfo/";

bool valid_zone_name(const std::string& n) {
  if (n.empty() || n.size() > 64 || n.front() == '/' || n.find("..") != std::string::npos) return false;
  return std::all_of(n.begin(), n.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '/' || c == '_' ||
           c == '-' || c == '+';
  });
}

int64_t be(const unsigned char* p, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | p[i];
  if (bytes == 4) return int64_t(int32_t(uint32_t(v)));
  return int64_t(v);
}

// RFC 8536: skips the v1 block and reads the v2+ one (64-bit transition times).
std::shared_ptr<const TimeZone> read_tzif(const std::string& name, const std::string& bytes, std::string* error) {
  auto fail = [&](const char* why) -> std::shared_ptr<const TimeZone> {
    if (error) *error = "time zone '" + name + "': " + why;
    return nullptr;
  };
  const auto* d = reinterpret_cast<const unsigned char*>(bytes.data());
  const size_t n = bytes.size();
  auto counts = [&](size_t at, int64_t c[6]) {
    for (int i = 0; i < 6; ++i) c[i] = be(d + at + 20 + 4 * i, 4);
  };
  if (n < 44 || bytes.compare(0, 4, "TZif") != 0) return fail("not a TZif file");
  if (d[4] < '2') return fail("TZif version 1 files are not supported");
  int64_t c[6];  // isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt
  counts(0, c);
  size_t v1 = size_t(c[3] * 5 + c[4] * 6 + c[5] + c[2] * 8 + c[1] + c[0]);
  size_t h2 = 44 + v1;
  if (n < h2 + 44 || bytes.compare(h2, 4, "TZif") != 0) return fail("truncated TZif file");
  counts(h2, c);
  const int64_t timecnt = c[3], typecnt = c[4];
  size_t p = h2 + 44;
  if (typecnt < 1 || n < p + size_t(timecnt * 9 + typecnt * 6)) return fail("truncated TZif data");
  std::vector<int64_t> offsets_of_type(static_cast<size_t>(typecnt), 0);
  const size_t types_at = p + size_t(timecnt * 9);
  for (int64_t t = 0; t < typecnt; ++t) offsets_of_type[size_t(t)] = be(d + types_at + 6 * t, 4);
  std::vector<int64_t> transitions, offsets;
  for (int64_t i = 0; i < timecnt; ++i) {
    size_t type = d[p + size_t(timecnt * 8 + i)];
    if (type >= size_t(typecnt)) return fail("bad local time type");
    transitions.push_back(be(d + p + 8 * i, 8));
    offsets.push_back(offsets_of_type[type]);
  }
  return std::make_shared<TimeZone>(name, offsets_of_type[0], std::move(transitions), std::move(offsets));
}

}  // namespace

bool parse_fixed_offset(const std::string& t, int64_t& seconds) {
  auto digit = [&](size_t i) { return i < t.size() && t[i] >= '0' && t[i] <= '9'; };
  if (t.size() != 3 && t.size() != 6) return false;
  if ((t[0] != '+' && t[0] != '-') || !digit(1) || !digit(2)) return false;
  int64_t h = (t[1] - '0') * 10 + (t[2] - '0'), m = 0;
  if (t.size() == 6) {
    if (t[3] != ':' || !digit(4) || !digit(5)) return false;
    m = (t[4] - '0') * 10 + (t[5] - '0');
  }
  if (h > 18 || m > 59 || (h == 18 && m != 0)) return false;
  seconds = (t[0] == '-' ? -1 : 1) * (h * 3600 + m * 60);
  return true;
}

TimeZone::TimeZone(std::string name, int64_t initial_offset, std::vector<int64_t> transitions,
                   std::vector<int64_t> offsets)
    : name_(std::move(name)),
      initial_offset_(initial_offset),
      transitions_(std::move(transitions)),
      offsets_(std::move(offsets)) {}

std::shared_ptr<const TimeZone> TimeZone::load(const std::string& name, std::string* error) {
  static std::mutex mu;
  static std::map<std::string, std::shared_ptr<const TimeZone>> cache;
  {
    std::lock_guard lock(mu);
    if (auto it = cache.find(name); it != cache.end()) return it->second;
  }
  std::shared_ptr<const TimeZone> zone;
  int64_t fixed = 0;
  if (name == "UTC") {
    zone = std::make_shared<TimeZone>(name, 0, std::vector<int64_t>{}, std::vector<int64_t>{});
  } else if (parse_fixed_offset(name, fixed)) {
    zone = std::make_shared<TimeZone>(name, fixed, std::vector<int64_t>{}, std::vector<int64_t>{});
  } else if (!valid_zone_name(name)) {
    if (error) *error = "unknown time zone '" + name + "': use an IANA name like Europe/Paris or an offset like +05:30";
    return nullptr;
  } else {
    // "Europe" names a folder of zones: it opens, and the first read throws (libstdc++'s filebuf
    // turns EISDIR into std::ios_base::failure) instead of reading as an unknown zone.
    std::error_code ec;
    std::ifstream in;
    if (std::filesystem::is_regular_file(kZoneDir + name, ec)) in.open(kZoneDir + name, std::ios::binary);
    if (!in.is_open()) {
      if (error) *error = "unknown time zone '" + name + "': use an IANA name like Europe/Paris or an offset like +05:30";
      return nullptr;
    }
    std::string bytes;
    try {
      bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    } catch (const std::ios_base::failure&) {
      if (error) *error = "time zone '" + name + "' cannot be read";
      return nullptr;
    }
    zone = read_tzif(name, bytes, error);
    if (!zone) return nullptr;
  }
  std::lock_guard lock(mu);
  return cache.emplace(name, zone).first->second;
}

int64_t TimeZone::offset_at(int64_t utc) const {
  auto it = std::upper_bound(transitions_.begin(), transitions_.end(), utc);
  if (it == transitions_.begin()) return initial_offset_;
  return offsets_[size_t(it - transitions_.begin() - 1)];
}

int64_t TimeZone::local_to_utc(int64_t local) const {
  // The offsets in force a few days either side bound the answer (a shift is far shorter).
  constexpr int64_t kDay = 86400;
  const int64_t before = offset_at(local - 3 * kDay), after = offset_at(local + 3 * kDay);
  // Each offset gives a candidate; the earliest one that really shows `local` wins (a
  // wall-clock time repeated by a backward shift maps to its first occurrence).
  int64_t best = INT64_MAX;
  for (int64_t off : {before, after}) {
    int64_t u = local - off;
    if (u + offset_at(u) == local) best = std::min(best, u);
  }
  if (best != INT64_MAX) return best;
  // Skipped by a forward shift: the first instant at or past `local` is the shift itself.
  int64_t lo = local - std::max(before, after), hi = local - std::min(before, after);
  while (lo < hi) {
    int64_t mid = lo + (hi - lo) / 2;
    if (mid + offset_at(mid) >= local) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

}  // namespace kt
