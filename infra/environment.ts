/** The deployment environments; chosen with `cdk synth -c env=prod` (default `dev`). */
export const envNames = ['dev', 'prod'] as const;

export type EnvName = (typeof envNames)[number];

/** Reads the `env` context value, failing fast on anything but a known environment. */
export function parseEnvName(value: unknown): EnvName {
  if (value === undefined || value === null || value === '') return 'dev';
  const found = envNames.find((name) => name === value);
  if (!found) {
    throw new Error(`Unknown env "${String(value)}": use one of ${envNames.join(', ')}`);
  }
  return found;
}

/** The CloudFormation stack name of one part of the app in one environment. */
export function stackName(envName: EnvName, part: 'Stateful' | 'Api'): string {
  return `OcopOnboard-${envName}-${part}`;
}
