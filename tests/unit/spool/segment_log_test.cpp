// The spool log: frames, segments, reading in slices, recovery of a log a killed process left.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "core/crc32c.hpp"
#include "spool/frame.hpp"
#include "spool/segment_log.hpp"

namespace kt::spool {
namespace {
namespace fs = std::filesystem;

class SpoolDir : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("kt-spool-" + std::to_string(::getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    dir_ = (root_ / "log-a").string();
  }
  void TearDown() override { fs::remove_all(root_); }
  LogOptions small() {
    LogOptions o;
    o.segment_bytes = 200;
    o.fsync = FsyncPolicy::off;
    return o;
  }
  // Every frame of a log from the start, as (seq, json).
  static std::vector<std::pair<uint64_t, std::string>> read_all(const SegmentLog& log) {
    std::vector<std::pair<uint64_t, std::string>> out;
    auto c = log.start();
    std::string buf;
    while (log.read(c, 64, buf)) {
    }
    std::string_view v = buf;
    while (!v.empty()) {
      FrameView f;
      size_t len = 0;
      EXPECT_EQ(parse_frame(v, f, len, true), FrameStatus::ok);
      out.emplace_back(f.seq, std::string(f.json));
      v.remove_prefix(len);
    }
    return out;
  }
  fs::path root_;
  std::string dir_;
};

TEST(SpoolFrame, RoundTripsAndCatchesDamage) {
  std::string out;
  append_frame(out, 42, R"(,"k":"settle","amt":5})");
  FrameView f;
  size_t len = 0;
  ASSERT_EQ(parse_frame(out, f, len, true), FrameStatus::ok);
  EXPECT_EQ(f.seq, 42u);
  EXPECT_EQ(f.json, R"({"s":42,"k":"settle","amt":5})");
  EXPECT_EQ(len, out.size());
  EXPECT_EQ(parse_frame(std::string_view(out).substr(0, out.size() - 3), f, len, true), FrameStatus::incomplete);
  std::string flipped = out;
  flipped[out.size() - 4] = '6';
  EXPECT_EQ(parse_frame(flipped, f, len, true), FrameStatus::invalid);
  EXPECT_EQ(parse_frame(flipped, f, len, false), FrameStatus::ok) << "the checksum is only read when asked";
  EXPECT_EQ(parse_frame("garbage without a frame\n", f, len, true), FrameStatus::invalid);
  std::string bare;
  append_frame(bare, 7, "}");
  ASSERT_EQ(parse_frame(bare, f, len, true), FrameStatus::ok);
  EXPECT_EQ(f.json, R"({"s":7})");
}

// spool_frame fuzzer: {"s":0200000,...} with a right checksum was frame 200000 (not JSON, and not
// what append_frame writes for it).
TEST(SpoolFrame, ASeqWithALeadingZeroIsNotAFrame) {
  auto framed = [](std::string_view json) {
    char crc[10];
    std::snprintf(crc, sizeof crc, "%08x ", crc32c(json));
    return std::string(crc) + std::string(json) + "\n";
  };
  FrameView f;
  size_t len = 0;
  EXPECT_EQ(parse_frame(framed(R"({"s":0200000,"k":"close"})"), f, len, true), FrameStatus::invalid);
  EXPECT_EQ(parse_frame(framed(R"({"s":00})"), f, len, true), FrameStatus::invalid);
  ASSERT_EQ(parse_frame(framed(R"({"s":0,"k":"close"})"), f, len, true), FrameStatus::ok);
  EXPECT_EQ(f.seq, 0u);
  ASSERT_EQ(parse_frame(framed(R"({"s":200000})"), f, len, true), FrameStatus::ok);
  EXPECT_EQ(f.seq, 200000u);
}

TEST_F(SpoolDir, AppendsFlushReadInOrderAcrossSegments) {
  auto log = SegmentLog::create(dir_, small());
  for (int i = 1; i <= 20; ++i) EXPECT_EQ(log->append(R"(,"k":"event","n":)" + std::to_string(i) + "}"), uint64_t(i));
  EXPECT_EQ(log->written_seq(), 0u);
  ASSERT_TRUE(log->flush());
  EXPECT_EQ(log->written_seq(), 20u);
  for (int i = 21; i <= 40; ++i) {
    log->append(R"(,"k":"event","n":)" + std::to_string(i) + "}");
    ASSERT_TRUE(log->flush());  // one flush per frame: segments of 200 bytes rotate
  }
  auto frames = read_all(*log);
  ASSERT_EQ(frames.size(), 40u);
  for (size_t i = 0; i < frames.size(); ++i) EXPECT_EQ(frames[i].first, i + 1);
  size_t segments = 0;
  for (const auto& e : fs::directory_iterator(dir_)) {
    if (e.path().extension() != ".log") continue;
    ++segments;
    struct stat st {};
    ::stat(e.path().c_str(), &st);
    EXPECT_EQ(st.st_mode & 0777, 0600u) << e.path();
  }
  EXPECT_GT(segments, 3u);
  struct stat st {};
  ::stat(dir_.c_str(), &st);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
}

TEST_F(SpoolDir, ReleaseDeletesAppliedSegmentsAndReadersSkipThem) {
  auto log = SegmentLog::create(dir_, small());
  for (int i = 1; i <= 30; ++i) {
    log->append(R"(,"k":"event"})");
    log->flush();
  }
  uint64_t before = log->disk_bytes();
  log->release_through(25);
  EXPECT_LT(log->disk_bytes(), before);
  auto frames = read_all(*log);
  ASSERT_FALSE(frames.empty());
  EXPECT_LE(frames.front().first, 26u) << "nothing unapplied is deleted";
  EXPECT_EQ(frames.back().first, 30u);
}

TEST_F(SpoolDir, RotationLetsTheOwnerCarryFramesForward) {
  auto log = SegmentLog::create(dir_, small());
  int rotations = 0;
  log->on_rotate([&] {
    ++rotations;
    log->append(R"(,"k":"intent","carried":true})");
  });
  for (int i = 0; i < 10; ++i) {
    log->append(R"(,"k":"event","pad":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"})");
    log->flush();
  }
  EXPECT_GT(rotations, 0);
  int carried = 0;
  for (auto& [seq, json] : read_all(*log)) carried += json.find("carried") != std::string::npos;
  EXPECT_EQ(carried, rotations);
}

TEST_F(SpoolDir, AdoptingALiveLogIsRefused) {
  auto log = SegmentLog::create(dir_, small());
  log->append("}");
  log->flush();
  EXPECT_EQ(SegmentLog::adopt(dir_, small(), [](const FrameView&) {}), nullptr);
}

TEST_F(SpoolDir, AdoptReplaysGoodFramesCutsATornTailAndContinuesNumbering) {
  {
    auto log = SegmentLog::create(dir_, small());
    for (int i = 0; i < 12; ++i) {
      log->append(R"(,"k":"event"})");
      log->flush();
    }
  }  // the process is gone: its lock is free
  // A crash mid-write: half a frame at the end of the last segment.
  std::string last;
  for (const auto& e : fs::directory_iterator(dir_))
    if (e.path().extension() == ".log" && e.path().string() > last) last = e.path().string();
  {
    std::ofstream out(last, std::ios::app | std::ios::binary);
    out << "0badc0de {\"s\":13,\"k\":\"set";
  }
  std::vector<uint64_t> seen;
  auto log = SegmentLog::adopt(dir_, small(), [&](const FrameView& f) { seen.push_back(f.seq); });
  ASSERT_NE(log, nullptr);
  ASSERT_EQ(seen.size(), 12u);
  EXPECT_EQ(seen.back(), 12u);
  EXPECT_EQ(log->append("}"), 13u);
  ASSERT_TRUE(log->flush());
  auto frames = read_all(*log);
  ASSERT_EQ(frames.size(), 13u);
  EXPECT_EQ(frames.back().first, 13u);
}

TEST_F(SpoolDir, AdoptStopsAtACorruptFrameAndSetsLaterSegmentsAside) {
  {
    auto log = SegmentLog::create(dir_, small());
    for (int i = 0; i < 30; ++i) {
      log->append(R"(,"k":"event"})");
      log->flush();
    }
  }
  std::vector<std::string> segs;
  for (const auto& e : fs::directory_iterator(dir_))
    if (e.path().extension() == ".log") segs.push_back(e.path().string());
  std::sort(segs.begin(), segs.end());
  ASSERT_GT(segs.size(), 2u);
  {  // rot one byte inside the second segment's first frame
    std::fstream f(segs[1], std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(12);
    f.put('X');
  }
  std::vector<uint64_t> seen;
  auto log = SegmentLog::adopt(dir_, small(), [&](const FrameView& f) { seen.push_back(f.seq); });
  ASSERT_NE(log, nullptr);
  ASSERT_FALSE(seen.empty());
  for (size_t i = 0; i < seen.size(); ++i) EXPECT_EQ(seen[i], i + 1);
  EXPECT_LT(seen.size(), 30u);
  size_t dropped = 0;
  for (const auto& e : fs::directory_iterator(dir_)) dropped += e.path().extension() == ".dropped";
  EXPECT_EQ(dropped, segs.size() - 2);
}

TEST_F(SpoolDir, RemoveDeletesTheLog) {
  auto log = SegmentLog::create(dir_, small());
  log->append("}");
  log->flush();
  log->remove();
  EXPECT_FALSE(fs::exists(dir_));
}

}  // namespace
}  // namespace kt::spool
