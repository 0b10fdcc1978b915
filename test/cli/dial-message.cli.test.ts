import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AriSim } from '../../src/sim/index.js';
import { dial } from '../helpers/dial-cli.js';

let sim: AriSim;
beforeAll(async () => {
  sim = await AriSim.start({ users: { dialer: 'secret-pass' }, timeScale: 0.05, rules: [{ match: 'listens', outcome: 'answer', talkMs: 60_000 }] });
});
afterAll(() => sim.stop());
const ari = () => ({ ARI_URL: sim.url, ARI_USER: 'dialer', ARI_PASSWORD: 'secret-pass' });
const ARGS = ['Local/press9@sim', '111', 'default', 's', '1', '30'];

describe('dial with a message, press rules and --capture', () => {
  it('9 opts out: the result says so, and that dial could not store it', async () => {
    const r = await dial(
      [...ARGS, '--message', 'sound:hello-world', '--press', '1=sales,s,1', '--press', '9=optout', '--no-press', 'hangup', '--capture', 'SURVEY_ANSWER'],
      ari(),
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ keys: '9', flow: 'optout', opted_out: true, optout_stored: false, captured: {} });
  });

  it('a recording: Asterisk never finishes is given up after --message-item-max, with the reason', async () => {
    const r = await dial(['Local/listens@sim', ...ARGS.slice(1), '--message', 'recording:gone', '--message-item-max', '0.5'], ari());
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      flow: 'not_played',
      continued: true,
      message_reason: expect.stringMatching(/no PlaybackFinished for recording:gone within 0.5 s/),
    });
  });

  it.each([
    [['--message', 'http://x/a.wav'], /--message: "http:\/\/x\/a.wav"/],
    [['--message', 'sound:a', '--press', 'X=optout'], /--press: "X=optout": the key must be one of 0-9, \* or #/],
    [['--message', 'sound:a', '--press', '1=optout', '--press', '1=hangup'], /--press: key 1 is listed twice/],
    [['--message', 'sound:a', '--press', '1=dance'], /--press: "1=dance": the action must be CONTEXT,EXTEN,PRIO/],
    [['--press', '1=optout'], /--press: needs --message/],
    [['--capture', 'OK,not valid'], /--capture: "not valid" is not a dialplan variable name/],
    [['--machine-message', 'sound:vm'], /--machine-message: needs --amd/],
    [['--amd', '--on-machine', 'vm,s,1', '--machine-message', 'sound:vm'], /--machine-message: leaves the message itself/],
    [['--message', 'sound:a', '--message-item-max', 'soon'], /--message-item-max: must be a number from 0.2 to 3600/],
    [['--message', 'number:1*'], /--message: "number:1\*": number: takes a whole number/],
  ])('usage error %j: exit 2 naming the flag', async (extra, message) => {
    const r = await dial([...ARGS, ...extra], ari());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });
});
