// Assembles web/dist from wasm-bindgen's output: what trunk did for us,
// without compiling trunk (11 of a fresh machine's 26 minutes of `make run`).
//
//   node web/bundle.mjs BINDGEN_DIR DIST_DIR
//
// BINDGEN_DIR holds `web.js` and the optimized `web_bg.wasm`, and what
// wasm-split cut out of the wasm: one file per lazily loaded screen or code
// the screens share (`split_*.wasm`, `chunk_*.wasm`), and the loader
// `__wasm_split.js` that fetches them. Every asset but the loader is renamed
// STEM-HASH.EXT (the first 16 hex digits of its SHA-256), which the server
// serves as immutable for a year (api/src/spa.rs `is_content_hashed`);
// `index.html` gets preloads with subresource integrity and the one inline
// module script that starts the wasm, whose hash the server puts in its CSP.
//
// The loader keeps its name, so it is revalidated on every load: `web.js`
// imports it and it imports `web.js` back (for the wasm's memory and table),
// so one of the two must be named before the other's hash is known. The
// loader is the small one, and it is preloaded beside `web.js`.
// Node's standard library only: no package to install.

import { createHash } from 'node:crypto';
import {
  copyFileSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MARKER = '<!-- bundle -->';

const [bindgenDir, distDir] = process.argv.slice(2);
if (!bindgenDir || !distDir) {
  console.error('usage: node web/bundle.mjs BINDGEN_DIR DIST_DIR');
  process.exit(2);
}
const webDir = dirname(fileURLToPath(import.meta.url));

const digest = (algorithm, bytes, encoding) => createHash(algorithm).update(bytes).digest(encoding);

/** An asset under its content-hashed name, with its integrity value. */
function asset(source, stem, suffix) {
  const bytes = readFileSync(source);
  return {
    source,
    name: `${stem}-${digest('sha256', bytes, 'hex').slice(0, 16)}${suffix}`,
    integrity: `sha384-${digest('sha384', bytes, 'base64')}`,
  };
}

const js = asset(join(bindgenDir, 'web.js'), 'web', '.js');
const wasm = asset(join(bindgenDir, 'web_bg.wasm'), 'web', '_bg.wasm');
const css = asset(join(webDir, 'style.css'), 'style', '.css');

const LOADER = '__wasm_split.js';
const splits = readdirSync(bindgenDir)
  .filter((f) => f.endsWith('.wasm') && f !== 'web_bg.wasm')
  .sort()
  .map((f) => ({ file: f, ...asset(join(bindgenDir, f), f.slice(0, -'.wasm'.length), '.wasm') }));
if (splits.length === 0) {
  console.error(`${bindgenDir}: no split wasm; did wasm-split-cli run?`);
  process.exit(1);
}
/** The loader, pointing at the hashed names: every chunk it names must be renamed. */
function loader() {
  let text = readFileSync(join(bindgenDir, LOADER), 'utf8');
  const replace = (from, to) => {
    if (!text.includes(from)) {
      console.error(`${LOADER} does not mention ${from}`);
      process.exit(1);
    }
    text = text.split(from).join(to);
  };
  replace(`"./web.js"`, `"./${js.name}"`);
  for (const s of splits) {
    replace(`"./${s.file}"`, `"./${s.name}"`);
  }
  return text;
}

const template = readFileSync(join(webDir, 'index.html'), 'utf8');
if (template.split(MARKER).length !== 2) {
  console.error(`web/index.html must contain ${MARKER} exactly once, where the assets go`);
  process.exit(1);
}
// The script's text is hashed by the server for `script-src`, so it is
// written once here and never rewritten by anything after.
const tags = [
  `<link rel="stylesheet" href="/${css.name}" integrity="${css.integrity}" />`,
  `<link rel="modulepreload" href="/${js.name}" crossorigin="anonymous" integrity="${js.integrity}" />`,
  `<link rel="modulepreload" href="/${LOADER}" crossorigin="anonymous" />`,
  `<link rel="preload" href="/${wasm.name}" crossorigin="anonymous" integrity="${wasm.integrity}" as="fetch" type="application/wasm" />`,
  `<script type="module">import init from '/${js.name}';await init({ module_or_path: '/${wasm.name}' });</script>`,
].join('\n    ');

// Written beside the old dist and swapped in whole, so no stale asset of
// an earlier build (or its .br and .gz copies) survives.
const staging = `${distDir}.new`;
rmSync(staging, { recursive: true, force: true });
mkdirSync(staging, { recursive: true });
for (const a of [js, wasm, css, ...splits]) {
  copyFileSync(a.source, join(staging, a.name));
}
writeFileSync(join(staging, LOADER), loader());
writeFileSync(join(staging, 'index.html'), template.replace(MARKER, tags));
rmSync(distDir, { recursive: true, force: true });
renameSync(staging, distDir);
console.log(
  `${distDir}: index.html, ${js.name}, ${wasm.name}, ${css.name}, ${LOADER} and ${splits.length} split wasm files`,
);
