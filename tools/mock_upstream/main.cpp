// kt-mock-upstream: a deterministic OpenAI-compatible server for the offline demo and tests.
#include <CLI/CLI.hpp>
#include <charconv>
#include <cstdio>
#include <iostream>

#include "http/server.hpp"
#include "mock_routes.hpp"
#include "mock_state.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Deterministic mock of the OpenAI API (see tools/mock_upstream/ for the [mock:...] directives)"};
  std::string listen = "127.0.0.1:18080";
  size_t threads = 1;
  app.add_option("--listen", listen, "host:port to listen on (port 0 picks a free one)");
  app.add_option("--threads", threads, "worker threads")->check(CLI::Range(1, 64));
  CLI11_PARSE(app, argc, argv);

  auto colon = listen.rfind(':');
  unsigned port = 0;
  if (colon == std::string::npos ||
      std::from_chars(listen.data() + colon + 1, listen.data() + listen.size(), port).ec != std::errc{} ||
      port > 65535) {
    std::cerr << "invalid --listen '" << listen << "': expected host:port\n";
    return 2;
  }
  kt::http::ServerOptions options;
  options.host = listen.substr(0, colon);
  options.port = static_cast<uint16_t>(port);
  options.threads = threads;
  options.limits.body_limit = 32 * 1024 * 1024;

  kt::mock::MockState state;
  kt::http::Server server(options, [&state](boost::asio::io_context&, size_t) { return kt::mock::make_handler(state); });
  try {
    server.listen();
  } catch (const std::exception& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
  std::cout << "mock upstream listening on " << options.host << ":" << server.port() << std::endl;
  server.run();
  return 0;
}
