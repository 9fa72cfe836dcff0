// Lets plain `node` run TypeScript benches: compiles .ts with @swc/core on require and
// resolves the @app/<lib> aliases from tsconfig.json's paths. No type checking (tsc does that).
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const { transformSync } = require('@swc/core');

const root = path.resolve(__dirname, '../..');
const { compilerOptions } = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.json'), 'utf8'));
const aliases = Object.entries(compilerOptions.paths).map(([pattern, [target]]) => ({
  prefix: pattern.replace(/\*$/, ''),
  wildcard: pattern.endsWith('*'),
  target: path.join(root, compilerOptions.baseUrl || '.', target.replace(/\*$/, '')),
}));

const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  for (const a of aliases) {
    if (a.wildcard ? request.startsWith(a.prefix) : request === a.prefix) {
      return resolve.call(this, a.wildcard ? a.target + request.slice(a.prefix.length) : a.target, ...rest);
    }
  }
  return resolve.call(this, request, ...rest);
};

require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    sourceMaps: 'inline',
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};
