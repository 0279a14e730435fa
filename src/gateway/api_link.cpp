#include "gateway/api_link.hpp"

#include <spdlog/spdlog.h>

namespace kt::gateway {

void ApiAccess::note(int status) {
  if (status == 401 || status == 403) {
    if (!refused)
      spdlog::error("the API refuses this gateway's token (HTTP {}: revoked, or not a gateway-scope token? see kt tokens "
                    "list): priced requests fail closed (503) until it is accepted again",
                    status);
    refused = true;
  } else if (status >= 200 && status < 300) {
    if (refused) spdlog::info("the API accepts this gateway's token again");
    refused = false;
  }
}

}  // namespace kt::gateway
