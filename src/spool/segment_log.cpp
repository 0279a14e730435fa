#include "spool/segment_log.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace kt::spool {
namespace fs = std::filesystem;

struct SegmentLog::File {
  explicit File(int f) : fd(f) {}
  ~File() {
    if (fd >= 0) ::close(fd);
  }
  int fd;
  std::atomic<bool> dirty{false};
};

namespace {

std::string errno_text(const std::string& what) { return what + ": " + std::strerror(errno); }

std::string segment_name(uint64_t first_seq) {
  char name[32];
  std::snprintf(name, sizeof name, "%020llu.log", static_cast<unsigned long long>(first_seq));
  return name;
}

// fdatasyncs every registered segment that was written since its last sync, every interval.
// One thread per process, whatever the number of logs.
class Syncer {
 public:
  static Syncer& instance() {
    static Syncer s;
    return s;
  }
  void add(const std::shared_ptr<SegmentLog::File>& f, std::chrono::milliseconds every) {
    std::lock_guard lock(mu_);
    files_.push_back(f);
    if (every < interval_) interval_ = every;
    if (!thread_.joinable()) thread_ = std::thread([this] { loop(); });
  }
  ~Syncer() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  void loop() {
    std::unique_lock lock(mu_);
    while (!stop_) {
      cv_.wait_for(lock, interval_, [this] { return stop_; });
      std::vector<std::shared_ptr<SegmentLog::File>> live;
      for (auto it = files_.begin(); it != files_.end();) {
        if (auto f = it->lock()) {
          live.push_back(std::move(f));
          ++it;
        } else {
          it = files_.erase(it);
        }
      }
      lock.unlock();
      for (auto& f : live)
        if (f->dirty.exchange(false)) ::fdatasync(f->fd);
      live.clear();
      lock.lock();
    }
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::weak_ptr<SegmentLog::File>> files_;
  std::chrono::milliseconds interval_{1000};
  bool stop_ = false;
  std::thread thread_;
};

int lock_folder(const std::string& dir, bool create) {
  std::error_code ec;
  if (create) {
    fs::create_directories(dir, ec);
    if (ec) throw std::runtime_error("cannot create spool log folder " + dir + ": " + ec.message());
    ::chmod(dir.c_str(), 0700);
  }
  std::string path = dir + "/lock";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error(errno_text("cannot open " + path));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int e = errno;
    ::close(fd);
    if (e == EWOULDBLOCK) return -1;
    errno = e;
    throw std::runtime_error(errno_text("cannot lock " + path));
  }
  return fd;
}

std::vector<std::string> segment_files(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.path().extension() == ".log") out.push_back(e.path().string());
  std::sort(out.begin(), out.end());  // zero-padded first seq: name order is number order
  return out;
}

}  // namespace

bool parse_fsync_policy(const std::string& text, FsyncPolicy& out) {
  if (text == "interval") out = FsyncPolicy::interval;
  else if (text == "always") out = FsyncPolicy::always;
  else if (text == "off") out = FsyncPolicy::off;
  else return false;
  return true;
}

std::vector<std::string> list_logs(const std::string& parent) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(parent, ec))
    if (e.is_directory(ec)) out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

SegmentLog::SegmentLog(std::string dir, LogOptions options, int lock_fd)
    : dir_(std::move(dir)), options_(options), lock_fd_(lock_fd) {}

SegmentLog::~SegmentLog() {
  if (!removed_ && !buffer_.empty()) flush();
  segments_.clear();
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the flock
}

std::unique_ptr<SegmentLog> SegmentLog::create(const std::string& dir, const LogOptions& options) {
  int fd = lock_folder(dir, true);
  if (fd < 0) throw std::runtime_error("spool log " + dir + " is held by another process");
  if (!segment_files(dir).empty()) {
    ::close(fd);
    throw std::runtime_error("spool log " + dir + " already holds segments");
  }
  std::unique_ptr<SegmentLog> log(new SegmentLog(dir, options, fd));
  log->open_segment(1);
  return log;
}

std::unique_ptr<SegmentLog> SegmentLog::adopt(const std::string& dir, const LogOptions& options,
                                              const std::function<void(const FrameView&)>& on_frame) {
  int fd = lock_folder(dir, false);
  if (fd < 0) return nullptr;
  std::unique_ptr<SegmentLog> log(new SegmentLog(dir, options, fd));
  uint64_t expect = 0;  // the next frame's number (0: take the first segment's)
  bool torn = false;
  std::string chunk;
  for (const auto& path : segment_files(dir)) {
    if (torn) {
      // Frames after a torn one cannot be trusted to follow it: kept aside, never applied.
      fs::rename(path, path + ".dropped");
      continue;
    }
    int sfd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CLOEXEC);
    if (sfd < 0) throw std::runtime_error(errno_text("cannot open " + path));
    Segment seg;
    seg.path = path;
    seg.file = std::make_shared<File>(sfd);
    seg.first_seq = std::strtoull(fs::path(path).stem().c_str(), nullptr, 10);
    if (options.fsync == FsyncPolicy::interval) Syncer::instance().add(seg.file, options.fsync_interval);
    if (expect == 0) expect = seg.first_seq;
    uint64_t offset = 0;
    size_t chunk_size = 1u << 20;
    for (;;) {
      chunk.reserve(chunk_size + 64);  // readers parse frames in place (simdjson reads a little past the end)
      chunk.resize(chunk_size);
      ssize_t n = ::pread(sfd, chunk.data(), chunk.size(), off_t(offset));
      if (n < 0) throw std::runtime_error(errno_text("cannot read " + path));
      if (n == 0) break;  // the end of the file: every frame was good
      chunk.resize(size_t(n));
      size_t pos = 0, len = 0;
      FrameView f;
      FrameStatus st = FrameStatus::ok;
      while (pos < chunk.size()) {
        st = parse_frame(std::string_view(chunk).substr(pos), f, len, true);
        if (st == FrameStatus::ok && f.seq != expect) st = FrameStatus::invalid;  // a gap or a repeat
        if (st != FrameStatus::ok) break;
        on_frame(f);
        seg.last_seq = f.seq;
        ++expect;
        pos += len;
      }
      offset += pos;
      if (st == FrameStatus::ok) continue;
      if (st == FrameStatus::incomplete && pos > 0) continue;  // a frame crosses the chunk's end: read on from it
      if (st == FrameStatus::incomplete && size_t(n) == chunk_size && chunk_size < (8u << 20)) {
        chunk_size *= 2;  // one frame longer than the chunk
        continue;
      }
      torn = true;  // a partial frame at the end of the file, or a corrupt one
      break;
    }
    if (torn && ::ftruncate(sfd, off_t(offset)) != 0) throw std::runtime_error(errno_text("cannot cut " + path));
    seg.size = offset;
    log->segments_.push_back(std::move(seg));
  }
  if (expect == 0) expect = 1;
  log->next_seq_ = expect;
  log->written_seq_ = expect - 1;
  log->open_segment(expect);
  return log;
}

void SegmentLog::open_segment(uint64_t first_seq) {
  if (!segments_.empty() && segments_.back().first_seq == first_seq && segments_.back().last_seq == 0) return;
  Segment seg;
  seg.first_seq = first_seq;
  seg.path = dir_ + "/" + segment_name(first_seq);
  int fd = ::open(seg.path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error(errno_text("cannot create " + seg.path));
  ::fchmod(fd, 0600);
  seg.file = std::make_shared<File>(fd);
  struct stat st {};
  if (::fstat(fd, &st) == 0) seg.size = uint64_t(st.st_size);
  if (options_.fsync == FsyncPolicy::interval) Syncer::instance().add(seg.file, options_.fsync_interval);
  segments_.push_back(std::move(seg));
}

uint64_t SegmentLog::append(std::string_view rest) {
  uint64_t seq = next_seq_++;
  append_frame(buffer_, seq, rest);
  buffered_frames_.emplace_back(buffer_.size(), seq);
  return seq;
}

bool SegmentLog::flush() {
  if (buffer_.empty() || removed_) return true;
  Segment& seg = segments_.back();
  size_t done = 0;
  while (done < buffer_.size()) {
    ssize_t n = ::write(seg.file->fd, buffer_.data() + done, buffer_.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      error_ = errno_text("cannot write spool log " + seg.path);
      break;
    }
    done += size_t(n);
  }
  // What the kernel took: whole frames advance written_seq; a partial one is finished next time.
  seg.size += done;
  while (!buffered_frames_.empty() && buffered_frames_.front().first <= done) {
    written_seq_ = buffered_frames_.front().second;
    buffered_frames_.pop_front();
  }
  for (auto& f : buffered_frames_) f.first -= done;
  buffer_.erase(0, done);
  if (written_seq_ >= seg.first_seq) seg.last_seq = written_seq_;
  if (done > 0) {
    if (options_.fsync == FsyncPolicy::always) {
      if (::fdatasync(seg.file->fd) != 0 && error_.empty()) error_ = errno_text("cannot sync spool log " + seg.path);
    } else {
      seg.file->dirty.store(true, std::memory_order_relaxed);
    }
  }
  if (!buffer_.empty()) return false;
  error_.clear();
  if (seg.size >= options_.segment_bytes) {
    open_segment(next_seq_);
    if (on_rotate_) on_rotate_();
  }
  return true;
}

uint64_t SegmentLog::disk_bytes() const {
  uint64_t total = 0;
  for (const auto& s : segments_) total += s.size;
  return total;
}

SegmentLog::Cursor SegmentLog::start() const {
  Cursor c;
  if (!segments_.empty()) {
    c.segment = segments_.front().first_seq;
    c.seq = segments_.front().first_seq - 1;
  }
  return c;
}

const SegmentLog::Segment* SegmentLog::segment_at_or_after(uint64_t first_seq) const {
  for (const auto& s : segments_)
    if (s.first_seq >= first_seq) return &s;
  return nullptr;
}

bool SegmentLog::read(Cursor& c, size_t max_bytes, std::string& out) const {
  const size_t before = out.size();
  for (const Segment* seg = segment_at_or_after(c.segment); seg;) {
    if (seg->first_seq != c.segment) {  // that segment is gone (applied): go on from the next
      c.segment = seg->first_seq;
      c.offset = 0;
    }
    if (c.offset < seg->size && out.size() - before < max_bytes) {
      size_t want = size_t(std::min<uint64_t>(seg->size - c.offset, max_bytes - (out.size() - before)));
      for (;;) {
        size_t at = out.size();
        out.resize(at + want);
        ssize_t n = ::pread(seg->file->fd, out.data() + at, want, off_t(c.offset));
        if (n <= 0) {
          out.resize(at);
          return out.size() > before;
        }
        out.resize(at + size_t(n));
        // Whole frames only: cut after the last newline; a frame longer than what was read is
        // read again with more room.
        size_t last_nl = out.rfind('\n');
        if (last_nl == std::string::npos || last_nl < at) {
          out.resize(at);
          if (want >= seg->size - c.offset) return out.size() > before;
          want = size_t(std::min<uint64_t>(seg->size - c.offset, uint64_t(want) * 2));
          continue;
        }
        out.resize(last_nl + 1);
        c.offset += out.size() - at;
        size_t frame_start = out.rfind('\n', last_nl - 1);
        frame_start = (frame_start == std::string::npos || frame_start < at) ? at : frame_start + 1;
        FrameView f;
        size_t len = 0;
        if (parse_frame(std::string_view(out).substr(frame_start), f, len, false) == FrameStatus::ok) c.seq = f.seq;
        break;
      }
    }
    if (out.size() - before >= max_bytes) break;
    if (c.offset < seg->size) break;
    const Segment* next = segment_at_or_after(seg->first_seq + 1);
    if (!next) break;
    seg = next;
    c.segment = seg->first_seq;
    c.offset = 0;
  }
  return out.size() > before;
}

void SegmentLog::release_through(uint64_t seq) {
  while (segments_.size() > 1 && segments_.front().last_seq != 0 && segments_.front().last_seq <= seq) {
    ::unlink(segments_.front().path.c_str());
    segments_.pop_front();
  }
}

void SegmentLog::remove() {
  for (auto& s : segments_) ::unlink(s.path.c_str());
  segments_.clear();
  buffer_.clear();
  buffered_frames_.clear();
  std::error_code ec;
  fs::remove(dir_ + "/lock", ec);
  for (const auto& e : fs::directory_iterator(dir_, ec))
    if (e.path().extension() == ".dropped") return;  // kept for whoever investigates; the folder stays
  fs::remove(dir_, ec);
  removed_ = true;
}

}  // namespace kt::spool
