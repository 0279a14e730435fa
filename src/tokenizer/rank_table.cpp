#include "tokenizer/rank_table.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdio>
#include <memory>
#include <stdexcept>

namespace kt::tokenizer {
namespace {

constexpr std::array<int8_t, 256> make_base64_table() {
  std::array<int8_t, 256> t{};
  for (auto& v : t) v = -1;
  const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (int i = 0; i < 64; ++i) t[static_cast<unsigned char>(alphabet[i])] = static_cast<int8_t>(i);
  return t;
}
constexpr auto kBase64 = make_base64_table();

// Appends the decoded bytes of standard base64 (with optional '=' padding); false when malformed.
// Works on whole 4-character groups: this loop runs 300k times per start-up.
bool decode_base64(std::string_view in, std::string& out) {
  size_t n = in.size();
  while (n > 0 && in[n - 1] == '=') --n;
  if (in.size() - n > 2) return false;
  const auto* p = reinterpret_cast<const unsigned char*>(in.data());
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const int a = kBase64[p[i]], b = kBase64[p[i + 1]], c = kBase64[p[i + 2]], d = kBase64[p[i + 3]];
    if ((a | b | c | d) < 0) return false;
    const uint32_t v = (static_cast<uint32_t>(a) << 18) | (static_cast<uint32_t>(b) << 12) |
                       (static_cast<uint32_t>(c) << 6) | static_cast<uint32_t>(d);
    const char bytes[3] = {static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
    out.append(bytes, 3);
  }
  const size_t rest = n - i;
  if (rest == 1) return false;
  if (rest >= 2) {
    const int a = kBase64[p[i]], b = kBase64[p[i + 1]], c = rest == 3 ? kBase64[p[i + 2]] : 0;
    if ((a | b | c) < 0) return false;
    const uint32_t v = (static_cast<uint32_t>(a) << 18) | (static_cast<uint32_t>(b) << 12) |
                       (static_cast<uint32_t>(c) << 6);
    out.push_back(static_cast<char>(v >> 16));
    if (rest == 3) out.push_back(static_cast<char>(v >> 8));
  }
  return true;
}

[[noreturn]] void malformed(const std::string& origin, size_t line_no, const char* why) {
  throw std::runtime_error("tokenizer: " + origin + ":" + std::to_string(line_no) + ": " + why);
}

struct Entry {
  Rank rank;
  uint32_t offset;
  uint32_t size;
};

}  // namespace

RankTable RankTable::load_file(const std::string& path) {
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) throw std::runtime_error("tokenizer: cannot open rank file " + path);
  std::string content;
  if (std::fseek(f.get(), 0, SEEK_END) == 0) {
    const long size = std::ftell(f.get());
    if (size > 0) content.reserve(static_cast<size_t>(size));
    std::rewind(f.get());
  }
  char buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f.get())) > 0) content.append(buf, n);
  if (std::ferror(f.get())) throw std::runtime_error("tokenizer: cannot read rank file " + path);
  return parse(content, path);
}

RankTable RankTable::parse(std::string_view content, const std::string& origin) {
  std::string bytes;
  bytes.reserve(content.size() * 3 / 4);
  std::vector<Entry> entries;
  entries.reserve(content.size() / 8);

  size_t line_no = 0;
  Rank max_rank = 0;
  bool in_order = true;
  for (size_t pos = 0; pos < content.size();) {
    size_t end = content.find('\n', pos);
    if (end == std::string_view::npos) end = content.size();
    std::string_view line = content.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;

    const size_t space = line.find(' ');
    if (space == std::string_view::npos || space == 0) malformed(origin, line_no, "expected 'base64 rank'");
    const size_t start = bytes.size();
    if (!decode_base64(line.substr(0, space), bytes)) malformed(origin, line_no, "bad base64");
    uint64_t rank = 0;
    std::string_view digits = line.substr(space + 1);
    if (digits.empty() || digits.size() > 9) malformed(origin, line_no, "bad rank");
    for (char c : digits) {
      if (c < '0' || c > '9') malformed(origin, line_no, "bad rank");
      rank = rank * 10 + static_cast<uint64_t>(c - '0');
    }
    if (bytes.size() == start) malformed(origin, line_no, "empty token");
    const auto r = static_cast<Rank>(rank);
    if (!entries.empty() && r <= entries.back().rank) in_order = false;
    max_rank = std::max(max_rank, r);
    entries.push_back({r, static_cast<uint32_t>(start), static_cast<uint32_t>(bytes.size() - start)});
  }
  if (entries.empty()) throw std::runtime_error("tokenizer: rank file " + origin + " is empty");

  RankTable t;
  t.count_ = entries.size();
  if (in_order && entries.size() == static_cast<size_t>(max_rank) + 1) {
    // OpenAI's files list ranks 0..n-1 in order: the decoded bytes already are the arena.
    t.offsets_.resize(entries.size() + 1);
    for (size_t i = 0; i < entries.size(); ++i) t.offsets_[i] = entries[i].offset;
    t.offsets_[entries.size()] = static_cast<uint32_t>(bytes.size());
    t.arena_ = std::move(bytes);
  } else {
    if (!in_order)
      std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.rank < b.rank; });
    // Lay the bytes out in rank order so offsets_[rank]..offsets_[rank+1] is the token; missing
    // ranks get an empty span and no slot.
    t.arena_.reserve(bytes.size());
    t.offsets_.assign(static_cast<size_t>(max_rank) + 2, 0);
    size_t next = 0;
    for (Rank r = 0; r <= max_rank; ++r) {
      t.offsets_[r] = static_cast<uint32_t>(t.arena_.size());
      if (next < entries.size() && entries[next].rank == r) {
        if (next + 1 < entries.size() && entries[next + 1].rank == r)
          throw std::runtime_error("tokenizer: duplicate rank " + std::to_string(r) + " in " + origin);
        t.arena_.append(bytes, entries[next].offset, entries[next].size);
        ++next;
      }
    }
    t.offsets_[static_cast<size_t>(max_rank) + 1] = static_cast<uint32_t>(t.arena_.size());
  }

  // A load factor below 0.4 keeps probe chains short for the misses that dominate BPE merging.
  const size_t capacity = std::bit_ceil(t.count_ * 5 / 2 + 16);
  t.slots_.assign(capacity, Slot{0, kNoRank, 0});
  t.mask_ = capacity - 1;
  // Inserting is bound by cache misses on the 4-8 MiB slot array: hash a few entries ahead and
  // prefetch their home slots.
  constexpr size_t kAhead = 8;
  std::vector<uint64_t> hashes(entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    const std::string_view key = t.bytes_of(entries[i].rank);
    hashes[i] = hash_bytes(key.data(), key.size());
  }
  for (size_t i = 0; i < entries.size(); ++i) {
    if (i + kAhead < entries.size()) __builtin_prefetch(&t.slots_[hashes[i + kAhead] & t.mask_], 1);
    t.insert(entries[i].rank, hashes[i]);
  }
  return t;
}

void RankTable::insert(Rank rank, uint64_t h) {
  const std::string_view key = bytes_of(rank);
  const uint64_t head = load_head(key.data(), key.size());
  size_t i = h & mask_;
  while (slots_[i].rank != kNoRank) {
    const Slot& s = slots_[i];
    if (s.head == head && s.size == key.size() && bytes_of(s.rank) == key)
      throw std::runtime_error("tokenizer: duplicate token for ranks " + std::to_string(s.rank) + " and " +
                               std::to_string(rank));
    i = (i + 1) & mask_;
  }
  slots_[i] = Slot{head, rank, static_cast<uint32_t>(key.size())};
}

bool RankTable::equal_tail(Rank rank, const char* data, size_t size) const noexcept {
  // The head (first 8 bytes) already matched.
  return std::memcmp(arena_.data() + offsets_[rank] + 8, data + 8, size - 8) == 0;
}

}  // namespace kt::tokenizer
