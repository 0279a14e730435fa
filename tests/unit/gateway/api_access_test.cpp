// A gateway worker's view of whether the API accepts its token: refused by a 401 or 403, accepted
// again by a success, unchanged by anything else (an API that is down says nothing about the token).
#include <gtest/gtest.h>

#include "gateway/api_link.hpp"

namespace kt::gateway {
namespace {

TEST(ApiAccess, A401Or403RefusesUntilASuccess) {
  for (int status : {401, 403}) {
    ApiAccess a;
    EXPECT_FALSE(a.refused);
    a.note(status);
    EXPECT_TRUE(a.refused) << status;
    for (int other : {400, 404, 413, 500, 502, 503}) {
      a.note(other);
      EXPECT_TRUE(a.refused) << other << " says nothing about the token";
    }
    a.note(200);
    EXPECT_FALSE(a.refused);
  }
}

TEST(ApiAccess, ALinkWithoutAWatcherIgnoresStatuses) {
  ApiLink link;
  link.note_status(401);  // recovery and kt gateway drain: nobody to stop
  auto access = std::make_shared<ApiAccess>();
  link.access = access;
  link.note_status(401);
  EXPECT_TRUE(access->refused);
}

}  // namespace
}  // namespace kt::gateway
