/**
 * Azure deployment names: 1-64 characters, letters, digits, "-", "_" and ".", starting with a
 * letter or digit. Anything else never reaches a backend (no path tricks such as "..").
 */
const DEPLOYMENT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function isValidDeploymentName(name: string): boolean {
  return DEPLOYMENT_NAME.test(name);
}

/** Backend and consumer names follow the same rule: safe in headers, table keys and logs. */
export const isValidName = isValidDeploymentName;
