import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AuditExportService, AuditService, AuditVerifyService, auditEventHash } from '@app/audit';
import { Prisma, PrismaService } from '@app/db';
import { needsPostgres } from '../support/database';
import { TestApp, signUp, startTestApp } from '../support/test-app';

const d = needsPostgres('audit chain e2e') ? describe : describe.skip;

/** Seeded, so a failing case can be replayed: the seed is in the test name. */
function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let r = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = Number(process.env.AUDIT_FUZZ_SEED ?? 20261128);
const FIELDS = [
  'id',
  'tenantId',
  'seq',
  'occurredAt',
  'actorType',
  'actorId',
  'action',
  'targetType',
  'targetId',
  'requestId',
  'metadata',
  'prevHash',
  'hash',
] as const;
class Rollback extends Error {}
type Tx = Prisma.TransactionClient;

d('audit chain: tamper fuzz and concurrent writers', () => {
  let t: TestApp;
  let dataDir: string;
  let prisma: PrismaService;
  let audit: AuditService;
  let verifier: AuditVerifyService;
  let tenantId: string;
  let lastSeq: number;
  let exportedThrough: number;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'audit-chain-'));
    const key = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    t = await startTestApp({ DATA_DIR: dataDir, DATABASE_POOL_SIZE: '20', AUDIT_SIGNING_KEY: key });
    prisma = t.app.get(PrismaService);
    audit = t.app.get(AuditService);
    verifier = t.app.get(AuditVerifyService);
    tenantId = (await signUp(t.http, 'Chained')).tenantId;
    // 1,100 more events, 50 to a transaction, with varied metadata (unicode, nesting, numbers).
    for (let b = 0; b < 22; b++) {
      await prisma.$transaction(async (tx) => {
        for (let i = 0; i < 50; i++) {
          const n = b * 50 + i;
          await audit.append(tx, tenantId, {
            actor: n % 3 ? { type: 'user', id: `usr_${n % 7}` } : { type: 'system', id: null },
            action: ['inference.predict', 'model.publish', 'api_key.create'][n % 3]!,
            target: n % 4 ? { type: 'model', id: `mdl_${n % 11}` } : undefined,
            requestId: n % 5 ? `req_${n}` : null,
            metadata: {
              n,
              note: 'ünïcode ✓ "quoted"',
              nested: { list: [1, 2.5, true, null, 'x'], deep: { k: n * 1.25 } },
            },
          });
        }
      });
    }
    // A signed export up to about seq 900: the digest later catches a cut tail.
    const at900 = await prisma.auditEvent.findUniqueOrThrow({ where: { tenantId_seq: { tenantId, seq: 900n } } });
    const x = await t.app
      .get(AuditExportService)
      .export(tenantId, { type: 'system', id: null }, null, { to: at900.occurredAt });
    exportedThrough = x.toSeq;
    lastSeq = Number((await prisma.auditChainHead.findUniqueOrThrow({ where: { tenantId } })).lastSeq);
  }, 120_000);
  afterAll(async () => {
    await t.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  /** Tampers as the database superuser with triggers off, verifies in the same transaction, rolls back. */
  async function tampered(tamper: (tx: Tx) => Promise<void>) {
    let result: Awaited<ReturnType<AuditVerifyService['verify']>> | undefined;
    await prisma
      .$transaction(
        async (tx) => {
          await tx.$executeRawUnsafe('SET LOCAL session_replication_role = replica');
          await tamper(tx);
          result = await verifier.verify(tenantId, {}, tx);
          throw new Rollback();
        },
        { timeout: 60_000 },
      )
      .catch((e) => {
        if (!(e instanceof Rollback)) throw e;
      });
    return result!;
  }

  const flip = (s: string, rnd: () => number) => {
    const i = Math.floor(rnd() * s.length);
    const c = s[i] === 'a' ? 'b' : 'a';
    return s.slice(0, i) + c + s.slice(i + 1);
  };

  it('the untampered chain verifies (whole, and any time range)', async () => {
    expect(await verifier.verify(tenantId)).toEqual({ ok: true, checked: lastSeq, firstBadSeq: null });
    const rnd = prng(SEED + 1);
    for (let i = 0; i < 10; i++) {
      const a = 1 + Math.floor(rnd() * lastSeq);
      const b = a + Math.floor(rnd() * (lastSeq - a + 1));
      const [ea, eb] = await Promise.all(
        [a, b].map((s) =>
          prisma.auditEvent.findUniqueOrThrow({ where: { tenantId_seq: { tenantId, seq: BigInt(s) } } }),
        ),
      );
      const r = await verifier.verify(tenantId, { from: ea!.occurredAt, to: eb!.occurredAt });
      expect(r.ok).toBe(true);
    }
  });

  it(`catches every one of 200 random tamperings with the first bad seq (seed ${SEED})`, async () => {
    const rnd = prng(SEED);
    const pick = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
    const seen = new Map<string, number>();
    for (let c = 0; c < 200; c++) {
      const kind = ['field', 'delete', 'swap', 'forge', 'truncate'][c % 5]!;
      let expected: number;
      let label: string = kind;
      let tamper: (tx: Tx) => Promise<void>;
      if (kind === 'field') {
        const s = pick(1, lastSeq);
        const field = FIELDS[pick(0, FIELDS.length - 1)]!;
        label = `field:${field}`;
        expected = s;
        tamper = async (tx) => {
          const row = (
            await tx.$queryRawUnsafe<Record<string, unknown>[]>(
              `SELECT * FROM audit_events WHERE "tenantId" = $1 AND seq = $2`,
              tenantId,
              s,
            )
          )[0]!;
          const where = `WHERE "tenantId" = $1 AND seq = ${s}`;
          if (field === 'seq')
            await tx.$executeRawUnsafe(`UPDATE audit_events SET seq = $2 ${where}`, tenantId, BigInt(s) + 10_000_000n);
          else if (field === 'occurredAt')
            await tx.$executeRawUnsafe(
              `UPDATE audit_events SET "occurredAt" = "occurredAt" + $2 * interval '1 millisecond' ${where}`,
              tenantId,
              pick(1, 1e9) * (rnd() < 0.5 ? -1 : 1),
            );
          else if (field === 'metadata')
            await tx.$executeRawUnsafe(
              `UPDATE audit_events SET metadata = jsonb_set(metadata, '{n}', to_jsonb((metadata->>'n')::int + 1)) ${where}`,
              tenantId,
            );
          else {
            const old = row[field] as string | null;
            await tx.$executeRawUnsafe(
              `UPDATE audit_events SET "${field}" = $2 ${where}`,
              tenantId,
              old === null ? 'x' : flip(old, rnd),
            );
          }
        };
      } else if (kind === 'delete') {
        const s = pick(1, lastSeq);
        expected = s;
        tamper = async (tx) => {
          await tx.$executeRaw`DELETE FROM audit_events WHERE "tenantId" = ${tenantId} AND seq = ${s}`;
        };
      } else if (kind === 'swap') {
        const s = pick(1, lastSeq - 1);
        const u = pick(s + 1, lastSeq);
        expected = s;
        tamper = async (tx) => {
          await tx.$executeRaw`UPDATE audit_events SET seq = -1 WHERE "tenantId" = ${tenantId} AND seq = ${s}`;
          await tx.$executeRaw`UPDATE audit_events SET seq = ${s} WHERE "tenantId" = ${tenantId} AND seq = ${u}`;
          await tx.$executeRaw`UPDATE audit_events SET seq = ${u} WHERE "tenantId" = ${tenantId} AND seq = -1`;
        };
      } else if (kind === 'forge') {
        // A well-formed event (hash recomputed the way the service does) at the tail, below the
        // start, or with a junk hash.
        const variant = pick(0, 2);
        label = `forge:${['tail', 'below-start', 'junk-hash'][variant]}`;
        const seq = variant === 1 ? 0 : lastSeq + 1;
        expected = seq;
        tamper = async (tx) => {
          const last = await tx.auditEvent.findUniqueOrThrow({
            where: { tenantId_seq: { tenantId, seq: BigInt(lastSeq) } },
          });
          const e = {
            id: `aud_forged${c}`,
            tenantId,
            seq: BigInt(seq),
            occurredAt: new Date(),
            actorType: 'user',
            actorId: 'usr_0',
            action: 'api_key.revoke',
            targetType: null,
            targetId: null,
            requestId: null,
            metadata: {},
            prevHash: last.hash,
          };
          const hash = variant === 2 ? 'f'.repeat(64) : auditEventHash(e);
          await tx.auditEvent.create({ data: { ...e, hash } });
        };
      } else {
        // Cut the tail; half the time also rewind the head, so only the export's digest can tell.
        const rewind = rnd() < 0.5;
        const k = rewind ? pick(2, exportedThrough) : pick(2, lastSeq);
        label = `truncate${rewind ? '+rewind-head' : ''}`;
        expected = k;
        tamper = async (tx) => {
          await tx.$executeRaw`DELETE FROM audit_events WHERE "tenantId" = ${tenantId} AND seq >= ${k}`;
          if (rewind) {
            const prev = await tx.auditEvent.findUniqueOrThrow({
              where: { tenantId_seq: { tenantId, seq: BigInt(k - 1) } },
            });
            await tx.auditChainHead.update({ where: { tenantId }, data: { lastSeq: prev.seq, lastHash: prev.hash } });
          }
        };
      }
      const r = await tampered(tamper);
      if (r.ok || r.firstBadSeq !== BigInt(expected))
        throw new Error(
          `case ${c} (${label}) not caught as expected: wanted ${expected}, got ${JSON.stringify({ ...r, firstBadSeq: r.firstBadSeq?.toString() })}`,
        );
      seen.set(label, (seen.get(label) ?? 0) + 1);
      if (c % 20 === 19) expect((await verifier.verify(tenantId)).ok).toBe(true); // rolled back: clean again
    }
    expect([...seen.values()].reduce((a, b) => a + b, 0)).toBe(200);
    expect(seen.get('delete')).toBe(40);
  }, 300_000);

  it('50 concurrent writers on one tenant: no fork, no gap, and verification during the writes never errs', async () => {
    const fresh = (await signUp(t.http, 'Busy')).tenantId;
    const verdicts: boolean[] = [];
    let writing = true;
    const checker = (async () => {
      while (writing) verdicts.push((await verifier.verify(fresh)).ok);
    })();
    await Promise.all(
      Array.from({ length: 50 }, async (_, w) => {
        for (let i = 0; i < 8; i++) {
          await prisma.$transaction((tx) =>
            audit.append(tx, fresh, {
              actor: { type: 'api_key', id: `key_${w}` },
              action: 'inference.predict',
              requestId: `req_${w}_${i}`,
              metadata: { w, i },
            }),
          );
        }
      }),
    );
    writing = false;
    await checker;
    const rows = await prisma.auditEvent.findMany({
      where: { tenantId: fresh },
      orderBy: { seq: 'asc' },
      select: { seq: true },
    });
    expect(rows.map((r) => Number(r.seq))).toEqual(Array.from({ length: rows.length }, (_, i) => i + 1));
    expect(rows.length).toBe(400 + 2); // plus tenant.create and user.sign_up
    expect(await verifier.verify(fresh)).toEqual({ ok: true, checked: 402, firstBadSeq: null });
    expect(verdicts.length).toBeGreaterThan(0);
    expect(verdicts.every(Boolean)).toBe(true);
  }, 120_000);
});
