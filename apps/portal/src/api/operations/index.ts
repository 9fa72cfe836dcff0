import type { Operation } from '../operation';
import * as accounts from './accounts';
import * as apiKeys from './api-keys';
import * as audit from './audit';
import * as billing from './billing';
import * as inference from './inference';
import * as members from './members';
import * as models from './models';
import * as training from './training';
import * as usage from './usage';

/** Every operation the portal sends: the schema check validates each one. */
export const allOperations: Operation<unknown, unknown>[] = [
  accounts,
  apiKeys,
  audit,
  billing,
  inference,
  members,
  models,
  training,
  usage,
]
  .flatMap((mod) => Object.values(mod))
  .filter(
    (v): v is Operation<unknown, unknown> => typeof v === 'object' && v !== null && 'document' in v && 'name' in v,
  );
