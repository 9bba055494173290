// Gateway discovery over HTTP, as Discord serves it, so unmodified clients find us:
//   GET /api/v10/gateway      → {url}
//   GET /api/v10/gateway/bot  → {url, shards, session_start_limit} (Authorization: Bot <token>)
// v9 and unversioned paths are answered too. Errors use Discord's JSON shape {message, code}.
// A request handler for the gateway's public HTTP server: it claims every /api path (404/405 for
// unknown ones) and returns false for anything else, so the server can route on.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TokenVerifier } from '../auth/authenticator';
import { GatewayAuthError } from '../auth/errors';
import type { SessionStartSnapshot } from '../limits/session-start-limit';

/** How many guilds a user is in (the guild service, later); drives the shard recommendation. */
export interface GuildCounter {
  guildCount(userId: bigint): Promise<number>;
}

export interface SessionStartSource {
  snapshot(userId: bigint): SessionStartSnapshot;
}

export interface DiscoveryLogger {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface DiscoveryOptions {
  /** ws(s):// URL without query (GATEWAY_PUBLIC_URL); unset → derived from the request's Host. */
  publicUrl?: string | undefined;
  tokens: TokenVerifier;
  sessionStarts: SessionStartSource;
  /** Unset → every user is recommended 1 shard. */
  guilds?: GuildCounter;
  guildsPerShard?: number;
  logger?: DiscoveryLogger;
}

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

const API_PATH = /^\/api(?:\/v(\d+))?(\/[^?#]*)?$/;
const SUPPORTED_VERSIONS = new Set(['9', '10']);
const HOST = /^[A-Za-z0-9.-]+(?::\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](?::\d{1,5})?$/;

const ERRORS = {
  401: '401: Unauthorized',
  404: '404: Not Found',
  405: '405: Method Not Allowed',
  500: '500: Internal Server Error',
} as const;

function send(req: IncomingMessage, res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(req.method === 'HEAD' ? undefined : text);
}

function sendError(req: IncomingMessage, res: ServerResponse, status: keyof typeof ERRORS, headers?: Record<string, string>): void {
  send(req, res, status, { message: ERRORS[status], code: 0 }, headers);
}

/** The token of `Authorization: Bot <token>` (a bare token is accepted too); undefined when absent. */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const value = header.trim();
  const bot = /^Bot(?:\s+(\S+))?$/.exec(value);
  if (bot) return bot[1];
  return /^\S+$/.test(value) ? value : undefined;
}

export function gatewayUrl(req: IncomingMessage, publicUrl: string | undefined): string {
  if (publicUrl !== undefined) return publicUrl;
  const host = req.headers.host;
  const forwarded = String(req.headers['x-forwarded-proto'] ?? '').split(',')[0]?.trim();
  const secure = forwarded === 'https' || (req.socket as { encrypted?: boolean }).encrypted === true;
  return `${secure ? 'wss' : 'ws'}://${host !== undefined && HOST.test(host) ? host : 'localhost'}`;
}

export function createDiscoveryHandler(options: DiscoveryOptions): RequestHandler {
  const guildsPerShard = options.guildsPerShard ?? 1000;

  async function gatewayBot(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const token = bearerToken(req.headers.authorization);
    if (token === undefined) return sendError(req, res, 401);
    let userId: bigint;
    try {
      userId = (await options.tokens.verifyToken(token)).userId;
    } catch (error) {
      if (error instanceof GatewayAuthError) return sendError(req, res, 401);
      throw error;
    }
    const shards = await recommendShards(userId);
    send(req, res, 200, { url: gatewayUrl(req, options.publicUrl), shards, session_start_limit: options.sessionStarts.snapshot(userId) });
  }

  async function recommendShards(userId: bigint): Promise<number> {
    if (!options.guilds) return 1;
    try {
      return Math.max(1, Math.ceil((await options.guilds.guildCount(userId)) / guildsPerShard));
    } catch (error) {
      options.logger?.warn({ err: error, userId: userId.toString() }, 'guild count unavailable; recommending 1 shard');
      return 1;
    }
  }

  return (req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0]!;
    const match = API_PATH.exec(path);
    if (!match) return false;
    const [, version, rest = ''] = match;
    const route = rest.replace(/\/+$/, '');
    if ((version !== undefined && !SUPPORTED_VERSIONS.has(version)) || (route !== '/gateway' && route !== '/gateway/bot')) {
      sendError(req, res, 404);
      return true;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendError(req, res, 405, { Allow: 'GET, HEAD' });
      return true;
    }
    if (route === '/gateway') {
      send(req, res, 200, { url: gatewayUrl(req, options.publicUrl) }, { 'Access-Control-Allow-Origin': '*' });
      return true;
    }
    gatewayBot(req, res).catch((error: unknown) => {
      options.logger?.error({ err: error }, 'GET /gateway/bot failed');
      if (!res.headersSent) sendError(req, res, 500);
      else res.destroy();
    });
    return true;
  };
}
