// Test helpers for the session layer: a SessionEnvironment wired with the in-memory ports, and a
// SessionLink that records what the session sent, decoded. Not used by production code.
import { EventEmitter } from 'node:events';
import { jsonEncoding, joinFrame } from '../codec';
import type { EncodedDispatch, Encoding, GatewayPayload } from '../codec';
import type { DispatchShape, SessionEnvironment, SessionEvents, SessionSettings } from './environment';
import { DEFAULT_SESSION_SETTINGS } from './environment';
import {
  AllowAllIdentifyGate, FakeAuthenticator, FixedWindowLimiter, InMemoryGuildDirectory, RecordingMemberRequester, RecordingPresenceSink,
} from './fakes';
import { HeartbeatWheel } from './heartbeat-wheel';
import { SessionRegistry } from './session-registry';
import type { Session, SessionLink } from './session';

export interface TestRig {
  env: SessionEnvironment;
  registry: SessionRegistry;
  auth: FakeAuthenticator;
  gate: AllowAllIdentifyGate;
  guilds: InMemoryGuildDirectory;
  presence: RecordingPresenceSink;
  members: RecordingMemberRequester;
  wheel: HeartbeatWheel;
}

export function testRig(settings: Partial<SessionSettings> = {}, limit = 120): TestRig {
  const registry = new SessionRegistry();
  const auth = new FakeAuthenticator().add('good-token', 1001n).add('other-token', 1002n);
  const gate = new AllowAllIdentifyGate();
  const guilds = new InMemoryGuildDirectory();
  const presence = new RecordingPresenceSink();
  const members = new RecordingMemberRequester();
  const wheel = new HeartbeatWheel({ tickMs: 1000, horizonMs: 400_000, now: () => Date.now() });
  const env: SessionEnvironment = {
    settings: { ...DEFAULT_SESSION_SETTINGS, ...settings },
    ports: { authenticator: auth, identifyGate: gate, commandLimiter: () => new FixedWindowLimiter(limit), guilds, presence, members },
    directory: registry,
    wheel,
    metrics: undefined,
    events: new EventEmitter<SessionEvents>(),
    instanceId: 'gateway-test-0',
    now: () => Date.now(),
  };
  return { env, registry, auth, gate, guilds, presence, members, wheel };
}

export interface SentFrame extends GatewayPayload {
  d?: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** Records frames as the client would see them (JSON encoding, no compression). */
export class RecordingLink implements SessionLink {
  readonly encoding: Encoding = jsonEncoding;
  readonly frames: SentFrame[] = [];
  closedWith: { code: number; reason: string } | undefined;
  session: Session | undefined;
  #payloadCompression = false;

  get shape(): DispatchShape {
    return this.#payloadCompression ? 'json+payload-zlib' : 'json';
  }
  bind(session: Session): void {
    this.session = session;
  }
  enablePayloadCompression(): void {
    this.#payloadCompression = true;
  }
  sendPayload(payload: GatewayPayload): void {
    this.frames.push(JSON.parse(JSON.stringify(payload)) as SentFrame);
  }
  sendDispatch(dispatch: EncodedDispatch, seq: number): void {
    this.frames.push(JSON.parse(joinFrame(dispatch.forSeq(seq)).toString('utf8')) as SentFrame);
  }
  close(code: number, reason: string): void {
    this.closedWith ??= { code, reason };
  }
  /** The client sends a frame. */
  send(payload: unknown): void {
    this.session!.receive(typeof payload === 'string' ? payload : JSON.stringify(payload));
  }
  /** The socket drops (or the client closes with `code`). */
  drop(code = 1006): void {
    this.session!.linkClosed(this, code);
  }
  ops(): number[] {
    return this.frames.map((frame) => frame.op);
  }
  dispatches(): SentFrame[] {
    return this.frames.filter((frame) => frame.op === 0);
  }
}

export function identifyPayload(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { op: 2, d: { token: 'good-token', intents: 513, properties: { os: 'linux', browser: 'test', device: 'test' }, ...overrides } };
}
