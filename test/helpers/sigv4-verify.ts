import { createHash, createHmac } from 'node:crypto';

/**
 * An independent AWS Signature Version 4 computation (from the documented algorithm, with
 * node:crypto), used by the fake CloudWatch to check what the `aws4` library signed — and itself
 * checked against AWS's published test-suite vectors in test/unit/sigv4.test.ts.
 */
export interface SignedParts {
  method: string;
  path: string;
  /** The raw query string, without `?`. */
  query: string;
  /** Header names (lower case) and values as received. */
  headers: Record<string, string>;
  signedHeaders: string[];
  body: string;
  secretAccessKey: string;
  amzDate: string;
  region: string;
  service: string;
}

export function sigV4Signature(parts: SignedParts): string {
  const canonicalQuery = parts.query
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => pair.split('=').map((part) => encode(decodeURIComponent(part))) as [string, string?])
    .sort((a, b) => (a[0] === b[0] ? ((a[1] ?? '') < (b[1] ?? '') ? -1 : 1) : a[0] < b[0] ? -1 : 1))
    .map(([key, value]) => `${key}=${value ?? ''}`)
    .join('&');
  const canonicalHeaders = parts.signedHeaders.map((name) => `${name}:${(parts.headers[name] ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
  const canonical = [parts.method, parts.path, canonicalQuery, canonicalHeaders, parts.signedHeaders.join(';'), sha256(parts.body)].join('\n');
  const day = parts.amzDate.slice(0, 8);
  const scope = `${day}/${parts.region}/${parts.service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', parts.amzDate, scope, sha256(canonical)].join('\n');
  let key: Buffer = hmac(`AWS4${parts.secretAccessKey}`, day);
  for (const part of [parts.region, parts.service, 'aws4_request']) key = hmac(key, part);
  return hmac(key, toSign).toString('hex');
}

/** `AWS4-HMAC-SHA256 Credential=AKID/day/region/service/aws4_request, SignedHeaders=a;b, Signature=hex`. */
export function parseAuthorization(
  header: string | undefined,
): { accessKeyId: string; region: string; service: string; signedHeaders: string[]; signature: string } | null {
  const match = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(
    header ?? '',
  );
  if (!match) return null;
  const [, accessKeyId, region, service, signed, signature] = match as unknown as [string, string, string, string, string, string];
  return { accessKeyId, region, service, signedHeaders: signed.split(';'), signature };
}

function encode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function hmac(key: string | Buffer, text: string): Buffer {
  return createHmac('sha256', key).update(text, 'utf8').digest();
}
