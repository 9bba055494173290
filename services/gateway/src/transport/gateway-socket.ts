// ws closes with 1009 when a client frame exceeds maxPayload and with 1007 on invalid UTF-8,
// before any listener runs. Gateway clients expect 4002 (decode error) for both, so the server
// builds its sockets from this subclass (WebSocketServer's `WebSocket` option).
import { WebSocket } from 'ws';
import { CloseCodes } from '../protocol';

const DECODE_ERROR_CODES = new Set([1007, 1009]);

export class GatewaySocket extends WebSocket {
  override close(code?: number, data?: string | Buffer): void {
    if (code !== undefined && DECODE_ERROR_CODES.has(code)) {
      super.close(CloseCodes.DECODE_ERROR.code, CloseCodes.DECODE_ERROR.reason);
      return;
    }
    super.close(code, data);
  }
}
