import { ConsumerLimit } from '../core/consumerLimits';
import { SettingName } from './catalogue';
import { ConfigError, SettingsReader } from './settingsReader';

/**
 * ROUTER_CONSUMER_LIMITS=`team-a=50000,team-b=10000` (tokens per minute) and
 * ROUTER_CONSUMER_QUOTAS=`team-a=2000000/day,team-b=30000000/month`.
 */
export function readConsumerLimits(settings: SettingsReader, consumers: ReadonlySet<string>): Map<string, ConsumerLimit> {
  const limits = new Map<string, ConsumerLimit>();
  for (const [consumer, value] of pairs(settings, 'ROUTER_CONSUMER_LIMITS', consumers)) {
    if (!/^\d+$/.test(value)) throw new ConfigError('ROUTER_CONSUMER_LIMITS', `"${consumer}" needs whole tokens per minute, got "${value}"`);
    limits.set(consumer, { tokensPerMinute: Number(value), quota: undefined });
  }
  for (const [consumer, value] of pairs(settings, 'ROUTER_CONSUMER_QUOTAS', consumers)) {
    const match = /^(\d+)\/(day|month)$/.exec(value);
    if (match === null) throw new ConfigError('ROUTER_CONSUMER_QUOTAS', `"${consumer}" needs tokens/day or tokens/month, got "${value}"`);
    const quota = { tokens: Number(match[1]), period: match[2] as 'day' | 'month' };
    limits.set(consumer, { tokensPerMinute: limits.get(consumer)?.tokensPerMinute, quota });
  }
  return limits;
}

function pairs(settings: SettingsReader, setting: SettingName, consumers: ReadonlySet<string>): [string, string][] {
  const raw = settings.string(setting);
  if (raw === undefined) return [];
  return raw
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const consumer = pair.slice(0, eq).trim();
      if (eq <= 0 || !consumers.has(consumer)) throw new ConfigError(setting, `"${pair}" does not name a consumer from ROUTER_API_KEYS`);
      return [consumer, pair.slice(eq + 1).trim()];
    });
}
