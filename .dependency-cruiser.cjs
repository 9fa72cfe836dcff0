// Lint for the shape of the code (npm run lint): libraries form layers with every import pointing
// down, and another library is only ever reached through its index.ts. The layer order is
// DESIGN.md's, made exact here; the README's picture is rendered from this list and the code
// (.dependency-cruiser-readme.cjs), so neither can drift.

/** Bottom up. A library may import only the ones before it in this list. */
const LAYERS = [
  ['common', 'config, errors, ids, logging, metrics, pagination, Redis, abuse-limit counters'],
  ['storage', 'the blob store port: a local folder or S3; presigned PUT/GET URLs'],
  ['mail', 'outgoing e-mail: SMTP through nodemailer, or .eml files in DATA_DIR/mail'],
  ['db', 'PrismaService, the tenant-scoped client, migrations'],
  ['auth', 'principal, request context, scopes, auth decorators'],
  ['audit', 'the hash-chained audit log: append (single and batch), export, verification'],
  ['tenancy', 'users, tenants, memberships, sessions, invitations'],
  ['api-keys', 'key format, hashing, verification cache'],
  ['metering', 'usage records and aggregates'],
  ['quotas', 'plans, admission (rate + concurrency), monthly quota leases, budgets'],
  ['inference', 'TF.js runtime: backends, model cache, micro-batching, validation, worker client'],
  ['models', 'registry, versions, aliases, artifact store, uploads, built-in catalog'],
  ['ledger', 'the one writer of inference effects (group commit), Idempotency-Key store'],
  ['monitoring', 'per-model call statistics, latency histograms, input drift (PSI), modelMonitoring'],
  ['serving', 'real-time predictions: GraphQL predict, OIP v2, TF Serving REST'],
  ['queue', 'job queue transport: in-process, BullMQ, SQS'],
  ['jobs', 'async inference jobs and their webhooks'],
  ['training', 'the model lifecycle: datasets, training jobs (a job kind), evaluation, quantised copies'],
  ['billing', 'Stripe: customers, checkout, meter-event outbox, webhooks, reconciliation'],
  ['duties', 'background duties where jobs are consumed: meter flusher, audit purge'],
  ['backup', 'operator commands: backup and restore of an installation'],
];

const names = LAYERS.map(([name]) => name);
const layerRules = names
  .map((name, i) => {
    const above = names.slice(i + 1);
    return above.length === 0
      ? null
      : {
          name: `layer-${name}`,
          comment: `${name} may only import libraries below it: ${names.slice(0, i).join(', ') || 'none'}`,
          severity: 'error',
          from: { path: `^libs/${name}/` },
          to: { path: `^libs/(${above.join('|')})/` },
        };
  })
  .filter(Boolean);

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No import cycles, inside a library or across them.',
      severity: 'error',
      from: { path: '^(libs|apps)/' },
      to: { circular: true },
    },
    {
      name: 'lib-through-index',
      comment: 'Another library is reached through its index.ts (its @app/<lib> alias), never its internals.',
      severity: 'error',
      from: { path: '^libs/([^/]+)/' },
      to: { path: '^libs/[^/]+/src/', pathNot: ['^libs/$1/', '^libs/[^/]+/src/index\\.ts$'] },
    },
    {
      name: 'app-through-index',
      comment: 'Apps use libraries through their index.ts.',
      severity: 'error',
      from: { path: '^apps/(api|worker)/' },
      to: { path: '^libs/[^/]+/src/', pathNot: ['^libs/[^/]+/src/index\\.ts$'] },
    },
    {
      name: 'libs-not-apps',
      comment: 'Libraries never import an app.',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    ...layerRules,
  ],
  // (LAYERS is read by .dependency-cruiser-readme.cjs through module.exports.layers below.)
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['node_modules', 'dist', 'libs/db/src/generated', '\\.spec\\.ts$', 'apps/portal'] },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.json'] },
  },
};

Object.defineProperty(module.exports, 'layers', { value: LAYERS, enumerable: false });
