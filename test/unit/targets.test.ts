import { describe, expect, it } from 'vitest';
import { storedObjectTargets, TargetIndex, targetsFor } from '../../src/core/targets';
import { backend } from '../support/fixtures';

const ptu = backend({ name: 'ptu', priority: 1, deployments: new Map([['gpt-4o', 'gpt-4o-ptu']]) });
const paygo = backend({ name: 'paygo', priority: 2, spillover: { all: 'gpt-4o-std' } });

describe('route targets', () => {
  it("resolve each backend's deployment for the alias, in priority order", () => {
    const targets = targetsFor([paygo, ptu], 'gpt-4o');
    expect(targets.map((t) => [t.backend.name, t.deployment, t.spilloverDeployment])).toEqual([
      ['ptu', 'gpt-4o-ptu', undefined],
      ['paygo', 'gpt-4o', 'gpt-4o-std'],
    ]);
  });

  it("carry the backend's routing view only: never its key nor its alias maps", () => {
    const targets = [...targetsFor([ptu, paygo], 'gpt-4o'), ...storedObjectTargets([ptu, paygo]), ...new TargetIndex([ptu, paygo]).candidates('', undefined)];
    for (const target of targets) {
      expect(JSON.stringify(target)).not.toContain('key-of-');
      expect(Object.keys(target.backend).sort()).toEqual(['basePath', 'name', 'origin', 'priority', 'type', 'weight']);
    }
  });

  it('leave out a backend whose DEPLOYMENTS does not name the alias', () => {
    expect(targetsFor([ptu, paygo], 'gpt-4o-mini').map((t) => t.backend.name)).toEqual(['paygo']);
  });
});
