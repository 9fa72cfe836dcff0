/**
 * One timer per batcher for every request's deadline, instead of a setTimeout per request:
 * armed for the earliest deadline; when it fires, `onDue(now)` times out what is overdue and
 * returns the next deadline (Infinity: none), for which it is armed again.
 */
export class DeadlineWatch {
  private timer?: NodeJS.Timeout;
  private armedFor = Infinity;

  constructor(private readonly onDue: (now: number) => number) {}

  watch(deadline: number): void {
    if (deadline < this.armedFor) this.arm(deadline);
  }

  private arm(deadline: number): void {
    clearTimeout(this.timer);
    this.armedFor = deadline;
    this.timer = setTimeout(() => this.fire(), Math.max(0, deadline - performance.now()));
    // Requests keep the process alive by themselves; an idle batcher's timer must not.
    this.timer.unref();
  }

  private fire(): void {
    this.timer = undefined;
    this.armedFor = Infinity;
    const next = this.onDue(performance.now());
    if (next !== Infinity) this.arm(next);
  }
}
