/**
 * Error bodies, copied from what Azure OpenAI answers. Fixed ones are serialized once at
 * load time so an error answer costs no JSON.stringify.
 */
import { STATUS_CODES } from 'node:http';

function azureError(code: string, message: string): string {
  return JSON.stringify({ error: { code, message } });
}

function openAiError(message: string, param: string | null = null): string {
  return JSON.stringify({ error: { message, type: 'invalid_request_error', param, code: null } });
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
  'The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, ' +
    'please wait a moment and try again.',
);

export const INVALID_JSON = openAiError(
  "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library " +
    'correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)',
);

export const MISSING_MODEL = openAiError('you must provide a model parameter');

export function missingProperty(name: string): string {
  return openAiError(`'${name}' is a required property`, name);
}

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
