import type { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { z } from 'zod';
import { appConfigSchema, isRequiredInProduction } from '@app/common';
import { dbConfigSchema } from '@app/db';
import { auditConfigSchema } from '@app/audit';
import { billingConfigSchema, PLAN_PRICE_VARIABLE } from '@app/billing';
import { meteringConfigSchema } from '@app/metering';
import { modelsConfigSchema } from '@app/models';
import { inferenceConfigSchema } from '@app/inference';
import { ledgerConfigSchema } from '@app/ledger';
import { queueConfigSchema } from '@app/queue';
import { accountConfigSchema } from '@app/tenancy';
import { ECS_ENTRYPOINT_PRODUCES, LAMBDA_BOOTSTRAP_PRODUCES } from '../lib/runtime-env';

/** Every library's settings schema: what the code reads. */
export const LIBRARY_SCHEMAS: Record<string, z.ZodObject> = {
  common: appConfigSchema,
  db: dbConfigSchema,
  audit: auditConfigSchema,
  billing: billingConfigSchema,
  metering: meteringConfigSchema,
  models: modelsConfigSchema,
  inference: inferenceConfigSchema,
  ledger: ledgerConfigSchema,
  queue: queueConfigSchema,
  accounts: accountConfigSchema,
};

/** One of our images as deployed: its plain variables (CloudFormation values) and secret names. */
export interface ComputeUnit {
  name: string;
  kind: 'lambda' | 'ecs';
  environment: Record<string, unknown>;
  secrets: string[];
}

/** The api function (container image) and every ECS container definition, from the synthesized templates. */
export function computeUnitsOf(stacks: Stack[]): ComputeUnit[] {
  const units: ComputeUnit[] = [];
  for (const stack of stacks) {
    const t = Template.fromStack(stack);
    for (const [id, fn] of Object.entries(t.findResources('AWS::Lambda::Function'))) {
      // Inline and asset functions (the migration trigger, CDK's own helpers) run their own code, not our libraries.
      if (fn.Properties?.PackageType !== 'Image') continue;
      units.push({
        name: `${stack.stackName}/${id}`,
        kind: 'lambda',
        environment: fn.Properties.Environment?.Variables ?? {},
        secrets: [],
      });
    }
    for (const [id, td] of Object.entries(t.findResources('AWS::ECS::TaskDefinition'))) {
      for (const c of td.Properties?.ContainerDefinitions ?? []) {
        const environment = Object.fromEntries(
          (c.Environment ?? []).map((e: { Name: string; Value: unknown }) => [e.Name, e.Value]),
        );
        units.push({
          name: `${stack.stackName}/${id}/${c.Name}`,
          kind: 'ecs',
          environment,
          secrets: (c.Secrets ?? []).map((s: { Name: string }) => s.Name),
        });
      }
    }
  }
  return units;
}

// A deploy-time value (Ref, Fn::GetAtt, ...) stands in as a placeholder that fits URLs and names alike.
function render(value: unknown): string {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join) return join[1].map((p) => (typeof p === 'string' ? p : 'token')).join(join[0]);
  return 'https://token.example/value';
}

const SECRET_PLACEHOLDER = 'secret-from-secrets-manager-0123456789abcdef';

/** The environment the libraries see once the image's start-up script has run (entrypoint or Lambda bootstrap). */
export function effectiveEnvironment(unit: ComputeUnit): Record<string, string> {
  const env: Record<string, string> = Object.fromEntries(
    Object.entries(unit.environment).map(([k, v]) => [k, render(v)]),
  );
  for (const s of unit.secrets) env[s] = SECRET_PLACEHOLDER;
  const produces = unit.kind === 'lambda' ? LAMBDA_BOOTSTRAP_PRODUCES : {};
  for (const [input, outputs] of Object.entries(produces))
    if (input in env) for (const o of outputs) env[o] = SECRET_PLACEHOLDER;
  if (unit.kind === 'ecs') {
    for (const [output, inputs] of Object.entries(ECS_ENTRYPOINT_PRODUCES))
      if (inputs.every((i) => i in env)) env[output] = 'postgresql://u:p@db.internal:5432/maas?sslmode=require';
  }
  if (env.DATABASE_URL === SECRET_PLACEHOLDER)
    env.DATABASE_URL = 'postgresql://u:p@db.internal:5432/maas?sslmode=require';
  return env;
}

/** What is wrong with one unit's configuration, in words; empty when it keeps the contract. */
export function contractProblems(unit: ComputeUnit): string[] {
  const problems: string[] = [];
  const read = new Set(Object.values(LIBRARY_SCHEMAS).flatMap((s) => Object.keys(s.shape)));
  const bootstrapInputs = new Set(
    unit.kind === 'lambda' ? Object.keys(LAMBDA_BOOTSTRAP_PRODUCES) : Object.values(ECS_ENTRYPOINT_PRODUCES).flat(),
  );
  for (const name of [...Object.keys(unit.environment), ...unit.secrets]) {
    if (!read.has(name) && !bootstrapInputs.has(name) && !PLAN_PRICE_VARIABLE.test(name))
      problems.push(`${name} is set but no library reads it`);
  }
  const env = effectiveEnvironment(unit);
  for (const [lib, schema] of Object.entries(LIBRARY_SCHEMAS)) {
    for (const [name, field] of Object.entries(schema.shape)) {
      if (isRequiredInProduction(field as z.ZodType) && !(name in env))
        problems.push(`${name} (${lib}) is required in production but not set`);
    }
    const parsed = schema.safeParse(env);
    if (!parsed.success)
      for (const issue of parsed.error.issues) problems.push(`${issue.path.join('.')} (${lib}): ${issue.message}`);
  }
  return problems;
}
