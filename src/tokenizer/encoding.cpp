#include "tokenizer/encoding.hpp"

#include <stdexcept>

#include "tokenizer/byte_pair_merge.hpp"
#include "tokenizer/utf8.hpp"

namespace kt::tokenizer {

// gpt-tokenizer@4.0.0 ships a cl100k variant ending in `\s+$|\s*[\r\n]|\s+(?!\S)|\s` (newer
// Python tiktoken's form); it differs from this one only for whitespace containing a newline at
// the very end of the text. We follow OpenAI's published pattern, which tiktoken@1.0.22 also uses.
const char* const kCl100kPattern =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
const char* const kO200kPattern =
    R"([^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

std::shared_ptr<const Encoding> Encoding::load(const std::string& name, const std::string& data_dir) {
  std::string pattern;
  std::vector<std::pair<std::string, uint32_t>> specials;
  if (name == "o200k_base") {
    pattern = kO200kPattern;
    specials = {{"<|endoftext|>", 199999}, {"<|endofprompt|>", 200018}};
  } else if (name == "cl100k_base") {
    pattern = kCl100kPattern;
    specials = {{"<|endoftext|>", 100257},
                {"<|fim_prefix|>", 100258},
                {"<|fim_middle|>", 100259},
                {"<|fim_suffix|>", 100260},
                {"<|endofprompt|>", 100276}};
  } else {
    throw std::invalid_argument("tokenizer: unknown encoding '" + name + "' (o200k_base or cl100k_base)");
  }
  std::string path = data_dir;
  if (!path.empty() && path.back() != '/') path += '/';
  path += name + ".tiktoken";
  return std::make_shared<const Encoding>(name, std::move(pattern), RankTable::load_file(path),
                                          std::move(specials));
}

Encoding::Encoding(std::string name, std::string pattern, RankTable ranks,
                   std::vector<std::pair<std::string, uint32_t>> specials)
    : name_(std::move(name)),
      pattern_(std::move(pattern)),
      ranks_(std::move(ranks)),
      pretokenizer_(pattern_),
      specials_(std::move(specials)) {}

template <typename F>
void Encoding::for_each_piece(std::string_view text, F&& f) const {
  if (is_valid_utf8(text)) {
    pretokenizer_.for_each_piece(text, f);
  } else {
    const std::string repaired = replace_invalid_utf8(text);
    pretokenizer_.for_each_piece(repaired, f);
  }
}

void Encoding::encode_ordinary_into(std::string_view text, std::vector<uint32_t>& out) const {
  for_each_piece(text, [&](std::string_view piece) { encode_piece(ranks_, piece, out); });
}

std::vector<uint32_t> Encoding::encode(std::string_view text) const {
  std::vector<uint32_t> out;
  out.reserve(text.size() / 4 + 4);  // ~4 bytes per token for English
  encode_ordinary_into(text, out);
  return out;
}

size_t Encoding::count(std::string_view text) const {
  size_t n = 0;
  for_each_piece(text, [&](std::string_view piece) { n += count_piece(ranks_, piece); });
  return n;
}

std::vector<uint32_t> Encoding::encode_with_special_tokens(std::string_view text) const {
  std::vector<uint32_t> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t best = std::string_view::npos;
    const std::pair<std::string, uint32_t>* hit = nullptr;
    for (const auto& special : specials_) {
      const size_t at = text.find(special.first, pos);
      if (at < best) {
        best = at;
        hit = &special;
      }
    }
    encode_ordinary_into(text.substr(pos, best == std::string_view::npos ? std::string_view::npos : best - pos),
                         out);
    if (!hit) break;
    out.push_back(hit->second);
    pos = best + hit->first.size();
  }
  return out;
}

std::string Encoding::decode(const std::vector<uint32_t>& tokens) const {
  std::string out;
  out.reserve(tokens.size() * 4);
  for (uint32_t id : tokens) {
    const std::string_view bytes = ranks_.bytes_of(id);
    if (!bytes.empty()) {
      out.append(bytes);
      continue;
    }
    bool found = false;
    for (const auto& special : specials_) {
      if (special.second == id) {
        out.append(special.first);
        found = true;
        break;
      }
    }
    if (!found) throw std::out_of_range("tokenizer: token id " + std::to_string(id) + " is not in " + name_);
  }
  return out;
}

}  // namespace kt::tokenizer
