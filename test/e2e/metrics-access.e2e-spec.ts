import request from 'supertest';
import type { FastifyInstance } from 'fastify';
import { needsPostgres } from '../support/database';
import { TestApp, gql, startTestApp } from '../support/test-app';

const d = needsPostgres('metrics access e2e') ? describe : describe.skip;
const TOKEN = 'metrics-token-0123456789abcdef';

d('/metrics: who may read it and what its labels can be', () => {
  describe('without METRICS_TOKEN: loopback callers only', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ METRICS_TOKEN: undefined });
    });
    afterAll(async () => {
      await t.close();
    });
    const fastify = () => t.app.getHttpAdapter().getInstance() as unknown as FastifyInstance;

    it('answers a loopback caller', async () => {
      const res = await request(t.http).get('/metrics');
      expect(res.status).toBe(200);
      expect(res.text).toContain('http_requests_total');
    });

    it('refuses a remote caller, even one claiming to be local in X-Forwarded-For', async () => {
      const res = await fastify().inject({
        method: 'GET',
        url: '/metrics',
        remoteAddress: '198.51.100.7',
        headers: { 'x-forwarded-for': '127.0.0.1' },
      });
      expect(res.statusCode).toBe(403);
      expect(JSON.parse(res.body).errors[0].extensions).toMatchObject({
        code: 'FORBIDDEN',
        reason: 'METRICS_LOOPBACK_ONLY',
      });
      expect(res.body).not.toContain('http_requests_total');
    });

    it("made-up operation names never become labels: the schema's root fields do", async () => {
      for (let i = 0; i < 25; i++) await gql(t.http, `query Made_Up_${i} { me { id } }`);
      await gql(t.http, `query Unknown { noSuchField }`);
      const text = (await request(t.http).get('/metrics')).text;
      expect(text).not.toMatch(/Made_Up_/);
      const ops = new Set([...text.matchAll(/graphql_operations_total\{operation="([^"]+)"/g)].map((m) => m[1]));
      expect(ops.has('me')).toBe(true);
      expect([...ops].every((o) => /^[a-zA-Z]+$/.test(o!))).toBe(true);
    });
  });

  describe('with METRICS_TOKEN: the bearer token, from anywhere', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ METRICS_TOKEN: TOKEN });
    });
    afterAll(async () => {
      await t.close();
    });

    it('needs the token: none and a wrong one are UNAUTHENTICATED, the right one answers', async () => {
      for (const auth of [undefined, 'Bearer wrong-token-0123456789abcdef']) {
        const req = request(t.http).get('/metrics');
        if (auth) req.set('authorization', auth);
        const res = await req;
        expect(res.status).toBe(401);
        expect(res.body.errors[0].extensions).toMatchObject({
          code: 'UNAUTHENTICATED',
          reason: 'METRICS_TOKEN_REQUIRED',
        });
      }
      const fastify = t.app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
      const remote = await fastify.inject({
        method: 'GET',
        url: '/metrics',
        remoteAddress: '198.51.100.7',
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(remote.statusCode).toBe(200);
      expect(remote.body).toContain('process_cpu_seconds_total');
    });
  });
});
