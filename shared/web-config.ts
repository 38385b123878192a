/**
 * What the web app reads at start from `/config.json`: where the API is and how users sign
 * in. The cloud stack deploys it (Cognito); the local server serves the local variant.
 */
export type CognitoAuthConfig = {
  mode: 'cognito';
  region: string;
  userPoolId: string;
  clientId: string;
  /** The token the API accepts as bearer: Cognito's access token. */
  tokenUse: 'access';
  /** Another Cognito endpoint than `https://cognito-idp.<region>.amazonaws.com/` (tests, emulators). */
  endpoint?: string;
};

export type LocalAuthConfig = { mode: 'local' };

export type WebConfig = { apiBase: string; auth: CognitoAuthConfig | LocalAuthConfig };

export const LOCAL_WEB_CONFIG: WebConfig = { apiBase: '/api/v1', auth: { mode: 'local' } };

/** Cognito's JSON API for a region, unless the config names another endpoint. */
export function cognitoEndpoint(auth: CognitoAuthConfig): string {
  return auth.endpoint ?? `https://cognito-idp.${auth.region}.amazonaws.com/`;
}
