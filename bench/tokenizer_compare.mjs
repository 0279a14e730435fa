// Reference throughput of OpenAI's tiktoken (npm tiktoken@1.0.22: the Rust core compiled to wasm)
// on the same corpus as bench/tokenizer_bench.cpp, plus a digest of the token ids so both
// implementations can be checked for identical output on the whole corpus.
//
//   bench/run.sh installs it (npm install --prefix bench/results/node tiktoken@1.0.22) and runs this
//   script and kt_bench's BM_TokenizerEncode on the same corpus, same core; by hand:
//   (cd /tmp && npm install tiktoken@1.0.22)
//   NODE_PATH=/tmp/node_modules node bench/tokenizer_compare.mjs [corpus.txt]
//
// When the corpus file does not exist it is built (~1 MiB of English prose and documentation from
// /usr/share/common-licenses and /usr/share/doc README files) and written there.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
const require = createRequire(import.meta.url);
const { get_encoding } = require('tiktoken');

const corpusPath = process.argv[2] ?? '/tmp/kt-tokenizer-corpus.txt';
const target = 1 << 20;

function buildCorpus() {
  const parts = [];
  let size = 0;
  const add = (buf) => { if (size < target) { parts.push(buf); size += buf.length; } };
  const licenses = '/usr/share/common-licenses';
  for (const f of fs.readdirSync(licenses).sort()) {
    const p = path.join(licenses, f);
    if (fs.statSync(p).isFile()) add(fs.readFileSync(p));
  }
  const docs = '/usr/share/doc';
  for (const pkg of fs.readdirSync(docs).sort()) {
    let entries = [];
    try { entries = fs.readdirSync(path.join(docs, pkg)).sort(); } catch { continue; }
    for (const f of entries) {
      if (!/^(README|NEWS)/.test(f)) continue;
      const p = path.join(docs, pkg, f);
      try {
        if (!fs.statSync(p).isFile()) continue;
        const raw = fs.readFileSync(p);
        add(f.endsWith('.gz') ? zlib.gunzipSync(raw) : raw);
      } catch { /* unreadable: skip */ }
    }
  }
  let text = Buffer.concat(parts).subarray(0, target).toString('utf8');
  text = text.slice(0, text.lastIndexOf('\n') + 1).replace(/\uFFFD/g, '');  // whole lines, valid UTF-8
  fs.writeFileSync(corpusPath, text);
}

if (!fs.existsSync(corpusPath)) buildCorpus();
const text = fs.readFileSync(corpusPath, 'utf8');
console.log(`corpus ${corpusPath}: ${Buffer.byteLength(text)} bytes`);

// FNV-1a over the ids (as little-endian u32), the same digest tokenizer_bench prints.
function digest(ids) {
  let h = 0xcbf29ce484222325n;
  const prime = 0x100000001b3n, mask = (1n << 64n) - 1n;
  for (const id of ids) for (let s = 0; s < 32; s += 8) {
    h ^= BigInt((id >>> s) & 0xff);
    h = (h * prime) & mask;
  }
  return h.toString(16).padStart(16, '0');
}

const iterations = Number(process.env.ITERATIONS ?? 5);
for (const name of ['o200k_base', 'cl100k_base']) {
  const enc = get_encoding(name);
  const ids = enc.encode_ordinary(text);  // warm-up
  const times = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = process.hrtime.bigint();
    enc.encode_ordinary(text);
    times.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  times.sort((a, b) => a - b);
  const best = times[0], median = times[Math.floor(times.length / 2)];
  console.log(`tiktoken@1.0.22 ${name}: ${ids.length} tokens, digest ${digest(ids)}, ` +
              `median ${(ids.length / median / 1e6).toFixed(2)} M tokens/s, best ${(ids.length / best / 1e6).toFixed(2)} M tokens/s`);
  enc.free();
}
