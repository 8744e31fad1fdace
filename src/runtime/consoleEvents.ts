import { BackendConfig } from '../config/types';
import { RouterEvents } from '../router/RouterEvents';

/** Events as log lines; repeated warnings about one backend are said once a minute, not per request. */
export function consoleEvents(now: () => number, backends: readonly BackendConfig[]): RouterEvents {
  const configOf = new Map(backends.map((b) => [b.name, b]));
  const lastSaid = new Map<string, number>();
  const once = (key: string, line: string): void => {
    const at = now();
    if ((lastSaid.get(key) ?? -Infinity) > at - 60_000) return;
    lastSaid.set(key, at);
    console.warn(line);
  };
  return {
    benched: (backend, deployment, reason, benchMs) =>
      once(`bench:${backend}/${deployment}:${reason}`, `[router] ${backend}/${deployment} out of rotation for ${benchMs} ms (${reason})`),
    credentialUnavailable: (backend) => once(`cred:${backend}`, `[router] ${backend} skipped: its credential is not available yet`),
    credentialRejected: (backend) =>
      once(
        `rejected:${backend.name}`,
        `[router] ${backend.name} rejected the router's credential even after a refresh; out of rotation. ${credentialAdvice(configOf.get(backend.name))}`,
      ),
    streamEnded: (backend, end) => {
      if (end === 'interrupted') console.warn(`[router] ${backend} dropped a stream mid-way; the client got an error event`);
    },
  };
}

/** What the operator should check, naming the secret but never its value. */
export function credentialAdvice(backend: BackendConfig | undefined): string {
  if (backend === undefined) return '';
  switch (backend.credential.kind) {
    case 'apiKey':
      return `Check BACKEND_${backend.index}_APIKEY.`;
    case 'keyVault':
      return `Check that Key Vault secret "${backend.credential.secretName}" holds a current key of this resource.`;
    case 'entra':
      return "Grant the app's managed identity the Cognitive Services OpenAI User role on this resource.";
  }
}
