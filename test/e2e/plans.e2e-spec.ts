import request from 'supertest';
import { needsPostgres } from '../support/database';
import { TestApp, createKey, gql, signUp, startTestApp } from '../support/test-app';

const d = needsPostgres('plans e2e') ? describe : describe.skip;
const PLANS = `{ plans { id name monthlyPriceCents currency unitsIncluded requestsPerMinutePerKey maxConcurrentRequests hardCap overageMicrosPerUnit overageCentsPerUnit maxUploadBytes purchasable } }`;

d('plans: the public catalogue', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('lists public plans cheapest first, with limits and purchasability, to any signed-in principal', async () => {
    const s = await signUp(t.http, 'Shopper');
    const res = await gql(t.http, PLANS, {}, { session: s });
    expect(res.body.errors).toBeUndefined();
    const plans = res.body.data.plans;
    expect(plans.map((p: { id: string }) => p.id)).toEqual(['free', 'developer', 'pro']); // enterprise is by contract
    expect(plans[2]).toEqual({
      id: 'pro',
      name: 'Pro',
      monthlyPriceCents: 19900,
      currency: 'usd',
      unitsIncluded: 5_000_000,
      requestsPerMinutePerKey: 3000,
      maxConcurrentRequests: 64,
      hardCap: false,
      overageMicrosPerUnit: 200,
      overageCentsPerUnit: 0.02,
      maxUploadBytes: 524_288_000,
      purchasable: false,
    });
    await t.sql.query(`update plans set "stripePriceId" = 'price_pro' where id = 'pro'`);
    const key = await createKey(t.http, s, ['inference:run']);
    const byKey = await gql(t.http, `{ plans { id purchasable } }`, {}, { key: key.secret });
    expect(byKey.body.data.plans.find((p: { id: string }) => p.id === 'pro').purchasable).toBe(true);
  });

  it('needs a signed-in principal', async () => {
    const res = await request(t.http).post('/graphql').send({ query: `{ plans { id } }` });
    expect(res.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });
});
