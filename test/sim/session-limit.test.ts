import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AriSim } from '../../src/sim/index.js';

/** A raw keep-alive connection that sends one request and reports what came back before the socket closed. */
function request(port: number): Promise<{ socket: Socket; answer: Promise<string> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      let data = '';
      const answer = new Promise<string>((done) => {
        socket.on('data', (chunk) => {
          data += chunk.toString();
          if (data.includes('\r\n\r\n')) done(data);
        });
        socket.on('close', () => done(data));
      });
      socket.write('GET /ari/asterisk/ping HTTP/1.1\r\nHost: x\r\nAuthorization: Basic YXN0ZXJpc2s6YXN0ZXJpc2s=\r\n\r\n');
      resolve({ socket, answer });
    });
    socket.on('error', reject);
  });
}

describe('sessionLimit (http.conf sessionlimit)', () => {
  let sim: AriSim;
  afterEach(async () => {
    await sim.stop();
  });

  it('closes connections beyond the limit without an answer, and serves again once one is freed', async () => {
    sim = await AriSim.start({ sessionLimit: 3 });
    const held = await Promise.all([request(sim.port), request(sim.port), request(sim.port)]);
    for (const { answer } of held) expect(await answer).toMatch(/^HTTP\/1\.1 200 OK/);

    const extra = await request(sim.port);
    expect(await extra.answer).toBe(''); // closed, zero bytes: "other side closed" for the client

    held[0].socket.destroy();
    await new Promise((r) => setTimeout(r, 50));
    const next = await request(sim.port);
    expect(await next.answer).toMatch(/^HTTP\/1\.1 200 OK/);
    for (const { socket } of [...held, next]) socket.destroy();
  });
});
