#pragma once
// The mock's request handler: OpenAI routes under any prefix ending in /v1/..., plus /health
// and the /_mock/ control routes (stats, reset, last request).
#include "http/server.hpp"
#include "mock_state.hpp"

namespace kt::mock {

http::Handler make_handler(MockState& state);

}  // namespace kt::mock
