import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The admin UI's own files; the path holds from `src/admin/render` and from `dist/admin/render` alike. */
const OWN_ASSETS = new URL('../../../assets/admin/', import.meta.url);
/** Source-map comments point at files that are not shipped; dropping them keeps the browser from asking. */
const SOURCE_MAP_COMMENT = /\n?(\/\*# sourceMappingURL=[^*]*\*\/|\/\/# sourceMappingURL=\S*)\s*$/;

/** The assets pages refer to, by logical name. */
export type AssetName =
  'bootstrap.css' | 'bootstrap.js' | 'bootstrap-icons.css' | 'chart.js' | 'admin.css' | 'admin.js';

/** One asset as served: its cache-busting file name, bytes and media type. */
export interface Asset {
  /** `admin.3f2a9c1d.js`: the content's hash in the name, so a new release is never served from an old cache. */
  readonly fileName: string;
  readonly body: Buffer;
  readonly contentType: string;
}

const TYPES: Readonly<Record<string, string>> = {
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  woff: 'font/woff',
  woff2: 'font/woff2',
};
/** The icon font, at the path its stylesheet names (`fonts/…` beside it; the stylesheet's query busts caches). */
const ICON_FONTS = ['bootstrap-icons.woff2', 'bootstrap-icons.woff'];

let table: ReadonlyMap<AssetName, Asset> | undefined;
let fonts: readonly Asset[] | undefined;

/** The icon fonts, served under `fonts/<name>` beside the stylesheets. */
export function adminFonts(): readonly Asset[] {
  if (fonts === undefined) {
    const directory = join(
      dirname(createRequire(import.meta.url).resolve('bootstrap-icons/font/bootstrap-icons.min.css')),
      'fonts',
    );
    fonts = ICON_FONTS.map((fileName) => ({
      fileName,
      body: readFileSync(join(directory, fileName)),
      contentType: TYPES[fileName.slice(fileName.lastIndexOf('.') + 1)] ?? 'application/octet-stream',
    }));
  }
  return fonts;
}

/** Every asset, read once from the package (nothing is fetched at run time, nothing comes from a CDN). */
export function adminAssets(): ReadonlyMap<AssetName, Asset> {
  table ??= loadAssets();
  return table;
}

/** The file name an asset is served under (`<mount>/assets/<fileName>`). */
export function assetFileName(name: AssetName): string {
  const asset = adminAssets().get(name);
  if (asset === undefined) throw new Error(`unknown admin asset ${name}`);
  return asset.fileName;
}

function loadAssets(): ReadonlyMap<AssetName, Asset> {
  const require = createRequire(import.meta.url);
  const sources: Readonly<Record<AssetName, string>> = {
    'bootstrap.css': require.resolve('bootstrap/dist/css/bootstrap.min.css'),
    'bootstrap.js': require.resolve('bootstrap/dist/js/bootstrap.bundle.min.js'),
    'bootstrap-icons.css': require.resolve('bootstrap-icons/font/bootstrap-icons.min.css'),
    // chart.js exports no subpaths; its main entry sits beside the UMD build.
    'chart.js': join(dirname(require.resolve('chart.js')), 'chart.umd.min.js'),
    'admin.css': fileURLToPath(new URL('admin.css', OWN_ASSETS)),
    'admin.js': fileURLToPath(new URL('admin.js', OWN_ASSETS)),
  };
  const assets = new Map<AssetName, Asset>();
  for (const [name, path] of Object.entries(sources) as [AssetName, string][]) {
    const body = Buffer.from(readFileSync(path, 'utf8').replace(SOURCE_MAP_COMMENT, '\n'));
    const extension = name.slice(name.lastIndexOf('.') + 1);
    const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
    const stem = name.slice(0, name.lastIndexOf('.'));
    assets.set(name, {
      fileName: `${stem}.${hash}.${extension}`,
      body,
      contentType: TYPES[extension] ?? 'application/octet-stream',
    });
  }
  return assets;
}
