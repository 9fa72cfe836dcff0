import { Injectable } from '@nestjs/common';
import type { Principal } from '@app/auth';
import { AdmissionService } from '../admission/admission.service';
import type { RateLimitDecision } from '../rate-limit';

export type { RateLimitedError } from '../admission/admission.service';

/**
 * Per-request rate decisions for everything but predictions (which are admitted one by one, see
 * AdmissionService): the caller's and the tenant's sliding minute from the plan, in one limiter
 * round trip. A refused decision counts nothing.
 */
@Injectable()
export class RequestRateLimiter {
  constructor(private readonly admission: AdmissionService) {}

  /** The decision to report (the tighter of the two); throws RATE_LIMITED when refused. */
  async check(principal: Principal): Promise<RateLimitDecision | null> {
    const admitted = await this.admission.admit(principal, { slot: false });
    return admitted?.rate ?? null;
  }
}
