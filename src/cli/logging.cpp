// Log lines look like the tutorial's: "INFO keeptrusts::gateway Gateway ready".
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdlib>

#include "cli/commands.hpp"

namespace kt::cli {
namespace {

class UpperLevelFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    static constexpr std::string_view names[] = {"TRACE", "DEBUG", "INFO", "WARN", "ERROR", "CRITICAL", "OFF"};
    auto n = names[static_cast<int>(msg.level)];
    dest.append(n.data(), n.data() + n.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<UpperLevelFlag>(); }
};

}  // namespace

void setup_logging() {
  auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  const char* ts = std::getenv("KT_LOG_TIMESTAMPS");
  formatter->add_flag<UpperLevelFlag>('*').set_pattern(ts && *ts == '1' ? "%Y-%m-%dT%H:%M:%S.%fZ %* %n %v" : "%* %n %v");
  sink->set_formatter(std::move(formatter));
  auto level = spdlog::level::info;
  if (const char* l = std::getenv("KT_LOG")) level = spdlog::level::from_str(l);
  for (const char* name : {"keeptrusts::gateway", "keeptrusts::api", "keeptrusts::alerts"}) {
    auto logger = std::make_shared<spdlog::logger>(name, sink);
    logger->set_level(level);
    spdlog::register_logger(logger);
  }
  auto def = std::make_shared<spdlog::logger>("keeptrusts", sink);
  def->set_level(level);
  spdlog::set_default_logger(def);
  spdlog::flush_on(spdlog::level::info);
}

}  // namespace kt::cli
