/** `node dist/bench/profileCli.js <file.cpuprofile | folder> [top]`: prints where a profile's time went, in markdown. */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { profileMarkdown, summarizeProfile } from './profile';

function profilesIn(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .filter((name) => name.endsWith('.cpuprofile'))
    .sort()
    .map((name) => join(path, name));
}

function main(): void {
  const [path, top] = process.argv.slice(2);
  if (path === undefined) {
    console.error('usage: node dist/bench/profileCli.js <file.cpuprofile | folder> [top]');
    process.exit(2);
  }
  for (const file of profilesIn(path)) {
    console.log(`## ${file}\n`);
    console.log(profileMarkdown(summarizeProfile(file), top === undefined ? 20 : Number(top)));
    console.log('');
  }
}

main();
