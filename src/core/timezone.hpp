#pragma once
// Time zones for budget periods: "UTC", fixed offsets ("+05:30", "-08:00") and IANA names
// ("Europe/Paris") read from the TZif files under /usr/share/zoneinfo (libstdc++ 12 has no
// chrono tzdb). Only the v2+ 64-bit transition table is read: Debian ships "fat" files whose
// tables run to 2037; past the last transition its offset holds.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace kt {

class TimeZone {
 public:
  // Loads (and caches: a zone file never changes while we run) a zone by name; nullptr with
  // `error` set when the name is malformed or no such zone is installed.
  static std::shared_ptr<const TimeZone> load(const std::string& name, std::string* error = nullptr);

  const std::string& name() const { return name_; }
  // Seconds east of UTC in force at the instant `utc` (unix seconds).
  int64_t offset_at(int64_t utc) const;
  // The first instant whose local wall-clock time is >= `local` (local seconds since
  // 1970-01-01T00:00 local). A time repeated by a backward shift maps to its first
  // occurrence; a time skipped by a forward shift maps to the shift itself.
  int64_t local_to_utc(int64_t local) const;
  int64_t utc_to_local(int64_t utc) const { return utc + offset_at(utc); }

  // Builds a zone from a transition table (tests and the TZif reader).
  TimeZone(std::string name, int64_t initial_offset, std::vector<int64_t> transitions,
           std::vector<int64_t> offsets);

 private:
  std::string name_;
  int64_t initial_offset_ = 0;        // before the first transition
  std::vector<int64_t> transitions_;  // unix seconds, ascending
  std::vector<int64_t> offsets_;      // offset in force from transitions_[i]
};

// "+05:30" / "-08:00" / "+05" → seconds east; false when not a fixed offset (max ±18:00).
bool parse_fixed_offset(const std::string& text, int64_t& seconds);

}  // namespace kt
