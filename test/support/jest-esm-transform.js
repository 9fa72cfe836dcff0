// Jest on Node 20 cannot require() ES modules, while Node 20.19+ itself can, and several
// dependencies now ship ESM only (NestJS 12, content-disposition, bs58's deps...). This
// transformer turns ES modules from node_modules into CommonJS with swc, for tests only;
// CommonJS files pass through untouched. The built app does not use it.
const { transformSync } = require('@swc/core');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const typeCache = new Map();
function packageType(dir) {
  if (typeCache.has(dir)) return typeCache.get(dir);
  let type;
  const pj = path.join(dir, 'package.json');
  if (fs.existsSync(pj)) {
    try {
      const p = JSON.parse(fs.readFileSync(pj, 'utf8'));
      // Nested package.json files without "type" or "name" (e.g. dist/cjs markers) still decide.
      type = p.type === 'module' ? 'module' : 'commonjs';
    } catch {
      type = 'commonjs';
    }
  } else {
    const up = path.dirname(dir);
    type = up === dir ? 'commonjs' : packageType(up);
  }
  typeCache.set(dir, type);
  return type;
}

function isEsm(filename) {
  if (filename.endsWith('.mjs')) return true;
  if (filename.endsWith('.cjs')) return false;
  return packageType(path.dirname(filename)) === 'module';
}

const DYNAMIC_IMPORT = /(?<![\w$.])import\(/;
const DYNAMIC_IMPORT_ALL = /(?<![\w$.])import\(/g;

module.exports = {
  getCacheKey(src, filename) {
    return createHash('sha1').update('esm-v3').update(filename).update(src).digest('hex');
  },
  process(src, filename) {
    if (!isEsm(filename)) {
      // CommonJS that loads an ES module with import() (e.g. @fastify/cookie): Jest's VM has no
      // dynamic import without --experimental-vm-modules, so route it through require().
      if (!DYNAMIC_IMPORT.test(src)) return { code: src };
      return {
        code: `const __jestDynamicImport = (s) => Promise.resolve().then(() => require(s));\n${src.replace(DYNAMIC_IMPORT_ALL, '__jestDynamicImport(')}`,
      };
    }
    const patched = src
      .replace(/import\.meta\.url/g, "require('node:url').pathToFileURL(__filename).href")
      .replace(/import\.meta\.dirname/g, '__dirname')
      .replace(/import\.meta\.filename/g, '__filename');
    const out = transformSync(patched, {
      filename,
      sourceMaps: false,
      module: { type: 'commonjs', ignoreDynamic: false },
      jsc: { target: 'es2022', parser: { syntax: 'ecmascript' } },
    });
    return { code: out.code };
  },
};
