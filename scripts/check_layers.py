#!/usr/bin/env python3
"""Fails when an #include in src/ crosses a layer the wrong way (ARCHITECTURE.md, "Layers").

Every folder under src/ is a layer; a file may include its own layer and the layers listed for it
below, nothing else. A new folder must be added here (an unknown layer fails), so the rule cannot
be skipped by accident. Usage: scripts/check_layers.py [SRC_DIR]"""
import pathlib
import re
import sys

ALLOWED = {
    "core": set(),
    "tokenizer": {"core"},
    "http": {"core"},
    "spool": {"core"},
    "config": {"core"},
    "ledger": {"core"},
    "wire": {"core", "ledger", "spool"},
    "policies": {"core", "config", "tokenizer"},
    "providers": {"core", "config", "http"},
    "api": {"core", "http", "ledger", "wire"},
    "gateway": {"core", "http", "spool", "config", "ledger", "wire", "policies", "providers", "tokenizer"},
    "cli": {"core", "http", "config", "ledger", "wire", "api", "gateway", "policies"},
}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z_]+)/')


def main() -> int:
    src = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).parent.parent / "src")
    problems = []
    layers = {p.name for p in src.iterdir() if p.is_dir()}
    for unknown in sorted(layers - ALLOWED.keys()):
        problems.append(f"src/{unknown}/: a folder that is no layer in scripts/check_layers.py")
    files = [p for p in src.rglob("*") if p.suffix in (".hpp", ".cpp", ".h")]
    for path in sorted(files):
        layer = path.relative_to(src).parts[0]
        allowed = ALLOWED.get(layer, set()) | {layer}
        for n, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            m = INCLUDE.match(line)
            if m and m.group(1) in layers and m.group(1) not in allowed:
                problems.append(f"{path.relative_to(src.parent)}:{n}: {layer} includes {m.group(1)}/ "
                                f"(allowed: {', '.join(sorted(allowed - {layer})) or 'nothing'})")
    for p in problems:
        print(p)
    print(f"layers: {len(files)} files, {len(problems)} crossing(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
