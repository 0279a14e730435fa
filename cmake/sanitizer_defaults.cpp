// Linked into every program of the sanitizer build (KT_SANITIZE): what a finding does unless
// ASAN_OPTIONS / UBSAN_OPTIONS say otherwise. A leak is a finding, every finding aborts (so the
// test or the fuzzer that met it fails), UBSan prints the stack, and reports name source lines.
#ifndef KT_SYMBOLIZER_OPTION
#define KT_SYMBOLIZER_OPTION ""
#endif

// detect_stack_use_after_return=0: ASan's fake stacks are not told about Boost.Context fiber
// switches (fcontext has no sanitizer hooks; BOOST_USE_ASAN needs ucontext), so a frame of the API's
// store executor, live on its fiber while it waits for PostgreSQL, could be taken for one that had
// returned on the thread's own stack: a false "stack-use-after-return" in SqlStore::expire, seen once
// in postgres_leases_test (ASan's own hint names swapcontext). Every other check stays on.
extern "C" __attribute__((used, visibility("default"))) const char* __asan_default_options() {
  return "detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=0" KT_SYMBOLIZER_OPTION;
}

extern "C" __attribute__((used, visibility("default"))) const char* __ubsan_default_options() {
  return "halt_on_error=1:print_stacktrace=1" KT_SYMBOLIZER_OPTION;
}
