/**
 * The console's front end, bundled from ./web by esbuild when the server starts (tens of
 * milliseconds), held in memory and served under content-hashed names. Nothing comes from a CDN:
 * the network may be disconnected, and the CSP allows only this origin.
 */
import { build } from 'esbuild';
import { sha256Hex } from '../crypto/index.ts';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { ConsoleError } from './errors.ts';

const WEB_ENTRY = join(dirname(fileURLToPath(import.meta.url)), 'web', 'main.ts');

export interface Assets {
  /** URL paths of the script and the stylesheet, content-hashed. */
  readonly js: string;
  readonly css: string;
  readonly files: ReadonlyMap<string, { body: Buffer; type: string }>;
}

/** Bundles the front end once; a syntax error in ./web stops the start-up with esbuild's message. */
export async function buildAssets(): Promise<Assets> {
  let result;
  try {
    result = await build({
      entryPoints: { app: WEB_ENTRY }, bundle: true, write: false, format: 'esm', platform: 'browser', target: ['es2022'],
      minify: true, outdir: '/console-assets', legalComments: 'none', logLevel: 'silent', charset: 'utf8',
    });
  } catch (err) {
    throw new ConsoleError('ASSETS_BUILD_FAILED', `console front end did not build: ${(err as Error).message}`, { cause: err });
  }
  const files = new Map<string, { body: Buffer; type: string }>();
  let js = '';
  let css = '';
  for (const out of result.outputFiles) {
    const body = Buffer.from(out.contents);
    const hash = sha256Hex(body).slice(0, 16);
    if (out.path.endsWith('.js')) {
      js = `/console/assets/app-${hash}.js`;
      files.set(js, { body, type: 'text/javascript; charset=utf-8' });
    } else if (out.path.endsWith('.css')) {
      css = `/console/assets/app-${hash}.css`;
      files.set(css, { body, type: 'text/css; charset=utf-8' });
    }
  }
  if (!js || !css) throw new ConsoleError('ASSETS_BUILD_FAILED', 'console front end produced no script or stylesheet');
  return { js, css, files };
}

/** Serves the bundle; names change with content, so browsers may keep them for a year. */
export function registerAssetRoutes(app: FastifyInstance, assets: Assets): void {
  app.get('/assets/:name', async (request, reply) => {
    const file = assets.files.get(`/console/assets/${(request.params as { name: string }).name}`);
    if (!file) return reply.code(404).type('text/plain; charset=utf-8').send('Not found');
    return reply.type(file.type).header('cache-control', 'public, max-age=31536000, immutable').send(file.body);
  });
}
