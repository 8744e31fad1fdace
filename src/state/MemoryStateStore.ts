import { mergeWindow, Window } from '../core/windows';
import { StateStore } from './StateStore';

/** Per-instance state in a Map. Also the in-memory layer of the shared store. */
export class MemoryStateStore implements StateStore {
  private readonly map = new Map<string, Window>();

  getWindow(key: string): Window | undefined {
    return this.map.get(key);
  }

  openWindow(key: string, window: Window): void {
    this.map.set(key, mergeWindow(this.map.get(key), window));
  }

  windows(): ReadonlyMap<string, Window> {
    return this.map;
  }
}
