// APNs caps apns-collapse-id at 64 bytes. A longer id is replaced by its SHA-256 (64 hex characters)
// so it stays stable (same id → same collapse) instead of being cut into collisions.
import { createHash } from 'node:crypto';

export const APNS_COLLAPSE_ID_MAX_BYTES = 64;

export function apnsCollapseId(collapseId: string): string {
  if (Buffer.byteLength(collapseId, 'utf8') <= APNS_COLLAPSE_ID_MAX_BYTES) return collapseId;
  return createHash('sha256').update(collapseId, 'utf8').digest('hex');
}
