import { LOCAL_WEB_CONFIG, type CognitoAuthConfig, type WebConfig } from '#shared/web-config.ts';

const KEY = 'ocop.config';
let loading: Promise<WebConfig> | undefined;

/**
 * `/config.json`: how this deployment signs users in. Read once per page load, past the
 * service worker; offline, the copy from the last load (the app opens offline for capture).
 */
export function webConfig(): Promise<WebConfig> {
  loading ??= fetch('/config.json', { cache: 'no-store', credentials: 'same-origin' })
    .then(async (res) => {
      if (!res.ok) throw new Error(`config.json: ${res.status}`);
      const config = (await res.json()) as WebConfig;
      localStorage.setItem(KEY, JSON.stringify(config));
      return config;
    })
    .catch(() => {
      try {
        const saved = localStorage.getItem(KEY);
        return saved ? (JSON.parse(saved) as WebConfig) : LOCAL_WEB_CONFIG;
      } catch {
        return LOCAL_WEB_CONFIG;
      }
    });
  return loading;
}

/** The Cognito settings, or null where the server signs users in itself. */
export async function cognitoConfig(): Promise<CognitoAuthConfig | null> {
  const { auth } = await webConfig();
  return auth.mode === 'cognito' ? auth : null;
}
