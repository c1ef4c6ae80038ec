import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

interface Asset {
  body: Buffer;
  contentType: string;
  etag: string;
}

const CONTENT_TYPES: Record<string, string> = {
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  svg: 'image/svg+xml',
};

/** The pages' static files (plain CSS and script, no build step), read once at start. */
export const ASSET_NAMES = ['pages.css', 'portal.js', 'audit.js', 'icon.svg'] as const;

export function loadAssets(dir = join(__dirname, 'assets')): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const name of ASSET_NAMES) {
    const body = readFileSync(join(dir, name));
    const extension = name.slice(name.lastIndexOf('.') + 1);
    assets.set(name, { body, contentType: CONTENT_TYPES[extension], etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` });
  }
  return assets;
}
