import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './bicep';

/** Setting names in the first column of the README "## Settings" table. */
export function readmeSettings(): Set<string> {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  const section = readme.split(/^## /m).find((part) => part.startsWith('Settings\n')) ?? '';
  return new Set([...section.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1] ?? ''));
}
