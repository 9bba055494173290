// The per-process session cap: acquire until full, release frees a slot, an extra release is
// harmless, and a refused upgrade gets an HTTP 503 before any WebSocket handshake.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { refuseUpgrade, SessionCap } from './session-cap';

describe('SessionCap', () => {
  it('admits up to its capacity and frees slots on release', () => {
    const cap = new SessionCap(2);
    expect([cap.tryAcquire(), cap.tryAcquire(), cap.tryAcquire()]).toEqual([true, true, false]);
    expect(cap.inUse).toBe(2);
    cap.release();
    expect(cap.available).toBe(1);
    expect(cap.tryAcquire()).toBe(true);
  });

  it('ignores a release beyond what was acquired', () => {
    const cap = new SessionCap(1);
    cap.release();
    expect(cap.inUse).toBe(0);
    expect([cap.tryAcquire(), cap.tryAcquire()]).toEqual([true, false]);
  });

  it('refuses an upgrade with HTTP 503 when full', async () => {
    const cap = new SessionCap(0);
    const server = http.createServer();
    server.on('upgrade', (_req, socket) => {
      if (!cap.tryAcquire()) refuseUpgrade(socket, 3);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
        const req = http.request({ port, host: '127.0.0.1', path: '/?v=10', headers: { Connection: 'Upgrade', Upgrade: 'websocket' } });
        req.on('response', resolve);
        req.on('upgrade', () => reject(new Error('upgraded')));
        req.on('error', reject);
        req.end();
      });
      expect(response.statusCode).toBe(503);
      expect(response.headers['retry-after']).toBe('3');
      const body = await new Promise<string>((resolve) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => resolve(text));
      });
      expect(JSON.parse(body)).toEqual({ message: '503: Service Unavailable', code: 0 });
    } finally {
      server.close();
    }
  });
});
