#pragma once
// Public entry point of kt_tokenizer: tiktoken-compatible token counting (o200k_base, cl100k_base).
#include "tokenizer/chat_count.hpp"
#include "tokenizer/encoding.hpp"
#include "tokenizer/tokenizers.hpp"
