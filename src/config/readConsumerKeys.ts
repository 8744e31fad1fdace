import { isValidName } from '../core/deploymentName';
import { ConfigError, SettingsReader } from './settingsReader';

const SETTING = 'ROUTER_API_KEYS';
/** Short keys are guessable; Azure's own keys are 32+ characters. */
const MIN_KEY_LENGTH = 16;

/** `consumerName:key,…` → key → consumer. Secure by default: the router refuses to start without keys. */
export function readConsumerKeys(settings: SettingsReader): Map<string, string> {
  const raw = settings.required(SETTING, 'comma-separated consumerName:key pairs');
  const keys = new Map<string, string>();
  for (const entry of raw.split(',').map((e) => e.trim()).filter((e) => e !== '')) {
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
