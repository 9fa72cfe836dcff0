import { z } from 'zod';

/**
 * Each library exports the zod schema of the environment variables it reads; a setting that is
 * optional for embedded use but must be present in a deployment is marked with
 * `requiredInProduction`. infra/test/config-contract.test.ts holds every synthesized container
 * and function against these schemas, so infra and code cannot drift apart unnoticed.
 */
export function requiredInProduction<T extends z.ZodType>(schema: T): T {
  return schema.meta({ requiredInProduction: true });
}

export function isRequiredInProduction(schema: z.ZodType): boolean {
  return schema.meta()?.requiredInProduction === true;
}
