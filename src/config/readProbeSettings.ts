import { ProbeSettings } from './types';
import { ConfigError, SettingsReader } from './settingsReader';
import { isValidDeploymentName } from '../core/deploymentName';

export const DEFAULT_PROBE_SCHEDULE = '0 */1 * * * *';

export function readProbeSettings(settings: SettingsReader): ProbeSettings {
  const schedule = settings.string('PROBE_SCHEDULE') ?? DEFAULT_PROBE_SCHEDULE;
  if (!/^(\S+\s+){5}\S+$/.test(schedule) && !/^\d{1,2}:\d{2}:\d{2}$/.test(schedule)) {
    throw new ConfigError('PROBE_SCHEDULE', `expected a six-field NCRONTAB such as "${DEFAULT_PROBE_SCHEDULE}", got "${schedule}"`);
  }
  const deployment = settings.string('PROBE_DEPLOYMENT');
  if (deployment !== undefined && !isValidDeploymentName(deployment)) throw new ConfigError('PROBE_DEPLOYMENT', 'not a valid deployment name');
  return {
    schedule,
    deployment,
    timeoutMs: settings.secondsAsMs('PROBE_TIMEOUT_SECONDS', 10, 0.1, 120),
    apiVersion: settings.string('PROBE_API_VERSION') ?? '2024-10-21',
  };
}
