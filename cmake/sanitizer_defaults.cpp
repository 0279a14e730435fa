// Linked into every program of the sanitizer build (KT_SANITIZE): what a finding does unless
// ASAN_OPTIONS / UBSAN_OPTIONS say otherwise. A leak is a finding, every finding aborts (so the
// test or the fuzzer that met it fails), UBSan prints the stack, and reports name source lines.
#ifndef KT_SYMBOLIZER_OPTION
#define KT_SYMBOLIZER_OPTION ""
#endif

extern "C" __attribute__((used, visibility("default"))) const char* __asan_default_options() {
  return "detect_leaks=1:abort_on_error=1" KT_SYMBOLIZER_OPTION;
}

extern "C" __attribute__((used, visibility("default"))) const char* __ubsan_default_options() {
  return "halt_on_error=1:print_stacktrace=1" KT_SYMBOLIZER_OPTION;
}
