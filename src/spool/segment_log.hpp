#pragma once
// An append-only log of frames (frame.hpp) in a folder of segment files, each named by the first
// sequence number it holds (00000000000000000001.log). One process owns a log: it holds an
// exclusive flock on <dir>/lock for as long as the log is open, so a log whose lock is free was
// left by a process that is gone and may be adopted (recovery, `kt gateway drain`).
//
// Appends go to a buffer; flush() hands the buffer to the kernel in one write. Once written, a
// frame survives the process being killed (the page cache belongs to the kernel); the fsync
// policy decides what survives a power cut:
//   interval  a background thread fdatasyncs every open log each `fsync_interval` (default 100 ms):
//             a power cut can lose at most that much
//   always    fdatasync at every flush, on the caller's thread (one per flush, however many
//             frames it carries)
//   off       never (tests and benchmarks)
// Files are mode 0600 and the folder 0700. Nothing is ever read whole into memory: readers take
// bounded slices. Single-threaded: the owning thread calls every method.
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "spool/frame.hpp"

namespace kt::spool {

enum class FsyncPolicy { interval, always, off };
bool parse_fsync_policy(const std::string& text, FsyncPolicy& out);

struct LogOptions {
  size_t segment_bytes = 16u << 20;
  FsyncPolicy fsync = FsyncPolicy::interval;
  std::chrono::milliseconds fsync_interval{100};
};

class SegmentLog {
 public:
  // A new, empty log in `dir` (created; an existing folder must hold no segments). Throws
  // std::runtime_error when the folder cannot be made or locked.
  static std::unique_ptr<SegmentLog> create(const std::string& dir, const LogOptions& options);
  // The log a gone process left in `dir`: every good frame is passed to `on_frame` in order, a
  // torn tail (a partial or corrupt frame, from a crash or a power cut) is cut off, and numbering
  // continues after the last good frame. nullopt when another live process holds the log.
  static std::unique_ptr<SegmentLog> adopt(const std::string& dir, const LogOptions& options,
                                           const std::function<void(const FrameView&)>& on_frame);
  ~SegmentLog();
  SegmentLog(const SegmentLog&) = delete;
  SegmentLog& operator=(const SegmentLog&) = delete;

  // Buffers one frame (rest: see append_frame) and returns its sequence number.
  uint64_t append(std::string_view rest);
  // Writes the buffer. false on an I/O error (ENOSPC, EIO): what was not written stays buffered
  // and the next flush tries again; last_error() says why.
  bool flush();
  bool failing() const { return !error_.empty(); }
  const std::string& last_error() const { return error_; }

  uint64_t last_seq() const { return next_seq_ - 1; }  // appended
  uint64_t written_seq() const { return written_seq_; }  // in the kernel
  size_t buffered_bytes() const { return buffer_.size(); }
  uint64_t disk_bytes() const;
  const std::string& dir() const { return dir_; }

  // Called right after a new segment starts (in flush), so the owner can append what must be
  // found in every live segment (open intents, held leases): older segments may then be deleted.
  void on_rotate(std::function<void()> f) { on_rotate_ = std::move(f); }

  // Where a reader is: after frame `seq`, at byte `offset` of the segment starting at `segment`.
  struct Cursor {
    uint64_t seq = 0;
    uint64_t segment = 0;
    uint64_t offset = 0;
  };
  Cursor start() const;
  // Appends to `out` the written frames after `c`, whole, up to about `max_bytes` (at least one
  // frame if any), and advances `c`. false when there is nothing new.
  bool read(Cursor& c, size_t max_bytes, std::string& out) const;
  // Frames up to `seq` are in the ledger: segments holding nothing newer are deleted.
  void release_through(uint64_t seq);
  // Deletes the whole log (its last frame has been applied and it will never be written again).
  void remove();

  struct File;  // an open segment file (shared with the background syncer)

 private:
  struct Segment {
    uint64_t first_seq = 0, last_seq = 0;  // last_seq 0: empty so far
    uint64_t size = 0;
    std::string path;
    std::shared_ptr<File> file;
  };
  SegmentLog(std::string dir, LogOptions options, int lock_fd);
  void open_segment(uint64_t first_seq);
  const Segment* segment_at_or_after(uint64_t first_seq) const;

  std::string dir_;
  LogOptions options_;
  int lock_fd_ = -1;
  std::deque<Segment> segments_;
  std::string buffer_;
  // Frames in the buffer: where each ends and its number (to know what a partial write covered).
  std::deque<std::pair<size_t, uint64_t>> buffered_frames_;
  uint64_t next_seq_ = 1, written_seq_ = 0;
  std::string error_;
  std::function<void()> on_rotate_;
  bool removed_ = false;
};

// The logs in `parent` (each a folder), for recovery; sorted.
std::vector<std::string> list_logs(const std::string& parent);

}  // namespace kt::spool
