import { accountConfigFromEnv } from './account-config';

describe('SIGNUP_SESSION', () => {
  it('defaults to after-verification only where mail can reach people: production with SMTP_URL', () => {
    expect(accountConfigFromEnv({ NODE_ENV: 'production', SMTP_URL: 'smtp://mail:587' }).SIGNUP_SESSION).toBe(
      'after-verification',
    );
    expect(accountConfigFromEnv({ NODE_ENV: 'production' }).SIGNUP_SESSION).toBe('immediate');
    expect(accountConfigFromEnv({ NODE_ENV: 'development', SMTP_URL: 'smtp://mail:587' }).SIGNUP_SESSION).toBe(
      'immediate',
    );
    expect(accountConfigFromEnv({}).SIGNUP_SESSION).toBe('immediate');
  });

  it('is taken as set; after-verification in production without a mail server stops the start', () => {
    expect(accountConfigFromEnv({ SIGNUP_SESSION: 'after-verification' }).SIGNUP_SESSION).toBe('after-verification');
    expect(
      accountConfigFromEnv({ NODE_ENV: 'production', SMTP_URL: 'smtp://mail:587', SIGNUP_SESSION: 'immediate' })
        .SIGNUP_SESSION,
    ).toBe('immediate');
    expect(() => accountConfigFromEnv({ NODE_ENV: 'production', SIGNUP_SESSION: 'after-verification' })).toThrow(
      /SIGNUP_SESSION: after-verification needs SMTP_URL in production/,
    );
    expect(() => accountConfigFromEnv({ SIGNUP_SESSION: 'later' })).toThrow(/SIGNUP_SESSION/);
  });

  it('a device cookie key shorter than 32 characters is refused', () => {
    expect(() => accountConfigFromEnv({ AUTH_DEVICE_COOKIE_SECRET: 'short' })).toThrow(/AUTH_DEVICE_COOKIE_SECRET/);
  });
});
