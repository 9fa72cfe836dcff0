import type {} from '@fastify/cookie'; // adds setCookie/cookies to Fastify's types
import type { FastifyReply } from 'fastify';
import type { AppConfig } from '@app/common';
import type { IssuedSession } from './session.service';

export const SESSION_COOKIE = 'mas_session';
export const CSRF_COOKIE = 'csrf_token';

/** The session cookie is HttpOnly; the CSRF cookie is readable by the portal's script (double submit). */
export function setSessionCookies(reply: FastifyReply, session: IssuedSession, config: AppConfig): void {
  const base = { path: '/', sameSite: 'lax' as const, secure: config.cookieSecure, expires: session.expiresAt };
  reply.setCookie(SESSION_COOKIE, session.token, { ...base, httpOnly: true });
  reply.setCookie(CSRF_COOKIE, session.csrfToken, { ...base, httpOnly: false });
}

export function clearSessionCookies(reply: FastifyReply, config: AppConfig): void {
  const base = { path: '/', sameSite: 'lax' as const, secure: config.cookieSecure };
  reply.clearCookie(SESSION_COOKIE, { ...base, httpOnly: true });
  reply.clearCookie(CSRF_COOKIE, base);
}
