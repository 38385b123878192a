import { createHash } from 'node:crypto';
import { apiDocsPage } from '#functions/api/routes/docs-page.ts';

/** Cache-Control of content-hashed files (`chunks/`, `assets/`): a new build gives them new names. */
export const IMMUTABLE_CACHE_CONTROL = 'public, max-age=31536000, immutable';
/** Cache-Control of everything else (index.html, app.js, sw.js, config.json, …): revalidate on every use. */
export const REVALIDATE_CACHE_CONTROL = 'no-cache';
/** Folders the web build writes with content-hashed names (see scripts/build-web.ts). */
export const HASHED_ASSET_PATTERNS = ['chunks/*', 'assets/*'] as const;

/** Joins CSP directives (`[name, ...sources]`) into one header value. */
function policy(directives: readonly (readonly string[])[]): string {
  return directives.map((d) => d.join(' ')).join('; ');
}

export interface SiteCspOptions {
  /** Origins of presigned S3 URLs the app loads images from and uploads photos to, e.g. `https://<bucket>.s3.<region>.amazonaws.com`. */
  readonly photoOrigins: readonly string[];
  /** Origins the app calls besides its own, e.g. Cognito's `https://cognito-idp.<region>.amazonaws.com` for sign-in. */
  readonly connectOrigins: readonly string[];
}

/**
 * The web app's Content-Security-Policy: only its own scripts, styles, fonts, manifest and
 * service worker; the API on the same origin (`/api/v1`); photos from the photo bucket
 * (presigned GETs as images, presigned PUTs as uploads), `blob:`/`data:` for local previews;
 * Cognito for sign-in. Inline style *attributes* are allowed (the UI sets meter widths and
 * legend colours with `style="…"`); inline `<style>`/`<script>` elements are not.
 */
export function siteContentSecurityPolicy(opts: SiteCspOptions): string {
  return policy([
    ["default-src", "'none'"],
    ["script-src", "'self'"],
    ["style-src", "'self'"],
    ["style-src-attr", "'unsafe-inline'"],
    ["img-src", "'self'", 'data:', 'blob:', ...opts.photoOrigins],
    ["connect-src", "'self'", ...opts.photoOrigins, ...opts.connectOrigins],
    ["font-src", "'self'"],
    ["manifest-src", "'self'"],
    ["worker-src", "'self'"],
    ["base-uri", "'none'"],
    ["form-action", "'self'"],
    ["frame-ancestors", "'none'"],
    ["object-src", "'none'"],
    ['upgrade-insecure-requests'],
  ]);
}

/** The JSON API's policy: nothing may be loaded or framed from a response. */
export function apiContentSecurityPolicy(): string {
  return policy([["default-src", "'none'"], ["frame-ancestors", "'none'"], ["base-uri", "'none'"], ["form-action", "'none'"]]);
}

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/**
 * The API reference page's policy: its one inline `<script>` and `<style>` allowed by hash
 * (computed from the page the API serves, so a changed page changes the policy at the next
 * synth), `fetch` of the OpenAPI document on the same origin, nothing else.
 */
export function docsContentSecurityPolicy(specUrl: string): string {
  const page = apiDocsPage(specUrl);
  const inline = (tag: 'script' | 'style') => [...page.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => sha256(m[1]!));
  return policy([
    ["default-src", "'none'"],
    ["script-src", ...inline('script')],
    ["style-src", ...inline('style')],
    ["style-src-attr", "'unsafe-inline'"],
    ["connect-src", "'self'"],
    ["img-src", "'self'"],
    ["base-uri", "'none'"],
    ["form-action", "'none'"],
    ["frame-ancestors", "'none'"],
  ]);
}

/**
 * CloudFront Function (viewer request, default behaviour only): a path whose last segment has
 * no file extension is an app route, answered with `/index.html`; files are served as they
 * are, and a missing file stays a 403/404 (S3 behind origin access control). Error-page
 * rewriting is not used for this, because it is distribution-wide and would turn the API's
 * 403/404 answers into the app's HTML.
 */
export const SPA_REWRITE_FUNCTION = `function handler(event) {
  var request = event.request;
  var last = request.uri.substring(request.uri.lastIndexOf('/') + 1);
  if (last.indexOf('.') === -1) request.uri = '/index.html';
  return request;
}`;

/** Feature permissions the app does not use, switched off. The field form may read the device position for a farm location. */
export const PERMISSIONS_POLICY = 'camera=(), microphone=(), geolocation=(self), payment=(), usb=()';
