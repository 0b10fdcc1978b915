/** Counts permits in one process: the cap of channels this worker may hold on its Asterisk. */
export class Semaphore {
  private inUse = 0;
  private readonly waiters: Array<() => void> = [];

  constructor(readonly permits: number) {
    if (!(permits >= 1)) throw new RangeError('permits must be at least 1');
  }

  get used(): number {
    return this.inUse;
  }

  async acquire(): Promise<() => void> {
    if (this.inUse < this.permits) this.inUse++;
    else await new Promise<void>((resolve) => this.waiters.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      // Hand the permit straight to the next waiter, so a newcomer cannot overtake it.
      if (next) next();
      else this.inUse--;
    };
  }
}
