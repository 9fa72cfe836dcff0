import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { NOT_BUILT_HTML, PORTAL_HTML_HEADERS, isApiPath } from './portal-paths';

const YEAR_MS = 365 * 24 * 3600 * 1000;

async function isFile(file: string): Promise<boolean> {
  return stat(file).then(
    (s) => s.isFile(),
    () => false,
  );
}

/**
 * Serves the portal's built files from `root` with the single-page-app fallback: a GET that
 * names no file and no API route answers index.html, so /keys or /models/iris load on refresh.
 * Hashed assets are cached for a year; index.html is revalidated every time so that a deploy
 * is picked up at once. The folder is looked up per request: a portal built after the server
 * started is served without a restart.
 */
export async function registerPortalStatic(fastify: FastifyInstance, root: string): Promise<void> {
  // serve: false: only reply.sendFile (path-traversal safe); the route below decides what to send.
  await fastify.register(fastifyStatic, { root, serve: false });

  fastify.get('/*', async (req: FastifyRequest, reply: FastifyReply) => {
    const pathname = decodeURIComponent(new URL(req.url, 'http://portal').pathname);
    if (isApiPath(pathname)) return reply.callNotFound();
    if (!existsSync(path.join(root, 'index.html')))
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(NOT_BUILT_HTML);

    const relative = path.normalize(pathname).replace(/^([/\\])+/, '');
    const inside =
      relative && !relative.startsWith('..') && !relative.split(path.sep).some((part) => part.startsWith('.'));
    if (inside && relative !== 'index.html' && (await isFile(path.join(root, relative)))) {
      const hashed = relative.startsWith(`assets${path.sep}`);
      return reply.sendFile(relative, root, hashed ? { maxAge: YEAR_MS, immutable: true } : { maxAge: 0 });
    }
    // A missing asset is a 404: answering HTML for a stale script URL would only confuse the browser.
    if (relative.startsWith(`assets${path.sep}`) || path.extname(relative)) return reply.callNotFound();
    return reply.headers(PORTAL_HTML_HEADERS).sendFile('index.html', root, { cacheControl: false });
  });
}
