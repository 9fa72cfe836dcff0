// One Jest run for the whole repository: unit and integration specs beside the code
// (libs/**, apps/**), end-to-end and security tests under test/, CDK tests under infra/.
const swc = {
  jsc: {
    parser: { syntax: "typescript", decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: "es2022",
    keepClassNames: true,
  },
  module: { type: "commonjs" },
};

module.exports = {
  rootDir: __dirname,
  testEnvironment: "node",
  transform: {
    "^.+\\.tsx?$": ["@swc/jest", swc],
    "^.+\\.(m|c)?jsx?$": "<rootDir>/test/support/jest-esm-transform.js",
  },
  // node_modules are not ignored: ES-only packages must become CommonJS for Jest on Node 20.
  transformIgnorePatterns: [],
  moduleFileExtensions: ["ts", "tsx", "js", "mjs", "cjs", "json", "node"],
  testRegex: "/(apps|libs|test|infra)/.*\\.(spec|e2e-spec|test)\\.ts$",
  testPathIgnorePatterns: ["/node_modules/", "/dist/", "/apps/portal/", "/cdk.out/"],
  moduleNameMapper: {
    "^@app/ledger$": "<rootDir>/libs/ledger/src",
    "^@app/ledger/(.*)$": "<rootDir>/libs/ledger/src/$1",
    "^@app/serving$": "<rootDir>/libs/serving/src",
    "^@app/serving/(.*)$": "<rootDir>/libs/serving/src/$1",
    "^@app/auth$": "<rootDir>/libs/auth/src",
    "^@app/auth/(.*)$": "<rootDir>/libs/auth/src/$1",
    "^@app/jobs$": "<rootDir>/libs/jobs/src",
    "^@app/jobs/(.*)$": "<rootDir>/libs/jobs/src/$1",
    "^@app/duties$": "<rootDir>/libs/duties/src",
    "^@app/duties/(.*)$": "<rootDir>/libs/duties/src/$1",
    "^@app/common$": "<rootDir>/libs/common/src",
    "^@app/common/(.*)$": "<rootDir>/libs/common/src/$1",
    "^@app/db$": "<rootDir>/libs/db/src",
    "^@app/db/(.*)$": "<rootDir>/libs/db/src/$1",
    "^@app/tenancy$": "<rootDir>/libs/tenancy/src",
    "^@app/tenancy/(.*)$": "<rootDir>/libs/tenancy/src/$1",
    "^@app/api-keys$": "<rootDir>/libs/api-keys/src",
    "^@app/api-keys/(.*)$": "<rootDir>/libs/api-keys/src/$1",
    "^@app/quotas$": "<rootDir>/libs/quotas/src",
    "^@app/quotas/(.*)$": "<rootDir>/libs/quotas/src/$1",
    "^@app/models$": "<rootDir>/libs/models/src",
    "^@app/models/(.*)$": "<rootDir>/libs/models/src/$1",
    "^@app/inference$": "<rootDir>/libs/inference/src",
    "^@app/inference/(.*)$": "<rootDir>/libs/inference/src/$1",
    "^@app/queue$": "<rootDir>/libs/queue/src",
    "^@app/queue/(.*)$": "<rootDir>/libs/queue/src/$1",
    "^@app/metering$": "<rootDir>/libs/metering/src",
    "^@app/metering/(.*)$": "<rootDir>/libs/metering/src/$1",
    "^@app/billing$": "<rootDir>/libs/billing/src",
    "^@app/billing/(.*)$": "<rootDir>/libs/billing/src/$1",
    "^@app/audit$": "<rootDir>/libs/audit/src",
    "^@app/audit/(.*)$": "<rootDir>/libs/audit/src/$1",
    "^@app/training$": "<rootDir>/libs/training/src",
    "^@app/training/(.*)$": "<rootDir>/libs/training/src/$1"
  },
  globalSetup: "<rootDir>/test/support/global-setup.ts",
  testTimeout: 60000,
  maxWorkers: 2,
};
