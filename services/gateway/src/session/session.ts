// One gateway session: the Gateway v10 state machine between HELLO and the end of the resume
// window. A session outlives its connections: a drop detaches it (still resumable, dispatches
// buffered), and RESUME on a new connection attaches that connection to it. Teardown happens in
// one place (#teardown). Transport details live behind SessionLink (transport/connection.ts).
import type { EncodedDispatch, Encoding, GatewayPayload } from '../codec';
import { CLIENT_OPCODES, closeCodeInfo, CloseCodes, closeKeepsSession, GatewayOpcode, UNAUTHENTICATED_OPCODES } from '../protocol';
import type { CloseCodeInfo, Platform } from '../protocol';
import { CommandError, parseGuildSubscriptions, parseIdentify, parseMemberRequest, parsePresence, parseResume } from './commands';
import type { IdentifyCommand, ResumeCommand } from './commands';
import type { DispatchShape, SessionEnvironment } from './environment';
import { WHEEL_UNSCHEDULED } from './heartbeat-wheel';
import type { WheelEntry } from './heartbeat-wheel';
import type { ResumeOutcome } from './metrics';
import { closeCodeOf, HandoffRefusedError } from './ports';
import type { AuthenticatedIdentity, CommandLimiter, GuildSnapshot, HandedOverDispatch, SessionSnapshot, SessionTail } from './ports';
import { ReplayBuffer } from './replay-buffer';
import type { ReplayLookup } from './replay-buffer';
import { readyPayload } from './ready-payload';
import { newSessionId, sessionOrigin } from './session-id';

/** The 4008 close reason of an IDENTIFY past its user's session-start budget. */
export const SESSION_START_LIMIT_EXHAUSTED = 'session start limit exhausted';

export const SessionState = {
  HELLO_SENT: 'hello-sent',
  IDENTIFYING: 'identifying',
  READY: 'ready',
  RESUMING: 'resuming',
  DETACHED: 'detached',
  CLOSED: 'closed',
} as const;
export type SessionState = (typeof SessionState)[keyof typeof SessionState];

/** The connection a session writes to. */
export interface SessionLink {
  readonly encoding: Encoding;
  readonly shape: DispatchShape;
  /** READY's resume_gateway_url when it depends on the connection (derived from its Host header). */
  readonly resumeGatewayUrl?: string | undefined;
  /** Routes this connection's inbound frames and close to `session` (changes on RESUME). */
  bind(session: Session): void;
  /** IDENTIFY `compress: true`: large JSON dispatches go out zlib-compressed (no-op with transport compression). */
  enablePayloadCompression(): void;
  sendPayload(payload: GatewayPayload): void;
  sendDispatch(dispatch: EncodedDispatch, seq: number): void;
  close(code: number, reason: string): void;
}

export class Session implements WheelEntry {
  readonly #env: SessionEnvironment;
  #state: SessionState = SessionState.HELLO_SENT;
  #link: SessionLink | undefined;
  #limiter: CommandLimiter | undefined;
  #id: string | undefined;
  #userId = 0n;
  /** Unix seconds the token that authenticated this session (IDENTIFY, or the last RESUME) was issued at. */
  #tokenIssuedAt = 0;
  #platform: Platform = 'web';
  #intents = 0;
  #shardId = 0;
  #shardCount = 1;
  #buffer: ReplayBuffer | undefined;
  #guildIds: string[] = [];
  #shape: DispatchShape = 'json';
  /** Origin side: the instance this session was handed off to (TakeSession); it only buffers now. */
  #takenBy: string | undefined;
  /** Taker side, between TakeSession and ReleaseSession: dispatches fanned out here meanwhile. */
  #pending: EncodedDispatch[] | undefined;
  wheelSlot = WHEEL_UNSCHEDULED;
  wheelDeadline = 0;

  /** Sends HELLO on `link` and starts the heartbeat deadline. */
  constructor(env: SessionEnvironment, link: SessionLink) {
    this.#env = env;
    this.#link = link;
    link.bind(this);
    env.metrics?.sessions.inc({ state: this.#state });
    link.sendPayload({ op: GatewayOpcode.HELLO, d: { heartbeat_interval: env.settings.heartbeatIntervalMs } });
    this.#scheduleHeartbeatDeadline();
  }

  get state(): SessionState { return this.#state; }
  get id(): string | undefined { return this.#id; }
  get userId(): bigint { return this.#userId; }
  /** Unix seconds its token was issued at (revocation ends sessions whose token predates the cutoff). */
  get tokenIssuedAt(): number { return this.#tokenIssuedAt; }
  get intents(): number { return this.#intents; }
  /** The client_status key of its client (IDENTIFY properties); 'web' when resumed from a peer. */
  get platform(): Platform { return this.#platform; }
  get shardId(): number { return this.#shardId; }
  get shardCount(): number { return this.#shardCount; }
  get guildIds(): readonly string[] { return this.#guildIds; }
  /** The shape READY was encoded in; a RESUME must come with the same one. */
  get shape(): DispatchShape { return this.#shape; }
  /** The last sequence number sent (0 before any dispatch). */
  get seq(): number { return this.#buffer?.lastSeq ?? 0; }
  get replayBuffer(): ReplayBuffer | undefined { return this.#buffer; }
  /** The instance this session is being handed off to (origin side), if any. */
  get takenBy(): string | undefined { return this.#takenBy; }

  /** One inbound WebSocket message from the bound connection. */
  receive(data: Buffer | string): void {
    const link = this.#link;
    if (!link) return;
    let payload: GatewayPayload;
    try {
      payload = link.encoding.decode(data);
    } catch {
      this.closeConnection(CloseCodes.DECODE_ERROR);
      return;
    }
    try {
      this.#handle(payload);
    } catch (error) {
      this.closeConnection(error instanceof CommandError ? error.close : CloseCodes.UNKNOWN_ERROR);
    }
  }

  /** Sends one dispatch with the next sequence number (fan-out, READY, replays' RESUMED...). */
  deliver(dispatch: EncodedDispatch): void {
    if (this.#pending) {
      this.#pending.push(dispatch);
      return;
    }
    const buffer = this.#buffer;
    if (!buffer || this.#state === SessionState.CLOSED) return;
    const seq = buffer.lastSeq + 1;
    const kept = buffer.push(seq, dispatch);
    if (this.#link) this.#link.sendDispatch(dispatch, seq);
    // Detached and over the bound: a later RESUME would miss events, so end the session now.
    else if (!kept) this.#teardown();
  }

  /** Records a guild joined after READY, so teardown unsubscribes it (SessionRegistry.subscribe). */
  trackGuild(guildId: string): void {
    if (!this.#guildIds.includes(guildId)) this.#guildIds.push(guildId);
  }

  /** Forgets a guild the user left or that was deleted (SessionRegistry.unsubscribe). */
  untrackGuild(guildId: string): void {
    const index = this.#guildIds.indexOf(guildId);
    if (index >= 0) this.#guildIds.splice(index, 1);
  }

  /** Asks the client for an immediate heartbeat (op 1). */
  requestHeartbeat(): void {
    this.#link?.sendPayload({ op: GatewayOpcode.HEARTBEAT, d: null });
  }

  /** Server-side close of the current connection; the close code decides detach vs end. */
  closeConnection(info: CloseCodeInfo, reason = info.reason): void {
    const link = this.#link;
    if (!link) return;
    link.close(info.code, reason);
    this.linkClosed(link, info.code);
  }

  /** The connection is gone (either side closed it, or it dropped). */
  linkClosed(link: SessionLink, code: number): void {
    if (link !== this.#link) return;
    this.#link = undefined;
    this.#limiter = undefined;
    if (this.#state === SessionState.READY && closeKeepsSession(code)) this.#detach();
    // Taken from another instance, not released yet: #resumeFromPeer finishes it, detached.
    else if (this.#pending && closeKeepsSession(code)) return;
    else this.#teardown();
  }

  /** Ends the session for good (server shutdown, invalidation), closing its connection if any. */
  end(code = 4000, reason = 'Session ended.'): void {
    const link = this.#link;
    this.#link = undefined;
    link?.close(code, reason);
    this.#teardown();
  }

  /** Heartbeat deadline passed (attached) or resume window over (detached). Called by the wheel. */
  onWheelDeadline(): void {
    if (this.#state === SessionState.DETACHED) this.#teardown();
    else this.closeConnection(CloseCodes.SESSION_TIMED_OUT);
  }

  #handle(payload: GatewayPayload): void {
    const { op } = payload;
    if (!CLIENT_OPCODES.has(op)) throw new CommandError(CloseCodes.UNKNOWN_OPCODE, `unknown opcode ${op}`);
    this.#limiter ??= this.#env.ports.commandLimiter();
    if (!this.#limiter.hit(this.#env.now(), op)) throw new CommandError(CloseCodes.RATE_LIMITED, 'rate limited');
    if (op === GatewayOpcode.HEARTBEAT) return this.#heartbeat(payload.d);
    const authenticated = this.#state === SessionState.READY;
    if (!authenticated && !UNAUTHENTICATED_OPCODES.has(op)) throw new CommandError(CloseCodes.NOT_AUTHENTICATED, 'not authenticated');
    switch (op) {
      case GatewayOpcode.IDENTIFY:
        return this.#startIdentify(parseIdentify(payload.d));
      case GatewayOpcode.RESUME:
        return this.#startResume(parseResume(payload.d));
      case GatewayOpcode.PRESENCE_UPDATE:
        return this.#env.ports.presence.sessionPresence(this.#id!, this.#userId, parsePresence(payload.d));
      case GatewayOpcode.REQUEST_GUILD_MEMBERS:
        return this.#env.ports.members.requestMembers(this.#id!, this.#userId, parseMemberRequest(payload.d));
      case GatewayOpcode.GUILD_SUBSCRIPTIONS: {
        const command = parseGuildSubscriptions(payload.d);
        return this.#env.ports.guildSubscriptions?.guildSubscriptions(this.#id!, command);
      }
      default:
        return; // VOICE_STATE_UPDATE: accepted, not implemented.
    }
  }

  #heartbeat(d: unknown): void {
    if (typeof d === 'number') this.#buffer?.acknowledge(d);
    this.#link?.sendPayload({ op: GatewayOpcode.HEARTBEAT_ACK });
    this.#scheduleHeartbeatDeadline();
  }

  #scheduleHeartbeatDeadline(): void {
    const { heartbeatIntervalMs, heartbeatSlackMs } = this.#env.settings;
    this.#env.wheel.schedule(this, this.#env.now() + heartbeatIntervalMs + heartbeatSlackMs);
  }

  #startIdentify(command: IdentifyCommand): void {
    if (this.#state !== SessionState.HELLO_SENT) throw new CommandError(CloseCodes.ALREADY_AUTHENTICATED, 'already authenticated');
    this.#setState(SessionState.IDENTIFYING);
    this.#identify(command).catch((error: unknown) => this.#failAsync(error, SessionState.IDENTIFYING));
  }

  async #identify(command: IdentifyCommand): Promise<void> {
    const { ports, settings } = this.#env;
    const identity = await ports.authenticator.authenticate(command.token, command.intents);
    if (this.#state !== SessionState.IDENTIFYING) return;
    if (!ports.identifyGate.tryIdentify(identity.userId, command.shard[0], settings.maxConcurrency)) {
      this.#invalidSession();
      return;
    }
    // After the concurrency bucket admitted it: an IDENTIFY told to wait (op 9) costs no start.
    if (ports.sessionStarts && !ports.sessionStarts.consume(identity.userId).allowed) {
      this.closeConnection(CloseCodes.RATE_LIMITED, SESSION_START_LIMIT_EXHAUSTED);
      return;
    }
    const guilds = await ports.guilds.readyGuilds(identity.userId, command.shard, { largeThreshold: command.largeThreshold });
    if (this.#state !== SessionState.IDENTIFYING) return;
    this.#becomeReady(command, identity, guilds);
  }

  #becomeReady(command: IdentifyCommand, identity: AuthenticatedIdentity, guilds: GuildSnapshot[]): void {
    const { directory, settings, ports, instanceId } = this.#env;
    this.#id = newSessionId(instanceId);
    this.#userId = identity.userId;
    this.#tokenIssuedAt = identity.issuedAt ?? 0;
    this.#intents = identity.grantedIntents;
    this.#platform = command.platform;
    [this.#shardId, this.#shardCount] = command.shard;
    if (command.compress) this.#link!.enablePayloadCompression();
    this.#shape = this.#link!.shape;
    this.#buffer = new ReplayBuffer(settings.replay);
    this.#guildIds = guilds.map((guild) => guild.id);
    this.#setState(SessionState.READY);
    directory.add(this, this.#guildIds);
    const resumeUrl = this.#link!.resumeGatewayUrl ?? settings.resumeGatewayUrl;
    this.deliver(directory.encode(this.#shape, 'READY', readyPayload(this.#id, identity, guilds, resumeUrl, command)));
    for (const guild of guilds) this.deliver(directory.encode(this.#shape, 'GUILD_CREATE', guild.payload));
    if (command.presence) ports.presence.sessionPresence(this.#id, this.#userId, command.presence);
  }

  #startResume(command: ResumeCommand): void {
    if (this.#state !== SessionState.HELLO_SENT) throw new CommandError(CloseCodes.ALREADY_AUTHENTICATED, 'already authenticated');
    this.#setState(SessionState.RESUMING);
    this.#resume(command).catch((error: unknown) => this.#failAsync(error, SessionState.RESUMING));
  }

  async #resume(command: ResumeCommand): Promise<void> {
    const target = this.#env.directory.get(command.sessionId);
    if (!target) {
      const origin = sessionOrigin(command.sessionId);
      if (origin !== undefined && origin !== this.#env.instanceId && this.#env.ports.handoff) return this.#resumeFromPeer(origin, command);
      return this.#resumeRefused('unknown-session');
    }
    if (target.#state === SessionState.CLOSED || target.#takenBy !== undefined) return this.#resumeRefused('unknown-session');
    const identity = await this.#env.ports.authenticator.authenticate(command.token, target.#intents);
    if (this.#state !== SessionState.RESUMING) return;
    if ((target.#state as SessionState) === SessionState.CLOSED) return this.#resumeRefused('unknown-session');
    if (identity.userId !== target.#userId || target.#takenBy !== undefined) return this.#resumeRefused('bad-token');
    if (target.#shape === 'json+payload-zlib') this.#link!.enablePayloadCompression();
    if (this.#link!.shape !== target.#shape) return this.#resumeRefused('wrong-encoding');
    const lookup = target.#buffer!.after(command.seq);
    if (lookup.kind === 'future') {
      this.#env.metrics?.resumes.inc({ outcome: 'future-seq' });
      return this.closeConnection(CloseCodes.INVALID_SEQ);
    }
    if (lookup.kind === 'too-old') {
      target.end(CloseCodes.INVALID_SEQ.code, 'Session resumed from a sequence it can no longer replay.');
      return this.#resumeRefused('too-old');
    }
    // This placeholder hands its connection over and disappears without side effects.
    const link = this.#link!;
    this.#link = undefined;
    this.#teardown();
    target.#tokenIssuedAt = identity.issuedAt ?? 0;
    target.#takeOver(link, lookup);
    this.#env.metrics?.resumes.inc({ outcome: 'resumed' });
  }

  /**
   * RESUME of a session another instance holds: take it from its origin (which keeps buffering),
   * subscribe it here, then release it at the origin and merge what the origin delivered after
   * the snapshot with what arrived here meanwhile (the same events fanned out to both instances),
   * so the client gets every event once, in order.
   */
  async #resumeFromPeer(origin: string, command: ResumeCommand): Promise<void> {
    const { ports, directory, settings, instanceId } = this.#env;
    const handoff = ports.handoff!;
    const identity = await ports.authenticator.authenticate(command.token, 0);
    if (this.#state !== SessionState.RESUMING) return;
    let snapshot: SessionSnapshot;
    try {
      snapshot = await handoff.take(origin, {
        sessionId: command.sessionId, seq: command.seq, userId: identity.userId, shape: this.#link!.shape, takerInstanceId: instanceId,
      });
    } catch (error) {
      return this.#peerRefused(error);
    }
    // The client left while the origin answered: the origin keeps the session for this instance
    // (TakeSession is idempotent for the same taker), so a new RESUME here still gets it.
    if (this.#state !== SessionState.RESUMING) return;
    // As a same-instance RESUME does: the session's privileged intents must still be granted (4014).
    if (snapshot.intents !== 0) await ports.authenticator.authenticate(command.token, snapshot.intents);
    if (this.#state !== SessionState.RESUMING) return;
    if (snapshot.shape === 'json+payload-zlib') this.#link!.enablePayloadCompression();
    this.#id = command.sessionId;
    this.#userId = snapshot.userId;
    this.#tokenIssuedAt = identity.issuedAt ?? 0;
    this.#intents = snapshot.intents;
    this.#shardId = snapshot.shardId;
    this.#shardCount = snapshot.shardCount;
    this.#shape = this.#link!.shape;
    this.#guildIds = [...snapshot.guildIds];
    this.#buffer = new ReplayBuffer(settings.replay, command.seq + 1);
    // Subscribed from now on; what arrives before the release waits in #pending, unnumbered.
    this.#pending = [];
    directory.add(this, this.#guildIds);
    // The guild service must stream this session's scopes here before the origin lets go of it.
    await ports.guilds.syncInterests?.();
    let tail: SessionTail;
    try {
      tail = await handoff.release(origin, command.sessionId, instanceId, snapshot.nextSeq - 1);
    } catch (error) {
      this.#abandonAdoption();
      return this.#peerRefused(error);
    }
    if (this.#state !== SessionState.RESUMING) return;
    const fromOrigin = [...snapshot.replay, ...tail.replay];
    const buffer = this.#buffer;
    for (const item of fromOrigin) {
      const encoded = directory.encode(this.#shape, item.t, JSON.parse(item.dJson));
      if (item.eventKey) encoded.eventKey = item.eventKey;
      if (!buffer.push(item.seq, encoded)) {
        this.#abandonAdoption();
        return this.#resumeRefused('too-old');
      }
    }
    const pending = this.#pending;
    this.#pending = undefined;
    const link = this.#link;
    this.#setState(SessionState.READY);
    this.#env.metrics?.resumes.inc({ outcome: 'resumed-from-peer' });
    if (!link) {
      // The connection dropped during the handoff: the session is here now, resumable as usual.
      for (const dispatch of pending.slice(overlap(fromOrigin, pending))) this.deliver(dispatch);
      if ((this.#state as SessionState) === SessionState.READY) this.#detach();
      return;
    }
    this.#scheduleHeartbeatDeadline();
    const lookup = buffer.after(command.seq);
    if (lookup.kind === 'ok') lookup.dispatches.forEach((dispatch, index) => link.sendDispatch(dispatch, lookup.firstSeq + index));
    for (const dispatch of pending.slice(overlap(fromOrigin, pending))) this.deliver(dispatch);
    this.deliver(directory.encode(this.#shape, 'RESUMED', {}));
  }

  #peerRefused(error: unknown): void {
    if (this.#state !== SessionState.RESUMING) return;
    if (!(error instanceof HandoffRefusedError)) throw error;
    if (error.reason === 'future-seq') {
      this.#env.metrics?.resumes.inc({ outcome: 'future-seq' });
      return this.closeConnection(CloseCodes.INVALID_SEQ);
    }
    this.#resumeRefused(error.reason);
  }

  /** Undoes a half-done adoption (the release failed): this connection goes back to hello-sent. */
  #abandonAdoption(): void {
    if (this.#id !== undefined) this.#env.directory.remove(this);
    this.#id = undefined;
    this.#buffer = undefined;
    this.#pending = undefined;
    this.#guildIds = [];
    if (!this.#link) this.#teardown();
  }

  /**
   * Origin side of TakeSession: closes a zombie connection, marks the session as handed off to
   * `taker` (it stays subscribed and keeps buffering until release) and returns it. Repeating it
   * for the same taker is harmless. Throws HandoffRefusedError.
   */
  handOff(taker: string, userId: bigint, connectionShape: DispatchShape, seq: number): SessionSnapshot {
    const buffer = this.#buffer;
    const handing = this.#state === SessionState.READY || this.#state === SessionState.DETACHED;
    if (!buffer || this.#id === undefined || !handing || this.#pending || (this.#takenBy ?? taker) !== taker) {
      throw new HandoffRefusedError('unknown-session');
    }
    if (userId !== this.#userId) throw new HandoffRefusedError('bad-token');
    const compatible = this.#shape === connectionShape || (this.#shape === 'json+payload-zlib' && connectionShape === 'json');
    if (!compatible) throw new HandoffRefusedError('wrong-encoding');
    const lookup = buffer.after(seq);
    if (lookup.kind === 'future') throw new HandoffRefusedError('future-seq');
    if (lookup.kind === 'too-old') {
      this.end(CloseCodes.INVALID_SEQ.code, 'Session resumed from a sequence it can no longer replay.');
      throw new HandoffRefusedError('too-old');
    }
    if (this.#link) this.closeConnection(CloseCodes.UNKNOWN_ERROR, 'Session resumed on another instance.');
    this.#takenBy = taker;
    if (this.#state !== SessionState.DETACHED) this.#setState(SessionState.DETACHED);
    // The taker releases within a round trip; if it never does, the session ends after the resume window.
    this.#env.wheel.schedule(this, this.#env.now() + this.#env.settings.resumeWindowMs);
    return {
      userId: this.#userId,
      intents: this.#intents,
      shardId: this.#shardId,
      shardCount: this.#shardCount,
      guildIds: [...this.#guildIds],
      shape: this.#shape,
      replay: handedOver(lookup.dispatches, lookup.firstSeq),
      nextSeq: buffer.lastSeq + 1,
    };
  }

  /** Origin side of ReleaseSession: what was delivered after `afterSeq`; then the session ends here. */
  release(taker: string, afterSeq: number): SessionTail {
    const buffer = this.#buffer;
    if (!buffer || this.#takenBy !== taker || this.#state === SessionState.CLOSED) throw new HandoffRefusedError('unknown-session');
    const lookup = buffer.after(afterSeq);
    if (lookup.kind !== 'ok') throw new HandoffRefusedError('unknown-session');
    const tail = { replay: handedOver(lookup.dispatches, lookup.firstSeq), nextSeq: buffer.lastSeq + 1 };
    this.#teardown();
    return tail;
  }

  #takeOver(link: SessionLink, lookup: Extract<ReplayLookup, { kind: 'ok' }>): void {
    const zombie = this.#link;
    this.#link = undefined;
    zombie?.close(CloseCodes.UNKNOWN_ERROR.code, 'Session resumed on another connection.');
    this.#link = link;
    link.bind(this);
    this.#setState(SessionState.READY);
    this.#scheduleHeartbeatDeadline();
    lookup.dispatches.forEach((dispatch, index) => link.sendDispatch(dispatch, lookup.firstSeq + index));
    this.deliver(this.#env.directory.encode(this.#shape, 'RESUMED', {}));
  }

  #resumeRefused(outcome: ResumeOutcome): void {
    this.#env.metrics?.resumes.inc({ outcome });
    this.#invalidSession();
  }

  /** op 9 d:false; the connection stays open in hello-sent, so the client may IDENTIFY on it. */
  #invalidSession(): void {
    this.#link?.sendPayload({ op: GatewayOpcode.INVALID_SESSION, d: false });
    this.#setState(SessionState.HELLO_SENT);
  }

  #failAsync(error: unknown, during: SessionState): void {
    if (this.#state !== during) return;
    const code = closeCodeOf(error);
    this.closeConnection((code === undefined ? undefined : closeCodeInfo(code)) ?? CloseCodes.UNKNOWN_ERROR);
  }

  #detach(): void {
    this.#setState(SessionState.DETACHED);
    this.#env.metrics?.replayBufferEvents.observe(this.#buffer?.length ?? 0);
    this.#env.wheel.schedule(this, this.#env.now() + this.#env.settings.resumeWindowMs);
  }

  /** The one teardown path. */
  #teardown(): void {
    if (this.#state === SessionState.CLOSED) return;
    this.#setState(SessionState.CLOSED);
    this.#env.wheel.cancel(this);
    if (this.#id !== undefined) this.#env.directory.remove(this);
    this.#buffer?.clear();
    this.#pending = undefined;
    this.#limiter = undefined;
  }

  #setState(next: SessionState): void {
    const from = this.#state;
    if (from === next) return;
    this.#state = next;
    this.#env.metrics?.sessions.dec({ state: from });
    this.#env.metrics?.sessions.inc({ state: next });
    this.#env.events.emit('state', this, from, next);
  }
}

function handedOver(dispatches: readonly EncodedDispatch[], firstSeq: number): HandedOverDispatch[] {
  return dispatches.map((dispatch, index) => ({
    seq: firstSeq + index, t: dispatch.t, dJson: dispatch.payloadJson(), ...(dispatch.eventKey ? { eventKey: dispatch.eventKey } : {}),
  }));
}

/**
 * How many of `pending` (fanned out to the taker since it subscribed the session) the origin
 * already delivered: the longest prefix of `pending` that is a suffix of `fromOrigin`. Both
 * instances get a guild's events in the same order, so what both got is exactly that overlap.
 * Dispatches compare by their guild stream event (partition, offset, sub-index) when both carry
 * one — exact even for two identical payloads in a row — else by event (t and d).
 */
export function overlap(fromOrigin: readonly HandedOverDispatch[], pending: readonly EncodedDispatch[]): number {
  const max = Math.min(fromOrigin.length, pending.length);
  if (max === 0) return 0;
  const keys = pending.slice(0, max).map((dispatch) => dispatch.eventKey ?? `${dispatch.t}\u0000${dispatch.payloadJson()}`);
  for (let k = max; k > 0; k -= 1) {
    let match = true;
    for (let i = 0; i < k && match; i += 1) {
      const item = fromOrigin[fromOrigin.length - k + i]!;
      match = (item.eventKey ?? `${item.t}\u0000${item.dJson}`) === keys[i];
    }
    if (match) return k;
  }
  return 0;
}
