// Linked into every program of the sanitizer build, which compiles Boost.Context's fibers (the
// API's store coroutines, asio::spawn) with BOOST_USE_UCONTEXT + BOOST_USE_ASAN. Only that variant
// tells AddressSanitizer of each stack switch (__sanitizer_start/finish_switch_fiber). Without it
// ASan believes a coroutine's frames live on the thread's stack: its fake stacks report false
// stack-use-after-return, and an exception unwinding a coroutine leaves stale poison behind (both
// seen in CI, postgres_leases_test and postgres_restart_test). Debian's libboost_context is built
// for fcontext and lacks the ucontext variant's per-thread bookkeeping, defined here as Boost's own
// src/fiber.cpp defines it: each thread's main context is created on first use and freed at exit.
#include <boost/context/fiber.hpp>

#if !defined(BOOST_USE_UCONTEXT) || !defined(BOOST_USE_ASAN)
#error "compiled only into the sanitizer build, with BOOST_USE_UCONTEXT and BOOST_USE_ASAN"
#endif

namespace boost::context::detail {

namespace {
thread_local fiber_activation_record* running_record = nullptr;
thread_local std::size_t initializers = 0;
}  // namespace

fiber_activation_record_initializer::fiber_activation_record_initializer() noexcept {
  if (initializers++ == 0) running_record = new fiber_activation_record();
}

fiber_activation_record_initializer::~fiber_activation_record_initializer() {
  if (--initializers == 0) {
    delete running_record;
    running_record = nullptr;
  }
}

fiber_activation_record*& fiber_activation_record::current() noexcept {
  thread_local fiber_activation_record_initializer main_context;
  return running_record;
}

}  // namespace boost::context::detail
