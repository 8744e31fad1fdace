import { RowTable } from './RowTable';
import { LEASES } from './rowKinds';

/**
 * Whether a lease ending at `heldUntilMs` still holds against a claim made at `nowMs` for a lease
 * until `untilMs`. One ending after the lease the claimer would take itself was taken on a clock
 * ahead of the claimer's (every instance takes the same hold): it counts as ended, so a stopped
 * instance whose clock ran ahead cannot keep the others from the work for the length of its skew.
 */
export function leaseIsHeld(heldUntilMs: number, nowMs: number, untilMs: number): boolean {
  return heldUntilMs > nowMs && heldUntilMs <= untilMs;
}

/**
 * Takes the named lease until `untilMs` unless another instance holds it at `nowMs`; false if it
 * does, or if another instance took it in the same moment (the ETag decides).
 */
export async function claimLease(table: RowTable, name: string, instance: string, nowMs: number, untilMs: number): Promise<boolean> {
  const held = await table.get(LEASES, name);
  if (held !== undefined && leaseIsHeld(held.value.untilMs, nowMs, untilMs)) return false;
  const result = await table.replaceIf(LEASES, name, { untilMs, instance }, held?.etag);
  return result.kind === 'written';
}
