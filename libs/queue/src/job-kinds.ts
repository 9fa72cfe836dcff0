import { Injectable } from '@nestjs/common';

/**
 * Another kind of job on the same queue (a training job): its ids carry their own prefix
 * (`trn_...`), so a message, which holds only an id, says which handler runs it.
 */
export interface JobKindHandler {
  /** The id prefix of this kind's jobs, e.g. 'trn'. */
  readonly prefix: string;
  /** Runs one delivery; throws to have it delivered again (at least once). */
  run(jobId: string): Promise<void>;
  /** Ids of this kind's jobs whose message or worker was lost, for the consumer's sweep. */
  lost(): Promise<string[]>;
}

/** The registry of job kinds besides async inference (which the job runner handles itself). */
@Injectable()
export class JobKinds {
  private readonly handlers = new Map<string, JobKindHandler>();

  register(handler: JobKindHandler): void {
    this.handlers.set(handler.prefix, handler);
  }

  /** The handler for a job id, or undefined for an inference job. */
  handlerFor(jobId: string): JobKindHandler | undefined {
    const prefix = jobId.slice(0, jobId.indexOf('_'));
    return this.handlers.get(prefix);
  }

  all(): JobKindHandler[] {
    return [...this.handlers.values()];
  }
}
