import { app, InvocationContext, Timer } from '@azure/functions';
import { probeBackends } from '../probe/probeBackends';
import { getRuntime } from '../runtime/getRuntime';
import './setup';

const runtime = getRuntime();

/** Probes every backend's latency and health; one round per tick for the whole app. */
export async function probeTick(_timer: Timer, context: InvocationContext): Promise<void> {
  const { config, client, credentials, state, stateHandle, router } = getRuntime();
  // Timer triggers are singletons in Azure; the lease also keeps local multi-host runs to one round.
  if (!(await stateHandle.claimLease('probe', Math.max(5_000, config.probe.timeoutMs)))) {
    context.log('Another instance probes this tick');
    return;
  }
  const results = await probeBackends({ config, client, credentials, state, now: Date.now, probeFailed: (b) => router.probeFailed(b) });
  context.log(`Probed ${results.map((r) => `${r.backend}=${r.outcome}${r.latencyMs === undefined ? '' : ` ${r.latencyMs}ms`}`).join(', ')}`);
}

app.timer('probeBackends', {
  schedule: runtime.config.probe.schedule, // PROBE_SCHEDULE, default every minute
  runOnStartup: false,
  handler: probeTick,
});
