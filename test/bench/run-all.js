#!/usr/bin/env node
// npm run bench [-- <name> ...]: runs each test/bench/<name>.bench.ts in its own process, one
// after the other (parallel runs would measure each other). Each prints its own table of
// ratios against a baseline measured in the same run. Some need `npm run build` first
// (inference-e2e's cold start) and PostgreSQL/Redis (DATABASE_URL / REDIS_URL or the local defaults).
const { spawnSync } = require('node:child_process');
const { readdirSync } = require('node:fs');
const path = require('node:path');

const dir = __dirname;
const wanted = process.argv.slice(2);
const benches = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => !wanted.length || wanted.some((w) => f.startsWith(w)))
  .sort();
let failed = 0;
for (const file of benches) {
  console.log(`\n=== ${file}`);
  const res = spawnSync(process.execPath, ['--require', path.join(dir, 'register.js'), path.join(dir, file)], {
    stdio: 'inherit',
    env: process.env,
  });
  if (res.status !== 0) {
    failed++;
    console.error(`${file} exited with ${res.status}`);
  }
}
process.exit(failed ? 1 : 0);
