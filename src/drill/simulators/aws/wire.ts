/**
 * The two AWS wire protocols the simulator speaks:
 * - Query (IAM, STS): form-encoded `Action=…&Version=…` POSTs, XML answers and XML errors;
 * - JSON 1.1 (Secrets Manager): `X-Amz-Target: secretsmanager.<Op>`, JSON in and out,
 *   errors as `{"__type": …, "message": …}`.
 * Plus reading the caller from a SigV4 Authorization header (signatures are not checked).
 */
import { randomUUID } from 'node:crypto';
import type { Fault } from '../base.js';
import type { SimResponse } from '../base.js';

export const NS = { iam: 'https://iam.amazonaws.com/doc/2010-05-08/', sts: 'https://sts.amazonaws.com/doc/2011-06-15/' } as const;

/** `AWS4-HMAC-SHA256 Credential=AKIA…/20240101/us-east-1/sts/aws4_request, SignedHeaders=…, Signature=…` */
export interface SigV4Scope {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
}
export function parseSigV4(header: string | string[] | undefined): SigV4Scope | undefined {
  const h = Array.isArray(header) ? header[0] : header;
  const m = /^AWS4-HMAC-SHA256\s+Credential=([^/\s,]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request/.exec(h ?? '');
  if (!m) return undefined;
  return { accessKeyId: m[1] ?? '', date: m[2] ?? '', region: m[3] ?? '', service: m[4] ?? '' };
}

export function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** An XML element from a value: strings are escaped, Dates become ISO 8601, arrays become `<member>` lists. */
export type XmlValue = string | number | boolean | Date | null | undefined | XmlValue[] | { [k: string]: XmlValue };
export function el(name: string, v: XmlValue): string {
  if (v === undefined || v === null) return '';
  if (v instanceof Date) return `<${name}>${v.toISOString()}</${name}>`;
  if (Array.isArray(v)) return `<${name}>${v.map((m) => el('member', m)).join('')}</${name}>`;
  if (typeof v === 'object') return `<${name}>${Object.entries(v).map(([k, x]) => el(k, x)).join('')}</${name}>`;
  return `<${name}>${xmlEscape(String(v))}</${name}>`;
}

const requestIdHeaders = (id: string) => ({ 'x-amzn-requestid': id });

export function queryResponse(service: keyof typeof NS, action: string, result?: Record<string, XmlValue>): SimResponse {
  const id = randomUUID();
  const inner = result ? el(`${action}Result`, result) : '';
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${NS[service]}">${inner}<ResponseMetadata><RequestId>${id}</RequestId></ResponseMetadata></${action}Response>`;
  return { status: 200, headers: { 'content-type': 'text/xml', ...requestIdHeaders(id) }, body };
}

export function queryErrorBody(code: string, message: string, type: 'Sender' | 'Receiver' = 'Sender', id = randomUUID()): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="${NS.iam}"><Error><Type>${type}</Type><Code>${xmlEscape(code)}</Code><Message>${xmlEscape(message)}</Message></Error><RequestId>${id}</RequestId></ErrorResponse>`;
}

export function queryError(code: string, message: string, status: number): SimResponse {
  const id = randomUUID();
  return { status, headers: { 'content-type': 'text/xml', ...requestIdHeaders(id) }, body: queryErrorBody(code, message, status >= 500 ? 'Receiver' : 'Sender', id) };
}

export function jsonResponse(body: unknown): SimResponse {
  return { status: 200, headers: { 'content-type': 'application/x-amz-json-1.1', ...requestIdHeaders(randomUUID()) }, body: JSON.stringify(body) };
}

export function jsonErrorBody(code: string, message: string): string {
  return JSON.stringify({ __type: code, message });
}

export function jsonError(code: string, message: string, status: number): SimResponse {
  return { status, headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': code, ...requestIdHeaders(randomUUID()) }, body: jsonErrorBody(code, message) };
}

/** Epoch seconds, as the JSON protocols send timestamps. */
export const epoch = (d: Date) => Math.floor(d.getTime() / 1000);

/** A throttling answer shaped for the protocol of `op` (`iam:…`, `sts:…`, `secretsmanager:…`, `cloudtrail:…`, `guardduty:…`). */
export function throttleFault(op: string): Fault {
  if (op.startsWith('secretsmanager:') || op.startsWith('cloudtrail:')) return { type: 'status', status: 400, body: jsonErrorBody('ThrottlingException', 'Rate exceeded') };
  if (op.startsWith('guardduty:')) return { type: 'status', status: 429, body: JSON.stringify({ message: 'Rate exceeded', __type: 'TooManyRequestsException' }) };
  return { type: 'status', status: 400, body: queryErrorBody('Throttling', 'Rate exceeded') };
}
