import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { createCognitoSignIn, type SignInUser } from './cognito-sign-in-stand-in.ts';

/**
 * Local stand-ins for the cloud services the bundled Lambdas call, speaking each service's
 * real wire protocol so the bundled code runs unchanged with only endpoints and dummy
 * credentials set (`AWS_ENDPOINT_URL_<SERVICE>`, the SDK's own mechanism):
 * - a JWKS endpoint with a test RS256 key, and a signer of Cognito-shaped access and ID tokens;
 * - Secrets Manager `GetSecretValue` and Cognito's admin user operations (AWS JSON 1.1);
 * - Cognito's user sign-in as the web app calls it from the browser (SRP, TOTP, refresh;
 *   cognito-sign-in-stand-in.ts), with the CORS answers Cognito gives;
 * - Lambda `Invoke` (REST JSON), recording asynchronous invocations instead of running them;
 * - S3 objects, path-style (`PUT`/`GET`/`HEAD`/`DELETE`, `ListObjectsV2`, `DeleteObjects`),
 *   enough for presigned uploads, the photo pipeline and import files.
 * DynamoDB is the real DynamoDB Local.
 */
export async function startAwsStandIns(opts: { secretString?: string } = {}) {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const kid = 'test-key-1';
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' }] };
  const userPoolId = 'ap-southeast-1_TestPool';
  const issuer = `https://cognito-idp.ap-southeast-1.amazonaws.com/${userPoolId}`;
  const clientId = 'test-web-client-id';
  const secretString = opts.secretString ?? 'x'.repeat(64);

  const invocations: { functionName: string; invocationType: string; payload: unknown }[] = [];
  const objects = new Map<string, { body: Buffer; contentType: string }>();
  const users = new Map<string, SignInUser & { attributes: Record<string, string> }>();
  const signIn = createCognitoSignIn({ userPoolId, clientId, users, signAccessToken: (sub) => signToken(sub) });
  const calls: string[] = [];
  /** What Lambda `GetFunctionConfiguration` answers, by function name (set by the test). */
  const functionEnvironments = new Map<string, Record<string, string>>();

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      route(req, res, Buffer.concat(chunks)).catch((e: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(String(e)));
    });
  });

  function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'access-control-allow-origin': '*', 'access-control-expose-headers': 'x-amzn-errortype, x-amzn-requestid', ...headers }).end(JSON.stringify(body));
  }
  function awsError(res: ServerResponse, type: string, message: string) {
    json(res, 400, { __type: type, message }, { 'x-amzn-errortype': `${type}:` });
  }

  async function route(req: IncomingMessage, res: ServerResponse, body: Buffer) {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const target = req.headers['x-amz-target'];
    if (req.method === 'OPTIONS') {
      // The browser's preflight for Cognito's JSON API, answered as Cognito does.
      res.writeHead(204, { 'access-control-allow-origin': '*', 'access-control-allow-methods': 'POST', 'access-control-allow-headers': 'content-type, x-amz-target, x-amz-user-agent', 'access-control-max-age': '600' }).end();
      return;
    }
    if (req.method === 'GET' && url.pathname === '/.well-known/jwks.json') {
      calls.push('jwks');
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks));
      return;
    }
    if (typeof target === 'string') {
      calls.push(target);
      const input = JSON.parse(body.toString('utf8') || '{}') as Record<string, any>;
      if (target === 'secretsmanager.GetSecretValue') {
        json(res, 200, { ARN: input.SecretId, Name: 'app-secret', SecretString: secretString, VersionId: 'v1', VersionStages: ['AWSCURRENT'], CreatedDate: 1_700_000_000 });
        return;
      }
      const op = target.replace('AWSCognitoIdentityProviderService.', '');
      const reply = await signIn.handle(op, input);
      if (reply) return reply.status === 200 ? json(res, 200, reply.body) : awsError(res, reply.type, reply.message);
      const user = users.get(String(input.Username).toLowerCase());
      switch (op) {
        case 'AdminCreateUser': {
          if (user) return awsError(res, 'UsernameExistsException', 'User account already exists');
          const sub = randomUUID();
          const attributes = Object.fromEntries(((input.UserAttributes ?? []) as { Name: string; Value: string }[]).map((a) => [a.Name, a.Value]));
          users.set(String(input.Username).toLowerCase(), { sub, attributes, enabled: true });
          json(res, 200, {
            User: { Username: input.Username, Enabled: true, UserStatus: 'FORCE_CHANGE_PASSWORD', UserCreateDate: Date.now() / 1000, Attributes: [{ Name: 'sub', Value: sub }, ...Object.entries(attributes).map(([Name, Value]) => ({ Name, Value }))] },
          });
          return;
        }
        case 'AdminSetUserPassword': {
          if (!user) return awsError(res, 'UserNotFoundException', 'User does not exist.');
          const p = String(input.Password);
          if (p.length < 12 || !/[a-z]/.test(p) || !/[A-Z]/.test(p) || !/\d/.test(p) || !/[^A-Za-z0-9]/.test(p)) {
            return awsError(res, 'InvalidPasswordException', 'Password did not conform with policy: Password not long enough');
          }
          user.password = p;
          // A temporary password (the default) must be replaced at the next sign-in.
          user.mustChangePassword = input.Permanent !== true;
          json(res, 200, {});
          return;
        }
        case 'AdminDeleteSoftwareToken':
          if (!user) return awsError(res, 'UserNotFoundException', 'User does not exist.');
          if (!user.totpSecret) return awsError(res, 'SoftwareTokenMFANotFoundException', 'Software Token MFA has not been set up for the user.');
          delete user.totpSecret;
          json(res, 200, {});
          return;
        case 'AdminDeleteUser':
          if (!user) return awsError(res, 'UserNotFoundException', 'User does not exist.');
          users.delete(String(input.Username).toLowerCase());
          json(res, 200, {});
          return;
        case 'AdminDisableUser':
        case 'AdminEnableUser':
          if (!user) return awsError(res, 'UserNotFoundException', 'User does not exist.');
          user.enabled = op === 'AdminEnableUser';
          json(res, 200, {});
          return;
        case 'AdminUserGlobalSignOut':
          signIn.signOutEverywhere(String(input.Username).toLowerCase());
          json(res, 200, {});
          return;
        default:
          awsError(res, 'UnknownOperationException', `Not served by the stand-in: ${target}`);
          return;
      }
    }
    const configuration = /^\/2015-03-31\/functions\/([^/]+)\/configuration$/.exec(url.pathname);
    if (configuration && req.method === 'GET') {
      const name = decodeURIComponent(configuration[1]!);
      calls.push(`lambda.GetFunctionConfiguration ${name}`);
      const variables = functionEnvironments.get(name);
      if (!variables) {
        res.writeHead(404, { 'content-type': 'application/json', 'x-amzn-errortype': 'ResourceNotFoundException' }).end(JSON.stringify({ Type: 'User', message: `Function not found: ${name}` }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ FunctionName: name, Runtime: 'nodejs24.x', Environment: { Variables: variables } }));
      return;
    }
    const invoke = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(url.pathname);
    if (invoke && req.method === 'POST') {
      const invocationType = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
      calls.push(`lambda.Invoke ${invocationType}`);
      invocations.push({ functionName: decodeURIComponent(invoke[1]!), invocationType, payload: JSON.parse(body.toString('utf8') || 'null') });
      res.writeHead(invocationType === 'Event' ? 202 : 200, { 'content-type': 'application/json' }).end(invocationType === 'Event' ? '' : 'null');
      return;
    }
    s3(req, res, url, body);
  }

  function s3(req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer) {
    const [, bucket = '', ...rest] = url.pathname.split('/');
    const key = rest.map(decodeURIComponent).join('/');
    calls.push(`s3.${req.method} ${bucket}${key ? '/…' : ''}${url.search && !key ? url.search.split('&')[0] : ''}`);
    const xml = (status: number, text: string) => res.writeHead(status, { 'content-type': 'application/xml' }).end(`<?xml version="1.0" encoding="UTF-8"?>${text}`);
    if (!key && req.method === 'GET' && url.searchParams.get('list-type') === '2') {
      const prefix = url.searchParams.get('prefix') ?? '';
      const keys = [...objects.keys()].filter((k) => k.startsWith(`${bucket}/${prefix}`)).map((k) => k.slice(bucket.length + 1));
      xml(200, `<ListBucketResult><Name>${bucket}</Name><Prefix>${prefix}</Prefix><KeyCount>${keys.length}</KeyCount><IsTruncated>false</IsTruncated>${keys.map((k) => `<Contents><Key>${k}</Key><Size>${objects.get(`${bucket}/${k}`)!.body.length}</Size></Contents>`).join('')}</ListBucketResult>`);
      return;
    }
    if (!key && req.method === 'POST' && url.searchParams.has('delete')) {
      for (const m of body.toString('utf8').matchAll(/<Key>([^<]*)<\/Key>/g)) objects.delete(`${bucket}/${m[1]}`);
      xml(200, '<DeleteResult></DeleteResult>');
      return;
    }
    const id = `${bucket}/${key}`;
    if (req.method === 'PUT') {
      const data = req.headers['content-encoding'] === 'aws-chunked' ? dechunk(body) : body;
      objects.set(id, { body: data, contentType: String(req.headers['content-type'] ?? 'application/octet-stream') });
      res.writeHead(200, { etag: `"${randomUUID()}"` }).end();
      return;
    }
    if (req.method === 'DELETE') {
      objects.delete(id);
      res.writeHead(204).end();
      return;
    }
    const found = objects.get(id);
    if (!found) {
      xml(404, `<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>${key}</Key></Error>`);
      return;
    }
    res.writeHead(200, { 'content-type': found.contentType, 'content-length': String(found.body.length), etag: '"x"', 'last-modified': new Date().toUTCString() });
    res.end(req.method === 'HEAD' ? undefined : found.body);
  }

  /** `aws-chunked` bodies: `<hex size>[;chunk-signature=…]\r\n<data>\r\n … 0\r\n<trailers>`. */
  function dechunk(body: Buffer): Buffer {
    const parts: Buffer[] = [];
    let at = 0;
    for (;;) {
      const eol = body.indexOf('\r\n', at);
      const size = parseInt(body.subarray(at, eol).toString('latin1').split(';')[0]!, 16);
      if (!size) return Buffer.concat(parts);
      parts.push(body.subarray(eol + 2, eol + 2 + size));
      at = eol + 2 + size + 2;
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  /** A token as Cognito would issue it to the web client: an access token (`client_id`, no `aud`) by default; `issuedAt` (seconds) backdates it. */
  async function signToken(sub: string, o: { tokenUse?: 'access' | 'id'; clientId?: string; issuer?: string; expiresIn?: string; key?: CryptoKey; issuedAt?: number } = {}) {
    const tokenUse = o.tokenUse ?? 'access';
    const claims: Record<string, unknown> = { token_use: tokenUse, 'cognito:username': 'someone', auth_time: Math.floor(Date.now() / 1000) };
    if (tokenUse === 'access') Object.assign(claims, { client_id: o.clientId ?? clientId, scope: 'aws.cognito.signin.user.admin', username: 'someone' });
    const jwt = new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid }).setSubject(sub).setIssuer(o.issuer ?? issuer).setIssuedAt(o.issuedAt).setExpirationTime(o.expiresIn ?? '1h');
    if (tokenUse === 'id') jwt.setAudience(o.clientId ?? clientId);
    return jwt.sign(o.key ?? privateKey);
  }

  return {
    endpoint,
    jwksUrl: `${endpoint}/.well-known/jwks.json`,
    issuer,
    clientId,
    userPoolId,
    secretString,
    invocations,
    objects,
    users,
    /** Every request body the sign-in operations received. */
    signInRequests: signIn.received,
    calls,
    functionEnvironments,
    signToken,
    /** The environment that points the AWS SDK of a bundled function at these stand-ins. */
    sdkEnvironment(): Record<string, string> {
      return {
        AWS_REGION: 'ap-southeast-1',
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint,
        AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: endpoint,
        AWS_ENDPOINT_URL_LAMBDA: endpoint,
        AWS_ENDPOINT_URL_S3: endpoint,
      };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
export type AwsStandIns = Awaited<ReturnType<typeof startAwsStandIns>>;
