#pragma once
// Ships a worker's events (NDJSON lines) to the API in batches, off the request path. When the
// API cannot take them they go to a local spool file and are replayed once it answers again, so
// no event is lost. Event ids make a replay harmless (the API keeps the first copy).
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <string>
#include <vector>

#include "gateway/api_link.hpp"

namespace kt::gateway {

class EventShipper {
 public:
  EventShipper(boost::asio::io_context& ioc, std::optional<ApiLink> api, std::string spool_path);
  void push(std::string event_json);  // one event, no trailing newline
  void start();                       // spawns the shipping loop
  // Shutdown: tries one blocking send, spools what is left.
  void drain_blocking();
  const std::string& spool_path() const { return spool_path_; }

 private:
  boost::asio::awaitable<void> loop();
  boost::asio::awaitable<bool> send(const std::string& ndjson);
  void spool(const std::string& ndjson);
  boost::asio::awaitable<void> replay_spool();

  boost::asio::io_context& ioc_;
  std::optional<ApiLink> api_;
  std::string spool_path_;
  std::string pending_;  // NDJSON
  std::string spare_;    // the last batch's buffer, for the next one
  size_t pending_count_ = 0;
  bool spool_has_data_ = false;
  boost::asio::steady_timer wake_;
};

// Moves spool files left by earlier runs (any pid) into this worker's spool so they are replayed.
void adopt_orphan_spools(const std::string& spool_dir, const std::string& into_path);

}  // namespace kt::gateway
