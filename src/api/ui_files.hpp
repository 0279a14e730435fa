#pragma once
// The web dashboard's files (docs/operations.md "Dashboard"), served by `kt api serve` at /ui/ without a token:
// the page holds no data; every call it makes to /v1 carries the viewer's token.
#include <map>
#include <string>
#include <string_view>

#include "http/server.hpp"

namespace kt::api {

// Every file under a folder, read once at start: a request can only name a file found then, so no
// path from a client ever reaches the file system.
class UiFiles {
 public:
  struct File {
    std::string content_type;
    std::string body;
  };

  // Reads `dir` (recursively; files of known types only). A missing folder gives an empty set:
  // /ui/ then answers 404 and says so.
  static UiFiles load(const std::string& dir);

  const File* find(std::string_view relative_path) const;
  size_t size() const { return files_.size(); }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  std::map<std::string, File, std::less<>> files_;
};

// The dashboard's folder when no --ui-dir is given: <executable's folder>/ui (the build copies ui/
// and the chart library there), else /usr/local/share/keeptrusts/ui (returned even when missing so
// the log names it).
std::string default_ui_dir();

// The Content-Type for a file name, or "" for a type the dashboard does not serve.
std::string_view ui_content_type(std::string_view name);

// True for /ui and everything under /ui/.
bool is_ui_path(std::string_view path);

// GET or HEAD of /ui/...: the file (index.html for /ui/), with a strict CSP, nosniff and no-cache;
// /ui redirects to /ui/; a malformed path (.., %, NUL, //, a hidden name) is a 400, an unknown file a 404.
http::awaitable<void> serve_ui(const UiFiles& files, http::Request& req, http::ResponseWriter& res);

}  // namespace kt::api
