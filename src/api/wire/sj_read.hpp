#pragma once
// simdjson readers the wire formats share (ledger_wire.cpp, log_wire.cpp).
#include <simdjson.h>

#include <string>

#include "ledger/store_types.hpp"

namespace kt::wire::detail {

// Money from a JSON number or decimal string, exactly; throws simdjson_error(NUMBER_ERROR).
Money money_of(simdjson::ondemand::value v);
std::string str_of(simdjson::ondemand::value v);
ledger::ReserveStatus status_of(std::string_view s);
// A balance as write_balance() wrote it.
ledger::Balance balance_of(simdjson::ondemand::object o);

}  // namespace kt::wire::detail
