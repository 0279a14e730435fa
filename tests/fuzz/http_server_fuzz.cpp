// Raw bytes through the real HTTP server of both programs: Beast's parser, the server's session
// loop, then the gateway's Pipeline::handle or the API's router. The first byte picks the server
// ('A': the API, anything else: the gateway; the seeds start "A" or "G"); the rest goes as-is down
// a fresh loopback connection, and the answer
// is read until the server closes it, so all the input caused has run when the call returns.
//
// Invariants: the server closes a half-closed connection (no hang), and never answers 500 (what
// it says when a handler throws). The gateway has no API (cost tracking off) and its targets point
// at a closed loopback port (every forwarded request is a quick 502); the API serves an in-memory
// SQLite ledger.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include "api/api_context.hpp"
#include "api/api_server.hpp"
#include "config/gateway_config.hpp"
#include "fuzz_support.hpp"
#include "gateway/gateway_main.hpp"
#include "gateway/api_bootstrap.hpp"
#include "gateway/gateway_setup.hpp"
#include "gateway/pipeline/pipeline.hpp"
#include "ledger/store.hpp"

namespace {

namespace fs = std::filesystem;
using namespace kt;

// The seeds carry this key (X-Consumer-Group) and the API token, so inputs get past authentication.
constexpr const char* kGatewayConfig = R"(version: '1'
providers:
  targets:
    - id: openai
      provider: openai
      base_url: http://127.0.0.1:1/v1
      secret_key_ref: {env: KT_FUZZ_UNSET_KEY}
      timeout_ms: 2000
    - id: claude
      provider: anthropic
      base_url: http://127.0.0.1:1/v1
      secret_key_ref: {env: KT_FUZZ_UNSET_KEY}
      timeout_ms: 2000
consumer_groups:
  - name: engineering
    api_key: kt_cg_engineering_abc123
    wallet_team_id: team_engineering
cost_tracking:
  enabled: false
policies:
  - name: content-filter
    type: content_filter
    action: block
    config:
      categories: [hate]
)";
constexpr const char* kAdminToken = "fuzz-admin-token";

// A server and the thread running it.
struct Running {
  std::unique_ptr<http::Server> server;
  std::thread thread;
  void start() {
    server->listen();
    thread = std::thread([s = server.get()] { s->run(); });
  }
  void stop() {
    if (!thread.joinable()) return;
    server->stop();
    thread.join();
  }
};

// A fresh folder under /tmp, removed with its contents at exit.
struct TempDir {
  std::string path;
  TempDir() {
    char dir[] = "/tmp/kt-fuzz-spool.XXXXXX";
    KT_FUZZ_CHECK(::mkdtemp(dir) != nullptr, "cannot create the spool folder");
    path = dir;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

class Servers {
 public:
  Servers() {
    fuzz::silence_logs();
    start_gateway();
    start_api();
  }
  // At exit: the servers stop, then the gateway worker's timers and sockets go while the
  // io_context they belong to (the server's) still exists.
  ~Servers() {
    gateway_.stop();
    api_.stop();
    if (worker_) worker_->shut_down(std::chrono::milliseconds(0));
    pipeline_.reset();
    worker_.reset();
  }

  uint16_t port(bool api) const { return (api ? api_ : gateway_).server->port(); }

 private:
  void start_gateway() {
    auto loaded = config::load_gateway_config_text(kGatewayConfig, "fuzz-gateway.yaml");
    KT_FUZZ_CHECK(loaded.ok(), "the fuzz gateway config does not load");
    shared_ = std::make_unique<gateway::GatewayShared>(gateway::build_shared(loaded.config, spool_.path));
    http::ServerOptions so;
    so.threads = 1;
    so.limits = gateway::GatewayOptions{}.limits;
    so.handle_signals = false;
    so.error_body = [](int status, std::string_view code, std::string_view message) {  // as gateway_main
      return error_envelope(ApiError{status, "invalid_request_error", std::string(code), std::string(message)});
    };
    auto prices = gateway::register_with_api(*shared_);  // no API: the config's prices
    gateway_.server = std::make_unique<http::Server>(so, [this, prices](boost::asio::io_context& ioc, size_t index) -> http::Routes {
      worker_ = std::make_unique<gateway::Worker>(ioc, index, *shared_);
      worker_->prices->set(prices);
      worker_->start();
      pipeline_ = std::make_unique<gateway::Pipeline>(*shared_, *worker_);
      gateway::Pipeline* p = pipeline_.get();
      return http::Routes([p](http::Request& req, http::ResponseWriter& res) { return p->handle(req, res); },
                          [p](http::Request& req) { return p->on_head(req); }, [p] { p->on_stop(); });
    });
    gateway_.start();
  }

  void start_api() {
    std::vector<std::unique_ptr<ledger::Store>> stores;
    stores.push_back(ledger::open_store("sqlite::memory:"));
    executor_ = std::make_unique<api::StoreExecutor>(std::move(stores));
    ctx_ = std::make_unique<api::ApiContext>(api::ApiContext{*executor_, kAdminToken, tokens_, nullptr});
    http::ServerOptions so;
    so.threads = 1;
    so.limits = api::ApiOptions{}.limits;
    so.handle_signals = false;
    api_.server = std::make_unique<http::Server>(so, [this](boost::asio::io_context&, size_t) { return api::api_routes(*ctx_); });
    api_.start();
  }

  TempDir spool_;  // removed last (no API: the gateway writes no ledger log into it)
  std::unique_ptr<gateway::GatewayShared> shared_;
  std::unique_ptr<gateway::Worker> worker_;
  std::unique_ptr<gateway::Pipeline> pipeline_;
  api::TokenCache tokens_;  // outlives the executor
  std::unique_ptr<api::StoreExecutor> executor_;
  std::unique_ptr<api::ApiContext> ctx_;
  Running gateway_, api_;
};

// Sends `bytes`, half-closes, reads until the server closes. A server that holds a half-closed
// connection open for long has hung on the input: that is a finding too.
void exchange(uint16_t port, const uint8_t* bytes, size_t size) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  KT_FUZZ_CHECK(fd >= 0, "socket() failed");
  timeval tv{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  // libFuzzer's SIGALRM (its -timeout watchdog) interrupts blocking calls now and then: retry them.
  int rc;
  do rc = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  while (rc != 0 && errno == EINTR);
  KT_FUZZ_CHECK(rc == 0, "cannot connect to the server");
  // The server may answer (413, 400) and close before it has read everything: stop sending then.
  for (size_t sent = 0; sent < size;) {
    ssize_t n = ::send(fd, bytes + sent, size - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    sent += static_cast<size_t>(n);
  }
  ::shutdown(fd, SHUT_WR);
  std::string answer;
  char chunk[16384];
  for (;;) {
    ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n > 0) {
      answer.append(chunk, static_cast<size_t>(n));
      continue;
    }
    KT_FUZZ_CHECK(n == 0 || errno == ECONNRESET, "the server kept the connection open 10 s after the request ended");
    break;
  }
  ::close(fd);
  // A 500 is the server's answer to a handler that threw: bad input must get its own 4xx. (A status
  // line starts the answer or a line; JSON bodies hold no raw line break.)
  for (size_t at = answer.find("HTTP/1.1 500 "); at != std::string::npos; at = answer.find("HTTP/1.1 500 ", at + 1))
    KT_FUZZ_CHECK(at > 0 && answer[at - 1] != '\n', "a request was answered 500 (a handler threw)");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Servers servers;
  if (size == 0) return 0;
  exchange(servers.port(data[0] == 'A'), data + 1, size - 1);
  return 0;
}
