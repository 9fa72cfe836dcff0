/**
 * npm run audit:verify-export -- <export.jsonl> [<export.digest.json>] [--public-key <key.pem>]
 * Checks an export offline: signature, file SHA-256, every event hash and link. Pin the
 * platform's public key (query auditSigningKey) with --public-key: without it, the key inside
 * the digest is used, which proves integrity but not who signed.
 * Exit status 0: valid; 1: invalid; 2: usage or error.
 */
import { createPublicKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { verifyExport } from '../export/export-verifier';

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { 'public-key': { type: 'string' }, json: { type: 'boolean' } },
  });
  const [jsonl, digestArg] = positionals;
  if (!jsonl) {
    console.error('usage: verify-export <export.jsonl> [<export.digest.json>] [--public-key <key.pem>]');
    return 2;
  }
  const digest = digestArg ?? jsonl.replace(/\.jsonl$/, '') + '.digest.json';
  const pinned = values['public-key'] ? createPublicKey(await readFile(values['public-key'], 'utf8')) : undefined;
  const r = await verifyExport(jsonl, digest, pinned);
  if (values.json) console.log(JSON.stringify(r));
  else {
    console.log(
      `${r.ok ? 'VALID' : 'INVALID'}  ${jsonl}  events=${r.count}  key=${r.keyId}${r.keyPinned ? ' (pinned)' : ' (from the digest: pass --public-key to pin)'}`,
    );
    for (const p of r.problems) console.log(`  - ${p}`);
  }
  return r.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(2);
  },
);
