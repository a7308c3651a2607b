import { posix, resolve } from 'node:path';

// One evidence location, each with its own store: a directory (its own disk or mount), or an
// S3-compatible bucket with its own endpoint, region and credentials (an AWS shared-config
// profile: no secret in a variable that logs or compose files show).
export type EvidenceLocationConfig =
  | { kind: 'dir'; path: string }
  | { kind: 's3'; bucket: string; prefix: string; region: string; endpoint?: string; forcePathStyle: boolean; profile?: string };

const S3_PARAMETERS = ['region', 'endpoint', 'path_style', 'profile'];

// INTERCEPT_EVIDENCE_LOCATIONS: comma-separated URLs, one per copy:
//   file:///srv/evidence-a
//   s3://bucket/prefix/?region=eu-west-1&endpoint=https://objects-b.example:9000&path_style=true&profile=evidence-b
// Returns the locations, or the problems found (each naming the location).
export function parseEvidenceLocations(value: string): { locations: EvidenceLocationConfig[]; problems: string[] } {
  const locations: EvidenceLocationConfig[] = [];
  const problems: string[] = [];
  for (const item of value.split(',').map((text) => text.trim()).filter(Boolean)) {
    let url: URL;
    try {
      url = new URL(item);
    } catch {
      problems.push(`${item}: not a URL (file:///path or s3://bucket/prefix?region=...)`);
      continue;
    }
    if (url.protocol === 'file:') {
      if (url.search || url.host) problems.push(`${item}: a file location is file:///absolute/path, nothing else`);
      else locations.push({ kind: 'dir', path: posix.normalize(decodeURIComponent(url.pathname)).replace(/\/+$/, '') || '/' });
      continue;
    }
    if (url.protocol !== 's3:') {
      problems.push(`${item}: unknown scheme ${url.protocol} (file: or s3:)`);
      continue;
    }
    const unknown = [...url.searchParams.keys()].filter((key) => !S3_PARAMETERS.includes(key));
    if (unknown.length > 0) problems.push(`${item}: unknown parameter ${unknown.join(', ')} (${S3_PARAMETERS.join(', ')})`);
    const endpoint = url.searchParams.get('endpoint') ?? undefined;
    if (endpoint !== undefined && !/^https?:\/\/[^/]+/.test(endpoint)) problems.push(`${item}: endpoint must be an http(s) URL`);
    const pathStyle = url.searchParams.get('path_style') ?? 'false';
    if (!['true', 'false'].includes(pathStyle)) problems.push(`${item}: path_style must be true or false`);
    const profile = url.searchParams.get('profile') ?? undefined;
    if (profile !== undefined && !/^[\w.-]+$/.test(profile)) problems.push(`${item}: profile must be an AWS profile name`);
    if (!url.hostname) problems.push(`${item}: no bucket`);
    const prefix = decodeURIComponent(url.pathname).replace(/^\/+/, '');
    locations.push({
      kind: 's3',
      bucket: url.hostname,
      prefix: prefix && !prefix.endsWith('/') ? `${prefix}/` : prefix,
      region: url.searchParams.get('region') ?? 'us-east-1',
      ...(endpoint ? { endpoint } : {}),
      forcePathStyle: pathStyle === 'true',
      ...(profile ? { profile } : {}),
    });
  }
  problems.push(...sharedStores(locations));
  return { locations, problems };
}

// INTERCEPT_EVIDENCE_DIRS: the local shorthand, directories as given (relative to the working directory).
export function dirLocations(value: string): { locations: EvidenceLocationConfig[]; problems: string[] } {
  const locations: EvidenceLocationConfig[] = value.split(',').map((dir) => dir.trim()).filter(Boolean).map((path) => ({ kind: 'dir', path }));
  return { locations, problems: sharedStores(locations) };
}

// Copies in one store are one failure domain: the same directory (or one inside another), or the
// same bucket and prefix at the same endpoint, are refused.
function sharedStores(locations: EvidenceLocationConfig[]): string[] {
  const problems: string[] = [];
  locations.forEach((a, i) => {
    for (const b of locations.slice(i + 1)) {
      if (a.kind === 'dir' && b.kind === 'dir') {
        const [x, y] = [resolve(a.path), resolve(b.path)];
        const [outer, inner] = x.length <= y.length ? [x, y] : [y, x];
        if (inner === outer || inner.startsWith(`${outer}/`)) problems.push(`${a.path} and ${b.path} are one directory tree: each copy needs its own disk or mount`);
      }
      if (a.kind === 's3' && b.kind === 's3' && a.bucket === b.bucket && (a.endpoint ?? '') === (b.endpoint ?? '')) {
        problems.push(`s3://${a.bucket} is named twice at the same endpoint: each copy needs its own bucket (ideally its own store)`);
      }
    }
  });
  return problems;
}
