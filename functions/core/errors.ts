/**
 * Typed domain errors. The domain throws these; the HTTP edge maps them to problem+json
 * (ValidationError → 400, UnauthorizedError → 401, ForbiddenError → 403, NotFoundError → 404,
 * ConflictError → 409). Messages are written for the person who has to act on them.
 */
export interface FieldIssue {
  path: string;
  message: string;
}

export abstract class DomainError extends Error {
  abstract readonly kind:
    | 'validation'
    | 'unauthorized'
    | 'forbidden'
    | 'not-found'
    | 'conflict'
    | 'too-large';
  /** Extra members for the problem document (e.g. allowed transitions). */
  readonly extensions: Record<string, unknown>;
  constructor(message: string, extensions: Record<string, unknown> = {}) {
    super(message);
    this.name = new.target.name;
    this.extensions = extensions;
  }
}

export class ValidationError extends DomainError {
  readonly kind = 'validation';
  readonly issues: FieldIssue[];
  constructor(message: string, issues: FieldIssue[] = [], extensions: Record<string, unknown> = {}) {
    super(message, extensions);
    this.issues = issues;
  }
}
export class UnauthorizedError extends DomainError {
  readonly kind = 'unauthorized';
}
export class ForbiddenError extends DomainError {
  readonly kind = 'forbidden';
}
export class NotFoundError extends DomainError {
  readonly kind = 'not-found';
}
/** A value that must exist for the request to mean anything, or a 404 saying what is missing. */
export function found<T>(value: T | null | undefined, missing: string): T {
  if (value === null || value === undefined) throw new NotFoundError(missing);
  return value;
}
export class ConflictError extends DomainError {
  readonly kind = 'conflict';
}
export class PayloadTooLargeError extends DomainError {
  readonly kind = 'too-large';
}

/** What may be logged of a thrown value: its message (never a payload that might carry personal data). */
export const errorMessage = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

/** The kind of a thrown value, e.g. `TimeoutError` (an error code for a provider that gave none). */
export const errorName = (error: unknown): string => (error instanceof Error ? error.name : typeof error);
