/**
 * Azure OpenAI's content-filter annotations for a clean prompt and a clean answer.
 * Shared constant objects: JSON.stringify serializes them without per-request building.
 */

const SAFE = { filtered: false, severity: 'safe' } as const;
const NOT_DETECTED = { filtered: false, detected: false } as const;

export const PROMPT_FILTER_RESULTS = [
  {
    prompt_index: 0,
    content_filter_results: {
      hate: SAFE,
      jailbreak: NOT_DETECTED,
      self_harm: SAFE,
      sexual: SAFE,
      violence: SAFE,
    },
  },
] as const;

export const CHOICE_FILTER_RESULTS = {
  hate: SAFE,
  protected_material_code: NOT_DETECTED,
  protected_material_text: NOT_DETECTED,
  self_harm: SAFE,
  sexual: SAFE,
  violence: SAFE,
} as const;

export const PROMPT_FILTER_JSON = JSON.stringify(PROMPT_FILTER_RESULTS);
export const CHOICE_FILTER_JSON = JSON.stringify(CHOICE_FILTER_RESULTS);
