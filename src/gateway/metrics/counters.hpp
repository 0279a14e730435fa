#pragma once
// The building blocks of a worker's metrics: plain integers owned by one worker thread, updated
// without a lock or an allocation, copied out on that thread when /metrics is scraped.
#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace kt::gateway::metrics {

// Durations are measured on the monotonic clock (never the wall clock, which may step or, in
// tests, be faked), in microseconds.
inline int64_t mono_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Counters by series: a key packing the series' label indexes -> a Value. Open addressing over
// arrays sized once, so an update is a multiply, a probe or two and an add. Once the table is
// three quarters full, series not yet in it all go to one overflow value, reported with every
// label "other": a bounded table even if the label sets were larger than expected.
template <class Value>
class SeriesTable {
 public:
  static constexpr uint64_t kOverflowKey = ~uint64_t(0);

  explicit SeriesTable(size_t capacity_pow2) : keys_(capacity_pow2, 0), values_(capacity_pow2) {
    shift_ = 64;
    for (size_t c = capacity_pow2; c > 1; c >>= 1) --shift_;
  }
  // `key` must not be 0 (an empty slot) nor kOverflowKey.
  Value& at(uint64_t key) {
    const size_t mask = keys_.size() - 1;
    for (size_t i = size_t((key * 0x9E3779B97F4A7C15ull) >> shift_);; i = (i + 1) & mask) {
      if (keys_[i] == key) return values_[i];
      if (keys_[i] != 0) continue;
      if (size_ * 4 >= keys_.size() * 3) return overflow_;
      keys_[i] = key;
      ++size_;
      return values_[i];
    }
  }
  // f(key, value) for every series with a value, the overflow one last (as kOverflowKey).
  template <class F>
  void for_each(F f) const {
    for (size_t i = 0; i < keys_.size(); ++i)
      if (keys_[i] != 0) f(keys_[i], values_[i]);
    if (overflowed()) f(kOverflowKey, overflow_);
  }
  bool overflowed() const { return !(overflow_ == Value{}); }
  size_t size() const { return size_; }

 private:
  std::vector<uint64_t> keys_;
  std::vector<Value> values_;
  Value overflow_{};
  size_t size_ = 0;
  int shift_ = 64;
};

// Observations counted per bucket (not cumulative; the last bucket is +Inf), durations in
// microseconds. `Bounds` is a constexpr array of upper bounds.
template <size_t N>
struct Histogram {
  std::array<uint64_t, N + 1> counts{};
  uint64_t sum_us = 0;

  void observe(int64_t us, const std::array<int64_t, N>& bounds) {
    if (us < 0) us = 0;
    size_t i = 0;
    while (i < N && us > bounds[i]) ++i;
    ++counts[i];
    sum_us += uint64_t(us);
  }
  void add(const Histogram& o) {
    for (size_t i = 0; i <= N; ++i) counts[i] += o.counts[i];
    sum_us += o.sum_us;
  }
  std::span<const uint64_t> buckets() const { return counts; }
};

// Request, upstream and first-token durations: 1 ms to 5 min.
inline constexpr std::array<int64_t, 17> kLatencyBoundsUs = {
    1'000,     2'500,     5'000,     10'000,     25'000,     50'000,     100'000,     250'000,    500'000,
    1'000'000, 2'500'000, 5'000'000, 10'000'000, 30'000'000, 60'000'000, 120'000'000, 300'000'000};
// The gateway's own time: 50 µs to 1 s.
inline constexpr std::array<int64_t, 14> kAddedBoundsUs = {50,     100,    250,     500,     1'000,   2'500,   5'000,
                                                           10'000, 25'000, 50'000, 100'000, 250'000, 500'000, 1'000'000};
using LatencyHistogram = Histogram<kLatencyBoundsUs.size()>;
using AddedHistogram = Histogram<kAddedBoundsUs.size()>;

// How old the oldest record of a ledger log is that the API has not applied yet. Each time
// frames reach the kernel, the log's written sequence number is noted with the time; applied
// marks are dropped. Bounded: when the ring is full the newest mark is moved up instead (its
// time stays the older one), so the age can only be overstated, never understated.
class LedgerLag {
 public:
  void written(uint64_t seq, int64_t now_us) {
    if (size_ > 0 && back().seq >= seq) return;
    if (size_ == kMarks) {
      back().seq = seq;
      return;
    }
    ring_[(head_ + size_) % kMarks] = {seq, now_us};
    ++size_;
  }
  void applied(uint64_t through_seq) {
    while (size_ > 0 && ring_[head_].seq <= through_seq) {
      head_ = (head_ + 1) % kMarks;
      --size_;
    }
  }
  int64_t age_us(int64_t now_us) const { return size_ == 0 ? 0 : std::max<int64_t>(0, now_us - ring_[head_].at_us); }

 private:
  static constexpr size_t kMarks = 256;
  struct Mark {
    uint64_t seq = 0;
    int64_t at_us = 0;
  };
  Mark& back() { return ring_[(head_ + size_ - 1) % kMarks]; }
  std::array<Mark, kMarks> ring_{};
  size_t head_ = 0, size_ = 0;
};

}  // namespace kt::gateway::metrics
