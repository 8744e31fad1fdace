import { isValidName } from '../core/deploymentName';
import { ConfigError, SettingsReader } from './settingsReader';

const SETTING = 'ROUTER_API_KEYS';
const ADMIN_SETTING = 'ROUTER_ADMIN_KEY';
/** Short keys are guessable; Azure's own keys are 32+ characters. */
export const MIN_KEY_LENGTH = 16;

/** `consumerName:key,…` → key → consumer. Secure by default: the router refuses to start without keys. */
export function readConsumerKeys(settings: SettingsReader): Map<string, string> {
  const raw = settings.required(SETTING, 'comma-separated consumerName:key pairs');
  const keys = new Map<string, string>();
  for (const entry of raw
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '')) {
    const colon = entry.indexOf(':');
    const consumer = entry.slice(0, colon).trim();
    const key = entry.slice(colon + 1).trim();
    if (colon <= 0 || !isValidName(consumer)) {
      throw new ConfigError(SETTING, `each entry must be consumerName:key (entry ${keys.size + 1} is not)`);
    }
    if (key.length < MIN_KEY_LENGTH) {
      throw new ConfigError(SETTING, `the key of consumer "${consumer}" is shorter than ${MIN_KEY_LENGTH} characters`);
    }
    if (keys.has(key)) throw new ConfigError(SETTING, `consumer "${consumer}" reuses another consumer's key`);
    keys.set(key, consumer);
  }
  if (keys.size === 0) throw new ConfigError(SETTING, 'lists no keys');
  return keys;
}

/**
 * ROUTER_ADMIN_KEY, held to the rules of caller keys (16+ characters) and distinct from every
 * one of them: a caller whose key is the admin key would be an operator. Unset: no admin key.
 * Errors name the setting and the consumer, never a key.
 */
export function readAdminKey(settings: SettingsReader, consumerKeys: ReadonlyMap<string, string>): string | undefined {
  const key = settings.string(ADMIN_SETTING);
  if (key === undefined) return undefined;
  if (key.length < MIN_KEY_LENGTH)
    throw new ConfigError(ADMIN_SETTING, `the admin key is shorter than ${MIN_KEY_LENGTH} characters (e.g. \`openssl rand -hex 24\`)`);
  const consumer = consumerKeys.get(key);
  if (consumer !== undefined)
    throw new ConfigError(ADMIN_SETTING, `the admin key is also the key of consumer "${consumer}" in ${SETTING}: give the admin its own key`);
  return key;
}
