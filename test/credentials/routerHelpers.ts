import { RouterProcess } from '../support/routerProcess';

export interface Answer {
  readonly status: number;
  readonly backend: string | null;
  readonly attempts: string | null;
  readonly text: string;
}

/** Sends one chat completion through the router; `seen` collects headers and bodies for leak scans. */
export async function ask(router: RouterProcess, routerKey: string, model: string, seen: string[]): Promise<Answer> {
  const res = await fetch(`${router.url}/api/openai/deployments/${model}/chat/completions?api-version=2024-10-21`, {
    method: 'POST',
    headers: { 'api-key': routerKey, 'content-type': 'application/json' },
    body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] }),
  });
  const text = await res.text();
  seen.push(JSON.stringify([...res.headers]), text);
  return { status: res.status, backend: res.headers.get('x-router-backend'), attempts: res.headers.get('x-router-attempts'), text };
}

/** Background work shows up in the log: wait for the line rather than sleep a guessed time. */
export async function waitForOutput(router: RouterProcess, pattern: RegExp, timeoutMs = 25_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(router.output())) {
    if (Date.now() > deadline) throw new Error(`no ${String(pattern)} in router output:\n${router.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export function linesWith(router: RouterProcess, text: string): string[] {
  return router
    .output()
    .split('\n')
    .filter((line) => line.includes(text));
}
