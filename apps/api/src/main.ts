import 'reflect-metadata';
import { ConfigError, loadConfig } from '@app/common';
import { preflightDatabase } from '@app/db';
import { createApp } from './app.factory';

async function main(): Promise<void> {
  const config = loadConfig();
  await preflightDatabase(config.DATABASE_URL);
  const app = await createApp();
  await app.listen(config.PORT, config.HOST);
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
  console.error(err instanceof ConfigError ? err.message : err instanceof Error ? err.stack ?? err.message : err);
  process.exit(1);
});
