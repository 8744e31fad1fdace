import { declaredName, SettingName } from './catalogue';

/** A bad setting: the message always names it. Thrown at start-up only. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly setting: string,
    problem: string,
  ) {
    super(`Invalid setting ${setting}: ${problem}`);
  }
}

export type Env = Readonly<Record<string, string | undefined>>;

/** The reference App Service could not resolve: which secret, and the usual causes. It holds no secret value. */
export function unresolvedReference(reference: string): string {
  const uri = /SecretUri=https:\/\/([^./]+)[^/]*\/secrets\/([^/)]+)/i.exec(reference);
  const named = /VaultName=([^;)]+);\s*SecretName=([^;)]+)/i.exec(reference);
  const [, vault, secret] = uri ?? named ?? [];
  const which = secret === undefined ? 'its Key Vault reference' : `its Key Vault reference to secret "${secret}" in vault "${vault}"`;
  return (
    `${which} did not resolve (App Service left the reference text in place). Likely causes: the secret does not exist (a first deployment ` +
    'without its value), the app identity lacks Key Vault Secrets User or the role assignment is still applying (up to 10 minutes), or the vault ' +
    'is unreachable (private networking). Fix it, then restart the app or POST <app resource id>/config/configreferences/appsettings/refresh.'
  );
}

/** Typed, validating accessors over an environment snapshot; only declared settings (catalogue.ts) can be read. */
export class SettingsReader {
  /** Every name asked for, so a test can tell that each declared setting is still read. */
  readonly asked = new Set<string>();

  constructor(private readonly env: Env) {}

  string(name: SettingName): string | undefined {
    this.asked.add(declaredName(name));
    const value = this.env[name]?.trim();
    if (value === undefined || value === '') return undefined;
    // App Service leaves the reference text in place when it cannot resolve it; never use that as a key.
    if (value.startsWith('@Microsoft.KeyVault(')) throw new ConfigError(name, unresolvedReference(value));
    return value;
  }

  required(name: SettingName, what: string): string {
    const value = this.string(name);
    if (value === undefined) throw new ConfigError(name, `required (${what})`);
    return value;
  }

  /** A whole number; `fallback` undefined makes the setting required. */
  integer(name: SettingName, fallback: number | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number {
    const raw = this.string(name);
    if (raw === undefined) {
      if (fallback === undefined) throw new ConfigError(name, `required (a whole number from ${min} to ${max})`);
      return fallback;
    }
    if (!/^-?\d+$/.test(raw)) throw new ConfigError(name, `expected a whole number, got "${raw}"`);
    return this.inRange(name, Number(raw), min, max);
  }

  /** Seconds (decimals allowed) converted to whole milliseconds. */
  secondsAsMs(name: SettingName, fallbackSeconds: number, minSeconds: number, maxSeconds: number): number {
    const raw = this.string(name);
    if (raw === undefined) return Math.round(fallbackSeconds * 1000);
    if (!/^\d+(\.\d+)?$/.test(raw)) throw new ConfigError(name, `expected seconds such as 30 or 2.5, got "${raw}"`);
    return Math.round(this.inRange(name, Number(raw), minSeconds, maxSeconds) * 1000);
  }

  /** A decimal number such as 3 or 0.05. */
  number(name: SettingName, fallback: number, min: number, max: number): number {
    const raw = this.string(name);
    if (raw === undefined) return fallback;
    if (!/^\d+(\.\d+)?$/.test(raw)) throw new ConfigError(name, `expected a number such as 3 or 0.5, got "${raw}"`);
    return this.inRange(name, Number(raw), min, max);
  }

  oneOf<T extends string>(name: SettingName, allowed: readonly T[], fallback: T): T {
    const raw = this.string(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    const found = allowed.find((value) => value === raw);
    if (found === undefined) throw new ConfigError(name, `expected one of ${allowed.join(', ')}, got "${raw}"`);
    return found;
  }

  private inRange(name: string, value: number, min: number, max: number): number {
    if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
    return value;
  }
}
