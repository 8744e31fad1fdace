/** What the load generator sends: a realistic chat request (~1 KB) in Azure OpenAI's deployments shape. */

export const DEPLOYMENT = 'gpt-4o';
export const API_VERSION = '2024-10-21';

/** Path under the target's prefix ('' for the backend, '/api' for the router and the naive proxy). */
export const CHAT_PATH = `/openai/deployments/${DEPLOYMENT}/chat/completions?api-version=${API_VERSION}`;

const SYSTEM_PROMPT =
  'You are a support assistant for Contoso Cloud. Answer in at most three short paragraphs. ' +
  'Cite the documentation page when you use it, never invent product names, and ask one ' +
  'clarifying question when the request is ambiguous. Refuse to share credentials or keys.';

const HISTORY = [
  { role: 'user', content: 'Our nightly export job to blob storage started failing yesterday with a 403. Nothing changed on our side.' },
  {
    role: 'assistant',
    content:
      'A 403 from blob storage usually means the identity lost its role assignment or the SAS token expired. ' +
      'Which identity does the job use: a managed identity, a service principal or a SAS token?',
  },
];

function chatBody(extra: Record<string, unknown>, question: string): Buffer {
  return Buffer.from(
    JSON.stringify({
      messages: [{ role: 'system', content: SYSTEM_PROMPT }, ...HISTORY, { role: 'user', content: question }],
      temperature: 0.2,
      top_p: 0.95,
      user: 'bench-user-0042',
      ...extra,
    }),
  );
}

/** Non-stream request: max_tokens above the simulator's completion length, so answers are full length. */
export const CHAT_BODY = chatBody(
  { max_tokens: 800 },
  'It is a user-assigned managed identity with Storage Blob Data Contributor on the account. What else should I check before opening a ticket?',
);

/** The v1 path of the Responses API, under the target's prefix. */
export const RESPONSES_PATH = '/openai/v1/responses';

/** The same conversation as a Responses create: instructions plus input items; ids sealed on the way back. */
export function responsesBody(extra: Record<string, unknown>): Buffer {
  return Buffer.from(
    JSON.stringify({
      model: DEPLOYMENT,
      instructions: SYSTEM_PROMPT,
      input: [
        ...HISTORY,
        { role: 'user', content: 'It is a user-assigned managed identity with Storage Blob Data Contributor on the account. What else should I check?' },
      ],
      temperature: 0.2,
      ...extra,
    }),
  );
}

/** Stream request: `max_tokens` fixes the number of token frames. */
export function streamBody(tokens: number): Buffer {
  return chatBody(
    { max_tokens: tokens, stream: true },
    'It is a user-assigned managed identity with Storage Blob Data Contributor on the account. What else should I check first?',
  );
}
