import { describe, expect, it } from 'vitest';
import { SeenNumbers } from '../../src/campaign/hopper/seen-numbers.js';

describe('SeenNumbers', () => {
  it('says new exactly once per number, through many growths, and tells +49… from 49… and 030… from 30…', () => {
    const seen = new SeenNumbers(16);
    const n = 300_000;
    let fresh = 0;
    for (let i = 0; i < n; i++) if (seen.add(`+1555${String(i).padStart(7, '0')}`)) fresh++;
    // A 53-bit hash: a collision among 300,000 numbers is possible in principle (~1e-5), never expected here.
    expect(fresh).toBe(n);
    for (let i = 0; i < n; i += 997) expect(seen.add(`+1555${String(i).padStart(7, '0')}`)).toBe(false);
    expect(seen.add('15550000001')).toBe(true);
    expect(seen.add('+4930123')).toBe(true);
    expect(seen.add('4930123')).toBe(true);
    expect(seen.add('030123')).toBe(true);
    expect(seen.add('30123')).toBe(true);
    expect(seen.add('30123')).toBe(false);
  });
});
