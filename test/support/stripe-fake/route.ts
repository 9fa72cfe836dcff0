import type { FormObject } from './form-body';
import type { StripeFakeStore } from './stripe-fake-store';

export interface RouteContext {
  store: StripeFakeStore;
  /** Captured path segments, in order. */
  params: string[];
  query: URLSearchParams;
  /** Form-decoded for /v1, JSON for /v2. */
  body: FormObject;
  path: string;
}

export interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  /** e.g. /^\/v1\/customers\/([^/]+)$/ */
  pattern: RegExp;
  handle(ctx: RouteContext): unknown;
}

export function route(method: Route['method'], pattern: RegExp, handle: Route['handle']): Route {
  return { method, pattern, handle };
}
