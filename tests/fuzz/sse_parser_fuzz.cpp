// Bytes through the SSE parser, fed whole and in pieces whose sizes come from the input. Invariants:
// the pieces give the same events as the whole; the events' raw texts are the input's own bytes, in
// order; what is pending is its tail; forwarding the raw texts gives a client the same events.
#include <fuzzer/FuzzedDataProvider.h>

#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "http/sse.hpp"

namespace {

using kt::http::SseEvent;

std::string without_bom(const std::string& s) { return s.rfind("\xEF\xBB\xBF", 0) == 0 ? s.substr(3) : s; }

bool same(const std::vector<SseEvent>& a, const std::vector<SseEvent>& b, bool with_raw = true) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if ((with_raw && a[i].raw != b[i].raw) || a[i].event != b[i].event || a[i].data != b[i].data) return false;
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  // The last bytes say where to cut the stream (FuzzedDataProvider takes integers from the end).
  std::vector<size_t> cuts;
  for (int i = 0, n = in.ConsumeIntegralInRange(0, 8); i < n; ++i) cuts.push_back(in.ConsumeIntegralInRange<size_t>(0, 64));
  const std::string stream = in.ConsumeRemainingBytesAsString();

  kt::http::SseParser whole;
  const std::vector<SseEvent> expected = whole.feed(stream);

  kt::http::SseParser pieces;
  std::vector<SseEvent> got;
  size_t pos = 0;
  for (size_t i = 0; pos < stream.size(); ++i) {
    size_t n = cuts.empty() ? stream.size() : std::max<size_t>(1, cuts[i % cuts.size()]);
    for (auto& ev : pieces.feed(std::string_view(stream).substr(pos, n))) got.push_back(std::move(ev));
    pos += n;
  }
  KT_FUZZ_CHECK(same(expected, got), "split feeds give the same events as one feed");

  // Nothing is invented: the events' raw texts are pieces of the input, in order, each ending
  // with the blank line that dispatched it (stray blank lines are dropped); what is pending is the
  // input's tail.
  const std::string input = without_bom(stream);
  size_t at = 0;
  std::string forwarded;
  for (const auto& ev : expected) {
    const size_t found = input.find(ev.raw, at);
    KT_FUZZ_CHECK(!ev.raw.empty() && found != std::string::npos, "an event's raw text is a piece of the input");
    KT_FUZZ_CHECK(ev.raw.back() == '\n' || ev.raw.back() == '\r', "an event ends with a line end");
    at = found + ev.raw.size();
    forwarded += ev.raw;
  }
  KT_FUZZ_CHECK(whole.pending() == pieces.pending(), "the same bytes are pending");
  KT_FUZZ_CHECK(input.size() - at >= whole.pending().size() &&
                    input.compare(input.size() - whole.pending().size(), std::string::npos, whole.pending()) == 0,
                "what is pending is the input's tail");
  // A proxy forwards the raw texts: its client must read the same events from them. (The BOM in
  // front keeps a BOM that starts the first raw text data, as it was upstream; the '\n' settles a
  // last event ending in a lone CR, which a reader holds until it knows no LF follows.)
  kt::http::SseParser client;
  KT_FUZZ_CHECK(same(expected, client.feed("\xEF\xBB\xBF" + forwarded + "\n"), false), "forwarded events read the same");
  return 0;
}
