/** The fault schedule: which fault the next requests get, and for how many of them. */
import type { SimulatedFault } from './types';

export class FaultSchedule {
  private fault: SimulatedFault | undefined;
  private remaining = 0;

  /** `times` undefined: until cleared. `times` <= 0 clears. */
  set(fault: SimulatedFault | undefined, times?: number): void {
    if (fault !== undefined) validateFault(fault);
    const count = times ?? Infinity;
    this.fault = count > 0 ? fault : undefined;
    this.remaining = count;
  }

  /** The fault for the request that just arrived, consuming one use. */
  take(): SimulatedFault | undefined {
    const fault = this.fault;
    if (fault === undefined) return undefined;
    this.remaining--;
    if (this.remaining <= 0) this.fault = undefined;
    return fault;
  }

  clear(): void {
    this.fault = undefined;
    this.remaining = 0;
  }
}

/** Fails at setFault rather than in the middle of a request, where nobody would see the error. */
function validateFault(fault: SimulatedFault): void {
  if (fault.kind === 'status' && !(Number.isInteger(fault.status) && fault.status >= 100 && fault.status <= 599)) {
    throw new RangeError(`SimulatedFault status must be an HTTP status code, got ${fault.status}`);
  }
  if (fault.kind === 'dropMidStream' && !(Number.isInteger(fault.afterChunks) && fault.afterChunks >= 0)) {
    throw new RangeError(`SimulatedFault afterChunks must be a non-negative integer, got ${fault.afterChunks}`);
  }
  if (fault.kind === 'delay' && !(Number.isFinite(fault.ms) && fault.ms >= 0)) {
    throw new RangeError(`SimulatedFault delay ms must be a non-negative number, got ${fault.ms}`);
  }
}
