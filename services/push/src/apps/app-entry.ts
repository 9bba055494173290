// Reads one entry of the apps JSON, with errors that name the entry and the field (never a
// secret's value), e.g. `PUSH_APPS entry 1 ("ios"): team_id must be 10 letters or digits`.
import { ConfigError } from '@switchboard/runtime';

export class AppEntry {
  private readonly label: string;

  constructor(
    private readonly variable: string,
    index: number,
    private readonly fields: Record<string, unknown>,
  ) {
    const appId = fields.app_id;
    this.label = typeof appId === 'string' && appId !== '' ? `entry ${index} ("${appId}")` : `entry ${index}`;
  }

  static of(variable: string, index: number, value: unknown): AppEntry {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new ConfigError(variable, `entry ${index} must be a JSON object`);
    }
    return new AppEntry(variable, index, value as Record<string, unknown>);
  }

  error(field: string, problem: string): ConfigError {
    return new ConfigError(this.variable, `${this.label}: ${field} ${problem}`);
  }

  /** Unknown keys are typos (`bundleId` for `bundle_id`): rejected rather than ignored. */
  onlyKeys(allowed: readonly string[]): void {
    for (const field of Object.keys(this.fields)) {
      if (!allowed.includes(field)) throw this.error(field, `is not a field of this kind of app (expected ${allowed.join(', ')})`);
    }
  }

  has(field: string): boolean {
    return this.fields[field] !== undefined && this.fields[field] !== null;
  }

  raw(field: string): unknown {
    return this.fields[field];
  }

  /** A required string; `pattern` checks its form and `form` says it in the error. */
  string(field: string, pattern?: RegExp, form?: string): string {
    const value = this.fields[field];
    if (value === undefined || value === null || value === '') throw this.error(field, 'is required');
    if (typeof value !== 'string') throw this.error(field, 'must be a string');
    if (pattern && !pattern.test(value)) throw this.error(field, `must be ${form} (got "${value}")`);
    return value;
  }

  optionalString(field: string, pattern?: RegExp, form?: string): string | undefined {
    return this.has(field) ? this.string(field, pattern, form) : undefined;
  }

  oneOf<const V extends string>(field: string, values: readonly V[], fallback?: V): V {
    if (!this.has(field) && fallback !== undefined) return fallback;
    const value = this.string(field);
    if (!(values as readonly string[]).includes(value)) throw this.error(field, `must be one of ${values.join(', ')} (got "${value}")`);
    return value as V;
  }

  /** Exactly one of an inline field and its `_file` variant must be given. */
  exactlyOne(inline: string, file: string): 'inline' | 'file' {
    const hasInline = this.has(inline);
    const hasFile = this.has(file);
    if (hasInline === hasFile) throw this.error(`${inline} / ${file}`, hasInline ? 'are both set; give only one' : 'is required (one of them)');
    return hasInline ? 'inline' : 'file';
  }
}
