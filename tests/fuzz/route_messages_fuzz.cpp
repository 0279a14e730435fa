// The /v1/messages request body through the gateway's parser and rewriters (route_fuzz.hpp).
#include "route_fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  kt::fuzz::fuzz_route(kt::providers::Route::messages, data, size);
  return 0;
}
