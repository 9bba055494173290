// A realistic stream of guild dispatches for the codec benchmark: Discord-shaped payloads (field
// names, nesting and value styles as the real gateway sends them) drawn from a seeded generator,
// so every run and every mode compresses exactly the same bytes. Chat text is built from common
// words with a Zipf-like skew, because random bytes would make every compressor look useless and
// a repeated sentence would make them all look magical.

export type MixEventName =
  | 'MESSAGE_CREATE'
  | 'TYPING_START'
  | 'PRESENCE_UPDATE'
  | 'GUILD_MEMBER_UPDATE'
  | 'MESSAGE_REACTION_ADD';

export interface MixEvent {
  readonly t: MixEventName;
  readonly d: Record<string, unknown>;
}

/** Share of each event in the message-heavy mix (sums to 1). */
export const MESSAGE_HEAVY_MIX: Readonly<Record<MixEventName, number>> = {
  MESSAGE_CREATE: 0.5,
  TYPING_START: 0.22,
  PRESENCE_UPDATE: 0.12,
  MESSAGE_REACTION_ADD: 0.1,
  GUILD_MEMBER_UPDATE: 0.06,
};

const WORDS = (
  'the i you to a and it is that of in for this was me my on have so but just not be with ' +
  'what like do if lol can are all at yeah get no we one they now your its think know about ' +
  'good out up time how when there would will he people game need dont thats also got really ' +
  'should more then some make going see too here want even still because right way why much ' +
  'well did something sure today work who thing could back new only been day any last server ' +
  'thanks bot channel update build test deploy merge branch release fix bug stream tonight ' +
  'anyone played patch ranked queue match team map discord voice role mod link read docs'
).split(' ');

const EMOJI = ['👍', '😂', '❤️', '🔥', '🎉', '👀', '😭', '✅'];
const ACTIVITIES = ['Visual Studio Code', 'Spotify', 'Counter-Strike 2', 'Minecraft', 'League of Legends'];
const STATUSES = ['online', 'idle', 'dnd'] as const;

/** Mulberry32: tiny, fast, seeded; quality is plenty for picking words. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Guild {
  id: string;
  users: User[];
  channels: string[];
  roles: string[];
}

interface User {
  id: string;
  username: string;
  global_name: string;
  avatar: string | null;
  roles: string[];
  joined_at: string;
}

const DISCORD_EPOCH = 1420070400000n;

export class MessageMix {
  readonly #random: () => number;
  readonly #guilds: Guild[];
  #guild!: Guild;
  #clock = 1714560000000;
  #increment = 0;

  /** A session in `guildCount` guilds of `usersPerGuild` members; busier guilds come first. */
  constructor(seed = 42, guildCount = 1, usersPerGuild = 300) {
    this.#random = prng(seed);
    this.#guilds = Array.from({ length: guildCount }, () => this.#newGuild(usersPerGuild));
  }

  #newGuild(userCount: number): Guild {
    const guild: Guild = { id: this.#snowflake(), users: [], channels: [], roles: [] };
    this.#guild = guild;
    guild.roles = Array.from({ length: 24 }, () => this.#snowflake());
    guild.channels = Array.from({ length: 12 }, () => this.#snowflake());
    guild.users = Array.from({ length: userCount }, (_, i) => this.#user(i));
    return guild;
  }

  /** The next `count` events, drawn by the mix's shares. */
  take(count: number, mix: Readonly<Record<MixEventName, number>> = MESSAGE_HEAVY_MIX): MixEvent[] {
    return Array.from({ length: count }, () => this.next(mix));
  }

  next(mix: Readonly<Record<MixEventName, number>> = MESSAGE_HEAVY_MIX): MixEvent {
    this.#clock += Math.floor(this.#random() * 900);
    // Guild activity is skewed: the first guilds are much busier than the last.
    this.#guild = this.#guilds[Math.floor(this.#random() ** 2 * this.#guilds.length)]!;
    let roll = this.#random();
    for (const [t, share] of Object.entries(mix) as [MixEventName, number][]) {
      roll -= share;
      if (roll < 0) return this.event(t);
    }
    return this.event('MESSAGE_CREATE');
  }

  event(t: MixEventName): MixEvent {
    switch (t) {
      case 'MESSAGE_CREATE':
        return { t, d: this.#messageCreate() };
      case 'TYPING_START':
        return { t, d: this.#typingStart() };
      case 'PRESENCE_UPDATE':
        return { t, d: this.#presenceUpdate() };
      case 'GUILD_MEMBER_UPDATE':
        return { t, d: { guild_id: this.#guild.id, ...this.#member(this.#pick(this.#guild.users)) } };
      case 'MESSAGE_REACTION_ADD':
        return { t, d: this.#reactionAdd() };
    }
  }

  #messageCreate(depth = 0): Record<string, unknown> {
    const author = this.#activeUser();
    const mentioned = this.#random() < 0.2 ? [this.#activeUser()] : [];
    const content = this.#sentence(mentioned[0]);
    const id = this.#snowflake();
    const reply = depth === 0 && this.#random() < 0.15;
    const message: Record<string, unknown> = {
      type: reply ? 19 : 0,
      tts: false,
      timestamp: new Date(this.#clock).toISOString().replace('Z', '000+00:00'),
      pinned: false,
      nonce: this.#snowflake(),
      mentions: mentioned.map((u) => this.#publicUser(u)),
      mention_roles: [],
      mention_everyone: false,
      member: this.#memberBody(author),
      id,
      flags: 0,
      embeds: this.#random() < 0.12 ? [this.#embed()] : [],
      edited_timestamp: null,
      content,
      components: [],
      channel_id: this.#channelOf(author),
      author: this.#publicUser(author),
      attachments: [],
      guild_id: this.#guild.id,
    };
    if (reply) {
      message['message_reference'] = { type: 0, channel_id: message['channel_id'], message_id: this.#snowflake(), guild_id: this.#guild.id };
      const referenced = this.#messageCreate(1);
      delete referenced['member'];
      delete referenced['guild_id'];
      message['referenced_message'] = referenced;
    }
    return message;
  }

  #typingStart(): Record<string, unknown> {
    const user = this.#activeUser();
    return {
      user_id: user.id,
      timestamp: Math.floor(this.#clock / 1000),
      member: { ...this.#memberBody(user), user: this.#publicUser(user) },
      channel_id: this.#channelOf(user),
      guild_id: this.#guild.id,
    };
  }

  #presenceUpdate(): Record<string, unknown> {
    const user = this.#pick(this.#guild.users);
    const status = this.#pick(STATUSES);
    const playing = this.#random() < 0.6;
    const name = this.#pick(ACTIVITIES);
    const activities = playing
      ? [{
          type: 0,
          timestamps: { start: this.#clock - Math.floor(this.#random() * 3_600_000) },
          name,
          id: (this.#random() * 1e16).toString(16).slice(0, 16),
          details: `${this.#pick(WORDS)} ${this.#pick(WORDS)}`,
          state: `${this.#pick(WORDS)} ${this.#pick(WORDS)} ${this.#pick(WORDS)}`,
          created_at: this.#clock,
          application_id: '383226320970055681',
          assets: { large_image: '565945350219857940', large_text: name },
        }]
      : [];
    return { user: { id: user.id }, status, guild_id: this.#guild.id, client_status: { desktop: status }, broadcast: null, activities };
  }

  #reactionAdd(): Record<string, unknown> {
    const user = this.#activeUser();
    const emoji = this.#pick(EMOJI);
    return {
      user_id: user.id,
      type: 0,
      message_id: this.#snowflake(),
      message_author_id: this.#activeUser().id,
      member: { ...this.#memberBody(user), user: this.#publicUser(user) },
      emoji: { name: emoji, id: null },
      channel_id: this.#channelOf(user),
      burst: false,
      guild_id: this.#guild.id,
    };
  }

  #embed(): Record<string, unknown> {
    const slug = `${this.#pick(WORDS)}-${this.#pick(WORDS)}-${this.#pick(WORDS)}`;
    const url = `https://example.com/blog/2024/${slug}`;
    return {
      type: 'article',
      url,
      title: this.#sentence().slice(0, 70),
      description: `${this.#sentence()} ${this.#sentence()}`.slice(0, 200),
      color: 3_447_003,
      provider: { name: 'Example Blog', url: 'https://example.com' },
      thumbnail: {
        url: `https://example.com/images/${slug}.png`,
        proxy_url: `https://images-ext-1.discordapp.net/external/${this.#hash()}/https/example.com/images/${slug}.png`,
        width: 1200, height: 630, placeholder: this.#hash().slice(0, 24), placeholder_version: 1, flags: 0,
      },
      content_scan_version: 1,
    };
  }

  #publicUser(u: User): Record<string, unknown> {
    return {
      username: u.username, public_flags: 0, primary_guild: null, id: u.id, global_name: u.global_name,
      display_name_styles: null, discriminator: '0', collectibles: null, clan: null,
      avatar_decoration_data: null, avatar: u.avatar,
    };
  }

  #memberBody(u: User): Record<string, unknown> {
    return {
      roles: u.roles, premium_since: null, pending: false, nick: null, mute: false, joined_at: u.joined_at,
      flags: 0, deaf: false, communication_disabled_until: null, banner: null, avatar: null,
    };
  }

  #member(u: User): Record<string, unknown> {
    return { ...this.#memberBody(u), user: this.#publicUser(u) };
  }

  #user(index: number): User {
    const name = `${this.#pick(WORDS)}${this.#pick(WORDS)}${index}`;
    const roleCount = Math.floor(this.#random() * 4);
    return {
      id: this.#snowflake(),
      username: name.toLowerCase(),
      global_name: name[0]!.toUpperCase() + name.slice(1),
      avatar: this.#random() < 0.8 ? this.#hash() : null,
      roles: Array.from({ length: roleCount }, () => this.#pick(this.#guild.roles)),
      joined_at: new Date(1_600_000_000_000 + Math.floor(this.#random() * 1e11)).toISOString().replace('Z', '000+00:00'),
    };
  }

  /** A small group talks most of the time, as in real channels. */
  #activeUser(): User {
    const hot = Math.min(this.#guild.users.length, 25);
    return this.#random() < 0.7 ? this.#guild.users[Math.floor(this.#random() * hot)]! : this.#pick(this.#guild.users);
  }

  #channelOf(u: User): string {
    const salt = Number.parseInt(u.id.slice(-3), 10);
    return this.#random() < 0.8 ? this.#guild.channels[salt % 3]! : this.#pick(this.#guild.channels);
  }

  #sentence(mention?: User): string {
    const length = 2 + Math.floor(this.#random() ** 2 * 30);
    const words: string[] = [];
    for (let i = 0; i < length; i++) words.push(WORDS[Math.floor(this.#random() ** 2.2 * WORDS.length)]!);
    if (mention) words.unshift(`<@${mention.id}>`);
    if (this.#random() < 0.15) words.push(this.#pick(EMOJI));
    return words.join(' ');
  }

  #hash(): string {
    let out = '';
    for (let i = 0; i < 32; i++) out += Math.floor(this.#random() * 16).toString(16);
    return out;
  }

  #snowflake(): string {
    this.#increment = (this.#increment + 1) & 0xfff;
    const ms = BigInt(this.#clock) - DISCORD_EPOCH;
    return ((ms << 22n) | (1n << 17n) | BigInt(this.#increment)).toString();
  }

  #pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.#random() * items.length)]!;
  }
}
