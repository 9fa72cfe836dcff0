import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { loadConfig, PlatformConfig } from '../lib/config';
import { buildPlatform, Platform } from '../lib/platform';

export const TEST_ENV = { account: '123456789012', region: 'eu-west-1' };

/** Builds the whole platform once; images are referenced by tag, so nothing needs Docker. */
export function synthPlatform(overrides: Partial<PlatformConfig> = {}): {
  app: App;
  platform: Platform;
  config: PlatformConfig;
} {
  const app = new App({ context: { 'maas:imageTag': 'test-sha' } });
  const config = loadConfig(app, { ...TEST_ENV, ...overrides });
  return { app, platform: buildPlatform(app, config), config };
}

export function templateOf(stack: import('aws-cdk-lib').Stack): Template {
  return Template.fromStack(stack);
}
