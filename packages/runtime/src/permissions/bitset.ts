// Helpers to build, test and (de)serialise permission bitsets.
import { ALL_PERMISSIONS, PermissionFlags, PermissionName } from './flags';

export class InvalidPermissionsError extends Error {
  override readonly name = 'InvalidPermissionsError';
  constructor(readonly value: unknown) {
    super(`not a permission bitset: ${JSON.stringify(typeof value === 'bigint' ? value.toString() : value)}`);
  }
}

export function permissionsOf(...names: PermissionName[]): bigint {
  return names.reduce((bits, name) => bits | PermissionFlags[name], 0n);
}

export function hasPermission(bits: bigint, required: bigint): boolean {
  return (bits & required) === required;
}

export function permissionNames(bits: bigint): PermissionName[] {
  return (Object.keys(PermissionFlags) as PermissionName[]).filter((name) => (bits & PermissionFlags[name]) !== 0n);
}

/** Parses the wire form (decimal string); unknown bits are kept, as Discord adds bits over time. */
export function parsePermissions(value: unknown): bigint {
  if (typeof value === 'bigint' && value >= 0n) return value;
  if (typeof value !== 'string' || !/^\d{1,20}$/.test(value)) throw new InvalidPermissionsError(value);
  return BigInt(value);
}

export function serializePermissions(bits: bigint): string {
  return bits.toString();
}

/** Drops bits this version does not know, e.g. before storing a bitset a client sent. */
export function knownPermissions(bits: bigint): bigint {
  return bits & ALL_PERMISSIONS;
}
