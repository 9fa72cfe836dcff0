import { SetMetadata } from '@nestjs/common';

export const OWN_CREDENTIALS_KEY = 'auth:own-credentials';

/**
 * The handler checks its own credentials (e.g. /metrics and METRICS_TOKEN): the guard does not
 * read the Authorization header as an API key there.
 */
export const OwnCredentials = () => SetMetadata(OWN_CREDENTIALS_KEY, true);
