// unit_core links only kt_core: compile Boost.JSON's implementation here (header-only mode) so the
// tests can parse the writer's output back.
#include <boost/json/src.hpp>
