import { createHash, KeyObject, verify } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { keyIdOf, publicKeyFromBase64 } from './audit-signer';
import { EXPORT_FORMAT, ExportDigestFile, signedBytes } from './export-digest';
import { chainEventOfLine } from './export-line';
import { ChainVerifier } from '../verify/chain-verifier';

export interface ExportCheck {
  ok: boolean;
  count: number;
  firstBadSeq: string | null;
  problems: string[];
  keyId: string | null;
  /** False when no public key was pinned: the digest's own key was used. */
  keyPinned: boolean;
}

/**
 * Checks an export offline, needing nothing but the two files (and, to be meaningful, the
 * platform's public key): the digest's signature, the file's SHA-256, and every event's hash
 * and link from the digest's prevHash to its lastHash.
 */
export async function verifyExport(jsonlPath: string, digestPath: string, pinned?: KeyObject): Promise<ExportCheck> {
  const problems: string[] = [];
  const digest = JSON.parse(await readFile(digestPath, 'utf8')) as ExportDigestFile;
  if (digest.format !== EXPORT_FORMAT) problems.push(`unknown format ${String(digest.format)}`);
  const key = pinned ?? publicKeyFromBase64(digest.signature?.publicKey ?? '');
  const keyId = keyIdOf(key);
  if (keyId !== digest.keyId) problems.push(`digest names key ${digest.keyId}, verifying with ${keyId}`);
  if (!verify(null, signedBytes(digest), key, Buffer.from(digest.signature?.value ?? '', 'base64')))
    problems.push('digest signature does not verify');

  const sha = createHash('sha256');
  const chain = new ChainVerifier({ seq: BigInt(digest.fromSeq) - 1n, hash: digest.prevHash });
  let count = 0;
  let pending = '';
  const decoder = new StringDecoder('utf8'); // a character may straddle two chunks
  const onLine = (line: string) => {
    count++;
    try {
      const e = chainEventOfLine(line);
      if (e.tenantId !== digest.tenantId) chain.fail(e.seq);
      else chain.push(e);
    } catch {
      chain.fail(chain.head.seq + 1n);
    }
  };
  for await (const chunk of createReadStream(jsonlPath)) {
    sha.update(chunk as Buffer);
    pending += decoder.write(chunk as Buffer);
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  }
  pending += decoder.end();
  if (pending) onLine(pending);
  if (sha.digest('hex') !== digest.sha256) problems.push('file SHA-256 differs from the digest');
  if (count !== digest.count) problems.push(`digest says ${digest.count} events, file has ${count}`);
  if (chain.ok && (chain.head.seq.toString() !== digest.toSeq || chain.head.hash !== digest.lastHash)) {
    chain.fail(chain.head.seq + 1n);
    problems.push("the chain does not end at the digest's toSeq/lastHash");
  }
  if (!chain.ok) problems.push(`chain broken at seq ${chain.firstBadSeq}`);
  return {
    ok: problems.length === 0,
    count,
    firstBadSeq: chain.firstBadSeq?.toString() ?? null,
    problems,
    keyId,
    keyPinned: !!pinned,
  };
}
