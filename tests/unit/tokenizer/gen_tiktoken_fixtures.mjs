// Regenerates tiktoken_fixtures.txt: reference encodings from OpenAI's tiktoken (the npm build
// tiktoken@1.0.22, Rust compiled to wasm) for inputs that gpt-tokenizer's TestPlans.txt does not
// cover: newlines, trailing whitespace, code, long pieces, combining marks and seeded random text.
//
//   cd /tmp && npm install tiktoken@1.0.22
//   NODE_PATH=/tmp/node_modules node tests/unit/tokenizer/gen_tiktoken_fixtures.mjs > tests/unit/tokenizer/tiktoken_fixtures.txt
//
// Format, one case per line: <encoding> TAB <hex of the UTF-8 input> TAB <ids separated by ','>
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const { get_encoding } = require('tiktoken');

const fixed = [
  'hello\n', 'hello\n  ', 'hello \n\n', 'a\n\n\nb', 'x\r\ny\r\n', '\n', '   ', '\t\tindent\n\t}',
  'line one\nline two\n\n  indented\n', 'trailing spaces   ', '  leading', 'a  b   c    d',
  "I'm sure you'll see they've done it, DON'T YOU? IT'S HIS. We'D go",
  'def f(x):\n    return x ** 2  # square\n\n\nprint(f(3))\n',
  'if (a != b && c >= 10) { return "ok"; } else { throw new Error(`bad ${a}`); }',
  '{"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}',
  'https://example.com/path/to/file.html?query=1&x=2#frag', 'a/b//c///d', 'CamelCaseWordsAndHTTPServer',
  'getHTTPResponseCode XMLHttpRequest iPhone eBay McDonald', '1234567890 123 4567 1,000,000.50 3.14159',
  'e\u0301te\u0301 cafe\u0301 na\u0308ive', 'नमस्ते दुनिया', '👩‍👩‍👧‍👦 🏳️‍🌈 ✊🏽', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝟙𝟚𝟛',
  '\u00a0non\u00a0breaking\u2003em\u3000ideographic', 'tab\tseparated\tvalues\n1\t2\t3\n',
  '...!!!???---___===+++', ' ?!', '“smart quotes” and ‘single’ — dashes – here', 'ÀÉÎÕÜ àéîõü ß ẞ',
  'Kelvin \u212a and long s \u017f: it\u2019s fine; it\'\u017f odd; IT\'\u212a',
  'x'.repeat(300), ' '.repeat(400) + 'end', '\n'.repeat(50), 'ab'.repeat(150) + '\n' + ' '.repeat(20),
  'QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0NTY3ODkrLw'.repeat(4),
  '0'.repeat(100), '!'.repeat(257), '中文文本没有空格分隔所以一个片段可能很长'.repeat(8),
];

// Seeded xorshift32 so the file is reproducible.
let seed = 0x9e3779b9;
const rnd = (n) => {
  seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0;
  return seed % n;
};
const palette = [
  ...'abcdefghijklmnopqrstuvwxyz', ...'ABCDEFGHIJKLMNOPQRSTUVWXYZ', ...'0123456789', ...'      ',
  '\n', '\n', '\r', '\t', ...".,;:!?'\"()[]{}<>/\\-_=+*&^%$#@~`|", "'s", "'LL", "'ve", 'é', 'ñ', 'ü', 'ß',
  '\u0301', '\u0308', 'ж', 'Ω', 'λ', '中', '文', 'の', 'カ', '한', 'ا', 'ה', 'क', '्', '😀', '👍🏽', '🇫🇷',
  '\u00a0', '\u3000', '™', '€', '½', '²', '٣', 'Ⅻ',
];
const random = [];
for (let i = 0; i < 60; i++) {
  let s = '';
  const len = 1 + rnd(60);
  for (let j = 0; j < len; j++) s += palette[rnd(palette.length)];
  random.push(s);
}

const hex = (s) => Buffer.from(s, 'utf8').toString('hex');
for (const name of ['cl100k_base', 'o200k_base']) {
  const enc = get_encoding(name);
  for (const s of [...fixed, ...random]) {
    console.log(`${name}\t${hex(s)}\t${Array.from(enc.encode_ordinary(s)).join(',')}`);
  }
  enc.free();
}
