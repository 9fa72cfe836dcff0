import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigError, loadConfig, startupProfile } from '@app/common';
import { openEmbeddedDatabase, preflightDatabase } from '@app/db';

async function main(): Promise<void> {
  const bootstrap = performance.nodeTiming.bootstrapComplete;
  startupProfile.record('node bootstrap', 0, bootstrap);
  const config = loadConfig();
  await preflightDatabase(config.DATABASE_URL);
  // Embedded mode: PGlite starts opening first; what it does off the main thread (reading and
  // compiling its WASM) overlaps the application's module graph loading below.
  if (!config.DATABASE_URL) await openEmbeddedDatabase(config.DATA_DIR).catch(() => undefined);
  const required = performance.now();
  const { createApp } = await import('./app.factory');
  startupProfile.record('module graph (require the app)', required);
  const app = await createApp();
  await startupProfile.time('listen', () => app.listen(config.PORT, config.HOST));
  const phases = startupProfile.phases().map((p) => ({ name: p.name, ms: Math.round(p.ms), atMs: Math.round(p.atMs) }));
  new Logger('Startup').debug({
    phases,
    msg: `listening ${performance.now().toFixed(0)} ms after process start; phases:\n${startupProfile.format()}`,
  });
  const url = config.PUBLIC_URL ?? `http://localhost:${config.PORT}`;
  const mode = config.DATABASE_URL ? 'PostgreSQL' : `embedded PGlite in ${config.DATA_DIR}`;
  // Printed, not logged: this is for the person who just typed `npm start`.
  process.stdout.write(
    [
      '',
      `  Model service is running at ${url}  (database: ${mode}; ${config.REDIS_URL ? 'Redis' : 'in-process limits and queue'})`,
      `  Portal:   ${url}/`,
      `  GraphQL:  ${url}/graphql${config.isProduction ? '' : `  (GraphiQL at ${url}/graphiql)`}`,
      '  First API key: sign up in the portal (or the signUp mutation), then create a key under',
      '  "API keys" (or the createApiKey mutation). Call models with  Authorization: Bearer mk_live_...',
      '',
    ].join('\n') + '\n',
  );
}

main().catch((err) => {
  // A configuration or setup problem is one line that says what to do, not a stack trace.
  console.error(err instanceof ConfigError ? err.message : err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
