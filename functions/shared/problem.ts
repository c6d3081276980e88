/**
 * RFC 9457 problem documents: the only error body our HTTP API returns.
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { DomainError, ValidationError } from '../core/errors.ts';

const STATUS: Record<DomainError['kind'], { status: number; title: string }> = {
  validation: { status: 400, title: 'Bad Request' },
  unauthorized: { status: 401, title: 'Unauthorized' },
  forbidden: { status: 403, title: 'Forbidden' },
  'not-found': { status: 404, title: 'Not Found' },
  conflict: { status: 409, title: 'Conflict' },
  'too-large': { status: 413, title: 'Content Too Large' },
};

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  [extension: string]: unknown;
}

export function problemResponse(problem: Problem): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: problem.status,
    headers: { 'content-type': 'application/problem+json', 'cache-control': 'no-store' },
    body: JSON.stringify(problem),
  };
}

/** Maps a thrown value to a problem; anything that is not a DomainError is a generic 500 (details only in logs). */
export function toProblem(error: unknown, instance?: string): Problem {
  if (error instanceof DomainError) {
    const { status, title } = STATUS[error.kind];
    return {
      type: `urn:problem:${error.kind}`,
      title,
      status,
      detail: error.message,
      ...(instance ? { instance } : {}),
      ...(error instanceof ValidationError && error.issues.length ? { errors: error.issues } : {}),
      ...error.extensions,
    };
  }
  return {
    type: 'urn:problem:internal',
    title: 'Internal Server Error',
    status: 500,
    detail: 'Something went wrong on our side. It has been logged; please try again later.',
    ...(instance ? { instance } : {}),
  };
}
