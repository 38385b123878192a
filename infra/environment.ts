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

/** The stacks of one environment, in deployment order. */
export const stackParts = ['Stateful', 'Api', 'Photos', 'Web', 'Monitoring'] as const;
export type StackPart = (typeof stackParts)[number];

/** `OcopOnboard-<env>`: the prefix of every stack of one environment (what `create-admin --stack` takes). */
export const appPrefix = (envName: EnvName) => `OcopOnboard-${envName}`;

/** The CloudFormation stack name of one part of the app in one environment. */
export function stackName(envName: EnvName, part: StackPart): string {
  return `${appPrefix(envName)}-${part}`;
}

/**
 * The API function's name, fixed so operators' scripts find it (`create-admin` reads the
 * table, province and user pool from its environment: the admin lands where the API looks).
 */
export const apiFunctionName = (envName: EnvName) => `${appPrefix(envName)}-api`;
