/**
 * Waits for `work` at most `ms`: true when it settled (resolved or rejected) in time, false when the time ran out.
 * A shutdown step that waits on something unreachable (Redis, PostgreSQL, Asterisk) must not hold the exit: the
 * work goes on in the background, and the process exits without it.
 */
export async function settleWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), Math.max(0, ms))));
  try {
    return await Promise.race([
      work.then(
        () => true,
        () => true,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
