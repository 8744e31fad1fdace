/**
 * Error bodies, copied from what Azure OpenAI answers. Fixed ones are serialized once at
 * load time so an error answer costs no JSON.stringify.
 */
import { STATUS_CODES } from 'node:http';

function azureError(code: string, message: string): string {
  return JSON.stringify({ error: { code, message } });
}

/** OpenAI's error shape; the Responses and Conversations APIs fill `code` with a machine-readable reason. */
function invalidRequest(message: string, param: string | null, code: string | null): string {
  return JSON.stringify({ error: { message, type: 'invalid_request_error', param, code } });
}

function openAiError(message: string, param: string | null = null): string {
  return invalidRequest(message, param, null);
}

export const NOT_FOUND = azureError('404', 'Resource not found');

export const METHOD_NOT_ALLOWED = azureError('405', 'Method not allowed');

export const INVALID_KEY = azureError(
  '401',
  'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key ' +
    'for an active subscription and use a correct regional API endpoint for your resource.',
);

/** What Azure answers to a rejected Entra token (only used when `acceptBearer` is configured). */
export const INVALID_TOKEN = azureError(
  '401',
  'Unauthorized. Access token is missing, invalid, audience is incorrect (https://cognitiveservices.azure.com), or have expired.',
);

export const MISSING_API_VERSION = azureError('BadRequest', 'Missing required query parameter: api-version');

export const DEPLOYMENT_NOT_FOUND = azureError(
  'DeploymentNotFound',
  'The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, ' + 'please wait a moment and try again.',
);

export const INVALID_JSON = openAiError(
  "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library " +
    'correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)',
);

export const MISSING_MODEL = openAiError('you must provide a model parameter');

export function missingProperty(name: string): string {
  return openAiError(`'${name}' is a required property`, name);
}

export function invalidType(param: string, expected: string, value: unknown): string {
  const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
  return invalidRequest(`Invalid type for '${param}': expected ${expected}, but got ${got} instead.`, param, 'invalid_type');
}

export function belowMinimum(param: string, minimum: number, value: number): string {
  return invalidRequest(
    `Invalid '${param}': integer below minimum value. Expected a value >= ${minimum}, but got ${value} instead.`,
    param,
    'integer_below_min_value',
  );
}

// The Responses and Conversations APIs: what a resource answers about objects it does not hold.
// A follow-up routed to another resource than the one that stored its context fails with these.

export function previousResponseNotFound(id: string): string {
  return invalidRequest(`Previous response with id '${id}' not found.`, 'previous_response_id', 'previous_response_not_found');
}

export function responseNotFound(id: string): string {
  return invalidRequest(`Response with id '${id}' not found.`, null, 'response_not_found');
}

/** `param` is 'conversation' when the body named it, null when the path did. */
export function conversationNotFound(id: string, param: string | null): string {
  return invalidRequest(`Conversation with id '${id}' not found.`, param, 'conversation_not_found');
}

export function itemNotFound(id: string, param: string | null): string {
  return invalidRequest(`Item with id '${id}' not found.`, param, null);
}

/** OpenAI quotes the blob's first and last four characters. */
export function invalidEncryptedContent(content: string): string {
  const shown = content.length > 8 ? `${content.slice(0, 4)}...${content.slice(-4)}` : content;
  return invalidRequest(`The encrypted content ${shown} could not be verified.`, null, 'invalid_encrypted_content');
}

export const ONLY_BACKGROUND_CANCELLABLE = invalidRequest('Only background responses can be cancelled.', null, null);

export const CANNOT_CANCEL_FINISHED = invalidRequest('Cannot cancel a completed response.', null, null);

export const BACKGROUND_NEEDS_STORE = invalidRequest(
  "Background responses must be stored: 'store' cannot be false when 'background' is true.",
  'background',
  null,
);

export const PREVIOUS_RESPONSE_OR_CONVERSATION = invalidRequest(
  "Mutually exclusive parameters: Ensure you are only providing one of: 'previous_response_id' or 'conversation'.",
  null,
  'mutually_exclusive_parameters',
);

export const NOT_STREAMABLE = invalidRequest(
  'This response cannot be streamed because it was not created with background=true and stream=true.',
  'stream',
  null,
);

const SAFE = { filtered: false, severity: 'safe' };

export const CONTENT_FILTERED = JSON.stringify({
  error: {
    message:
      "The response was filtered due to the prompt triggering Azure OpenAI's content management policy. Please modify " +
      'your prompt and retry. To learn more about our content filtering policies please read our documentation: ' +
      'https://go.microsoft.com/fwlink/?linkid=2198766',
    type: null,
    param: 'prompt',
    code: 'content_filter',
    status: 400,
    innererror: {
      code: 'ResponsibleAIPolicyViolation',
      content_filter_result: {
        hate: SAFE,
        jailbreak: { filtered: false, detected: false },
        self_harm: SAFE,
        sexual: SAFE,
        violence: { filtered: true, severity: 'medium' },
      },
    },
  },
});

/** Azure's 429 wording; `call` for RPM refusals, `token` for TPM ones. */
export function rateLimited(operation: string, apiVersion: string, limit: 'requests' | 'tokens', seconds: number): string {
  const kind = limit === 'tokens' ? 'token' : 'call';
  return azureError(
    '429',
    `Requests to the ${operation} Operation under Azure OpenAI API version ${apiVersion} have exceeded ${kind} rate ` +
      `limit of your current OpenAI S0 pricing tier. Please retry after ${seconds} seconds. Please go here: ` +
      'https://aka.ms/oai/quotaincrease if you would like to further increase the default rate limit.',
  );
}

const FAULT_BODIES: Record<number, string> = {
  500: azureError('InternalServerError', 'The server had an error while processing your request. Sorry about that!'),
  502: azureError('BadGateway', 'Bad gateway.'),
  503: azureError('ServiceUnavailable', 'The service is temporarily unable to process your request. Please try again later.'),
  504: azureError('Timeout', 'The operation was timeout.'),
};

/** Default body of a `status` fault that brings none. */
export function faultBody(status: number, retryAfterSeconds: string | undefined): string {
  if (status === 429) {
    return azureError('429', `Rate limit is exceeded. Try again in ${retryAfterSeconds ?? '1'} seconds.`);
  }
  return FAULT_BODIES[status] ?? azureError(String(status), STATUS_CODES[status] ?? 'Error');
}
