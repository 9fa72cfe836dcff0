-- The plans, as data (issue: quotas). Prices are in cents; overage in millionths of a dollar per unit.
-- Later changes to limits are new migrations, so every installation has the same catalogue.
INSERT INTO "plans" ("id", "name", "description", "public", "monthlyPriceCents", "currency",
  "requestsPerMinutePerKey", "requestsPerMinutePerTenant", "maxConcurrentRequests", "maxConcurrentJobs",
  "monthlyIncludedUnits", "hardCap", "overageMicrosPerUnit", "maxUploadBytes")
VALUES
  ('free', 'Free', 'Try the platform: hard monthly cap, no card needed.', true, 0, 'usd', 60, 120, 4, 1, 10000, true, 0, 20971520),
  ('developer', 'Developer', 'For building and testing: more throughput, still a hard cap.', true, 2900, 'usd', 600, 1200, 16, 4, 500000, true, 0, 104857600),
  ('pro', 'Pro', 'Production traffic: overage billed per unit beyond the included ones.', true, 19900, 'usd', 3000, 6000, 64, 16, 5000000, false, 200, 524288000),
  ('enterprise', 'Enterprise', 'Custom limits and pricing, by contract.', false, 0, 'usd', 20000, 60000, 256, 64, 100000000, false, 100, 2147483648)
ON CONFLICT ("id") DO NOTHING;
