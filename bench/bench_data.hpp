#pragma once
// Inputs shared by the micro-benchmarks: chat request bodies shaped like the side-by-side
// harness's (system + user message, ~1.1 KB), prompts for the content filter, and the tokenizer
// corpus. Written here (not read from ../shared/bench) so the benchmarks run from a fresh clone.
#include <string>
#include <vector>

namespace kt::bench {

// Non-streaming chat request, ~1.1 KB.
const std::string& chat_body();
// The same with "stream":true and "stream_options":{"include_usage":true} (nothing to rewrite).
const std::string& chat_stream_body();
// "stream":true without stream_options: the gateway inserts include_usage (the cheap edit).
const std::string& chat_stream_body_no_options();
// "stream":true with stream_options lacking include_usage: the full re-serialisation path.
const std::string& chat_stream_body_other_options();

// A typical multi-turn chat request, ~2.5 KB: system, four user and three assistant turns (one
// with a tool call), a tool result and one tool definition. What the duplicate-key check is timed on.
const std::string& chat_body_2_5kb();

// The two message texts of chat_body(): what the content filter and the token count see.
const std::string& system_prompt();
const std::string& user_prompt();
// A longer, ordinary prompt (~8 KB of technical prose) with no flagged term.
const std::string& long_clean_prompt();
// A prompt containing terms of two content categories.
const std::string& flagged_prompt();

// Tokenizer corpus: the file named by $KT_TOKENIZER_CORPUS when set (bench/run.sh points it at the
// 1 MiB corpus bench/tokenizer_compare.mjs also encodes), else the prompts above repeated to ~64 KB.
const std::string& tokenizer_corpus();
std::string tokenizer_corpus_name();

}  // namespace kt::bench
