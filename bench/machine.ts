/** What the numbers were measured on. */
import { readFileSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';

export interface Machine {
  readonly node: string;
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly kernel: string;
}

function cpuModel(): string {
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    return match?.[1]?.trim() ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function kernel(): string {
  try {
    return readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim();
  } catch {
    return process.platform;
  }
}

export function describeMachine(): Machine {
  return {
    node: process.version,
    cpuModel: cpuModel(),
    cores: availableParallelism(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: kernel(),
  };
}

/** Jiffies of the whole machine from the first line of /proc/stat. */
export interface CpuTimes {
  readonly total: number;
  readonly steal: number;
}

export function machineCpuTimes(): CpuTimes {
  try {
    const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal (guest time is already in user).
    const parts = fields.slice(0, 8);
    return { total: parts.reduce((a, b) => a + b, 0), steal: parts[7] ?? 0 };
  } catch {
    return { total: NaN, steal: NaN };
  }
}

/** Percentage of CPU time the hypervisor gave to other guests between two readings. */
export function stealPercent(before: CpuTimes, after: CpuTimes): number {
  return (100 * (after.steal - before.steal)) / (after.total - before.total);
}

/** The 1-minute load average, read before the bench starts anything. */
export function loadAverage(): number {
  try {
    return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
  } catch {
    return NaN;
  }
}
