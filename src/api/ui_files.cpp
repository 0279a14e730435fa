#include "api/ui_files.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include "core/error.hpp"

namespace kt::api {
namespace {
namespace fs = std::filesystem;

// Larger than any file of the dashboard (uPlot is 145 KB): a stray big file is skipped, not held.
constexpr uintmax_t kMaxFileBytes = 4 * 1024 * 1024;

// Self only: no inline script or style, no other origin, no framing. The page's data calls go to
// this same origin; uPlot styles its elements through the CSSOM, which style-src does not govern.
constexpr std::string_view kCsp =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

std::string executable_dir() {
  std::array<char, 4096> buf{};
  const ssize_t n = ::readlink("/proc/self/exe", buf.data(), buf.size() - 1);
  if (n <= 0) return {};
  return fs::path(std::string(buf.data(), static_cast<size_t>(n))).parent_path().string();
}

http::Headers ui_headers(std::string_view cache_control) {
  return {{"Cache-Control", std::string(cache_control)},
          {"Content-Security-Policy", std::string(kCsp)},
          {"X-Content-Type-Options", "nosniff"},
          {"X-Frame-Options", "DENY"},
          {"Referrer-Policy", "no-referrer"}};
}

// A name the dashboard could have: segments of letters, digits, '-', '_' and '.', none starting
// with '.', so "..", hidden files, percent-encoding, NUL, backslashes and "//" never match.
bool well_formed(std::string_view rel) {
  if (rel.empty()) return true;  // the index
  size_t start = 0;
  while (start <= rel.size()) {
    size_t end = rel.find('/', start);
    if (end == std::string_view::npos) end = rel.size();
    const std::string_view seg = rel.substr(start, end - start);
    if (seg.empty() || seg.front() == '.') return false;
    for (char c : seg) {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                      c == '_' || c == '.';
      if (!ok) return false;
    }
    start = end + 1;
  }
  return true;
}

}  // namespace

std::string_view ui_content_type(std::string_view name) {
  struct Type {
    std::string_view ext, type;
  };
  static constexpr Type kTypes[] = {
      {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},   {".svg", "image/svg+xml"},
      {".png", "image/png"},                 {".ico", "image/x-icon"},
      {".json", "application/json"},        {".txt", "text/plain; charset=utf-8"},
  };
  for (const auto& t : kTypes)
    if (name.ends_with(t.ext)) return t.type;
  return {};
}

UiFiles UiFiles::load(const std::string& dir) {
  UiFiles out;
  out.dir_ = dir;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return out;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    const std::string rel = fs::relative(it->path(), dir, ec).generic_string();
    if (ec || !it->is_regular_file(ec) || !well_formed(rel)) continue;
    const std::string_view type = ui_content_type(rel);
    if (type.empty() || it->file_size(ec) > kMaxFileBytes) continue;
    std::ifstream in(it->path(), std::ios::binary);
    std::ostringstream body;
    body << in.rdbuf();
    if (!in) continue;
    out.files_.emplace(rel, File{std::string(type), std::move(body).str()});
  }
  return out;
}

const UiFiles::File* UiFiles::find(std::string_view relative_path) const {
  auto it = files_.find(relative_path);
  return it == files_.end() ? nullptr : &it->second;
}

std::string default_ui_dir() {
  if (const std::string exe = executable_dir(); !exe.empty()) {
    const fs::path p = fs::path(exe) / "ui";
    std::error_code ec;
    if (fs::is_directory(p, ec)) return p.string();
  }
  return "/usr/local/share/keeptrusts/ui";
}

bool is_ui_path(std::string_view path) { return path == "/ui" || path.starts_with("/ui/"); }

http::awaitable<void> serve_ui(const UiFiles& files, http::Request& req, http::ResponseWriter& res) {
  const std::string_view path = req.path();
  if (path == "/ui") {
    http::Headers h = ui_headers("no-store");
    h.emplace_back("Location", "/ui/");
    co_return co_await res.send(301, "", "", h);
  }
  std::string_view rel = path.substr(4);
  if (rel.empty()) rel = "index.html";
  const UiFiles::File* f = well_formed(rel) ? files.find(rel) : nullptr;
  if (f)  // no-cache: the browser revalidates, so a new kt's page never runs with an old one's modules
    co_return co_await res.send(200, f->content_type, f->body, ui_headers("no-cache"));
  ApiError e = !well_formed(rel) ? bad_request("invalid_path", "the dashboard's file names are letters, digits, '-', '_' "
                                                               "and '.' in '/'-separated parts (no '..', '%' or hidden names)")
               : files.size() == 0 ? not_found("the dashboard is not installed (kt api serve --ui-dir DIR)")
                                   : not_found("no dashboard file " + std::string(path));
  co_await res.send(e.status, "application/json", error_envelope(e), ui_headers("no-store"));
}

}  // namespace kt::api
