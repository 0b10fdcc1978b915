import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { describePrefixFix, prefixCandidates } from '../../src/ops/ari-prefix.js';
import { formatLogLine, prettyDestination } from '../../src/ops/pretty-log.js';

describe('--log-pretty: one human line per pino entry', () => {
  it('time, level, message, then campaignId, jobId and channelId first; secrets stay redacted', () => {
    let out = '';
    const sink = { write: (s: string) => ((out += s), true) } as unknown as NodeJS.WritableStream;
    const log = createLogger({ level: 'info', destination: prettyDestination(sink) });
    log
      .child({ channelId: 'dial-1', campaignId: 'spring-1a2b', jobId: 'spring-1a2b|+15550100|a1' })
      .info({ cause: 16, password: 'hunter2', note: 'two words' }, 'attempt ended');
    log.debug('not at info');
    expect(out).toMatch(
      /^\d\d:\d\d:\d\d\.\d{3} INFO {2}attempt ended campaignId=spring-1a2b jobId=spring-1a2b\|\+15550100\|a1 channelId=dial-1 cause=16 password=\[redacted\] note="two words"\n$/,
    );
    expect(out).not.toContain('hunter2');
  });

  it('errors show their message, then their stack indented; anything not JSON passes through', () => {
    const line = JSON.stringify({ level: 50, time: 0, msg: 'boom', err: { type: 'Error', message: 'bad thing', stack: 'Error: bad thing\n    at x' } });
    expect(formatLogLine(line)).toBe('00:00:00.000 ERROR boom err="bad thing"\n    Error: bad thing\n        at x\n');
    expect(formatLogLine('plain text')).toBe('plain text');
  });
});

describe('http.conf prefix candidates', () => {
  it('tries without the prefix, with the usual one, and says which is wrong', () => {
    expect(prefixCandidates('/ari')).toEqual(['/asterisk/ari']);
    expect(prefixCandidates('/asterisk/ari')).toEqual(['/ari']);
    expect(prefixCandidates('/asterisk/asterisk/ari')).toEqual(['/asterisk/ari', '/ari']);
    expect(prefixCandidates('/pbx/ari')).toEqual(['/ari', '/asterisk/pbx/ari', '/asterisk/ari']);
    expect(describePrefixFix('/ari', '/asterisk/ari')).toBe('the http.conf prefix is missing from the URL (this Asterisk has prefix = asterisk)');
    expect(describePrefixFix('/ari/ari', '/ari')).toMatch(/doubled/);
    expect(describePrefixFix('/asterisk/asterisk/ari', '/asterisk/ari')).toMatch(/doubled/);
    expect(describePrefixFix('/pbx/ari', '/asterisk/ari')).toBe("the URL's prefix /pbx is not the one this Asterisk uses (prefix = asterisk)");
  });
});
