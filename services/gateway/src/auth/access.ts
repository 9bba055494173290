// Composition of this part of the gateway (auth, discovery REST, limits) from the service context
// and its database, so start.ts only calls `createGatewayAccess` and mounts what it returns.
import { Counter } from '@switchboard/runtime';
import type { Database, ServiceContext } from '@switchboard/runtime';
import type { GatewayConfig } from '../config';
import { gatewaySpec } from '../config';
import { commandRateLimiterFactory } from '../limits/command-rate-limiter';
import { IdentifyThrottle } from '../limits/identify-throttle';
import { SessionCap } from '../limits/session-cap';
import { SessionStartLimit } from '../limits/session-start-limit';
import type { GuildCounter, RequestHandler } from '../rest/discovery';
import { createDiscoveryHandler } from '../rest/discovery';
import { adminHandlers } from './admin-service';
import { Authenticator } from './authenticator';
import { CachingAuthStore } from './caching-auth-store';
import { RevocationSweeper } from './revocation-sweeper';
import { SqlAuthStore } from './sql-auth-store';
import { TokenSigner } from './token';
import { DEV_SECRET_WARNING, resolveTokenSecret } from './token-secret';

export interface GatewayAccess {
  readonly authenticator: Authenticator;
  readonly store: CachingAuthStore;
  readonly signer: TokenSigner;
  readonly sessionStarts: SessionStartLimit;
  /** Ends sessions of revoked tokens; start.ts starts it on the edge's registry. */
  readonly revocationSweeper: RevocationSweeper;
  readonly identifyThrottle: IdentifyThrottle;
  readonly commandLimiter: ReturnType<typeof commandRateLimiterFactory>;
  readonly sessionCap: SessionCap;
  readonly discovery: RequestHandler;
  readonly adminHandlers: ReturnType<typeof adminHandlers>;
}

type AccessSettings = Pick<
  GatewayConfig,
  | 'tokenSecret'
  | 'tokenSecretSource'
  | 'authCacheTtlMs'
  | 'revocationPollMs'
  | 'publicUrl'
  | 'sessionStartLimit'
  | 'sessionStartWindowMs'
  | 'maxConcurrency'
  | 'identifyIntervalMs'
  | 'commandLimit'
  | 'commandWindowMs'
  | 'maxSessions'
>;

/** The gateway settings of a context: a context built from loadGatewayConfig has them; else defaults. */
export function accessSettings(context: ServiceContext): AccessSettings {
  const config = context.config as Partial<GatewayConfig> & ServiceContext['config'];
  if (config.tokenSecret !== undefined && config.tokenSecretSource !== undefined && config.maxSessions !== undefined) {
    return config as AccessSettings;
  }
  const defaults: Record<string, unknown> = {};
  for (const [key, setting] of Object.entries(gatewaySpec)) defaults[key] = setting.read({});
  return { ...(defaults as AccessSettings), ...resolveTokenSecret(config.mode, config.tokenSecret) };
}

export function createGatewayAccess(context: ServiceContext, database: Database, options: { guilds?: GuildCounter } = {}): GatewayAccess {
  const settings = accessSettings(context);
  if (settings.tokenSecretSource === 'embedded-dev-default') context.logger.warn(DEV_SECRET_WARNING);
  const signer = new TokenSigner(settings.tokenSecret);
  const sql = new SqlAuthStore(database);
  const store = new CachingAuthStore(sql, { ttlMs: settings.authCacheTtlMs });
  const tokenChecks = new Counter({
    name: 'gateway_token_checks_total',
    help: 'Token checks (IDENTIFY, RESUME, GET /gateway/bot) by outcome: ok, malformed, bad-signature, revoked.',
    labelNames: ['outcome'],
    registers: [context.registry],
  });
  const authenticator = new Authenticator(signer, store, { onTokenCheck: (outcome) => tokenChecks.inc({ outcome }) });
  const sessionStarts = new SessionStartLimit({
    total: settings.sessionStartLimit,
    windowMs: settings.sessionStartWindowMs,
    maxConcurrency: settings.maxConcurrency,
  });
  const revocationSweeper = new RevocationSweeper({
    store: sql,
    cache: store,
    intervalMs: settings.revocationPollMs,
    metricsRegistry: context.registry,
    logger: context.logger,
  });
  const discovery = createDiscoveryHandler({
    publicUrl: settings.publicUrl,
    tokens: authenticator,
    sessionStarts,
    logger: context.logger,
    ...(options.guilds ? { guilds: options.guilds } : {}),
  });
  return {
    authenticator,
    store,
    signer,
    sessionStarts,
    revocationSweeper,
    identifyThrottle: new IdentifyThrottle({ intervalMs: settings.identifyIntervalMs, maxConcurrency: settings.maxConcurrency }),
    commandLimiter: commandRateLimiterFactory({ limit: settings.commandLimit, windowMs: settings.commandWindowMs, heartbeatGrace: 5 }),
    sessionCap: new SessionCap(settings.maxSessions),
    discovery,
    adminHandlers: adminHandlers({
      signer, store, cutoffReader: sql, onRevoked: (userId, cutoff) => revocationSweeper.revoked(userId, cutoff),
    }),
  };
}
