/** Base class of every error cti-edge throws. */
export class CtiEdgeError extends Error {
  /** HTTP attempts made before the error (0 when no request was sent). */
  readonly attempts: number;
  toJSON(): Record<string, unknown>;
}

/** A non-success HTTP response, after retries. */
export class ApiError extends CtiEdgeError {
  readonly status: number;
  /** The vendor's error code (e.g. Sekoia "T300"), when given. */
  readonly code: string | null;
  /** The vendor's own message. */
  readonly serverMessage: string;
  /** The response body: parsed JSON when it was JSON, else text. Secrets redacted. */
  readonly body: unknown;
  /** Response headers, lower-case names. */
  readonly headers: Record<string, string>;
  readonly requestId: string | null;
  readonly method: string;
  /** The request URL (never contains a key). */
  readonly url: string;
  /** Rate-limit headers the server sent. */
  readonly rateLimit: Record<string, string>;
  /** Server-given wait before retrying, in seconds (Retry-After / retry-after-ms), or null. */
  readonly retryAfter: number | null;
  readonly retryAfterMs: number | null;
  /** What the status usually means for this vendor (Group-IB: the reference client's explanation), also appended to `message`; else null. */
  readonly hint: string | null;
}
/** 401 */
export class AuthenticationError extends ApiError {}
/** 403 */
export class PermissionError extends ApiError {}
/** 404 */
export class NotFoundError extends ApiError {}
/** 410 */
export class GoneError extends ApiError {}
/** 429 */
export class RateLimitError extends ApiError {}
/** 5xx */
export class ServerError extends ApiError {}

/** Bad input, caught before any request was sent. */
export class ValidationError extends CtiEdgeError {
  /** The option or argument at fault, e.g. "retry.limit" or "path". */
  readonly field: string;
  readonly reason: string;
}
export class TimeoutError extends CtiEdgeError {
  /** "attempt": one attempt exceeded timeoutMs; "deadline": the call's deadline passed. */
  readonly kind: "attempt" | "deadline";
  readonly afterMs: number;
}
export class AbortError extends CtiEdgeError {}
export class NetworkError extends CtiEdgeError {}
/** A 2xx response whose body did not decode (e.g. truncated JSON). */
export class DecodeError extends CtiEdgeError {
  readonly status: number;
}
/** A Group-IB mapping-engine failure (parsePortion, getIocs, bulkParsePortion, portion.parse/iocs/bulkParse). */
export class MappingError extends CtiEdgeError {
  /** The Python exception class the reference `cyberintegrations` raises for the same input, e.g. "InputException", "AttributeError". */
  readonly pythonType: string;
}
/** An event search job ended canceled (status 3) or failed (status 4). */
export class SearchJobError extends CtiEdgeError {
  readonly jobId: string;
  readonly status: number;
  readonly statusName: "canceled" | "failed";
  /** The job info the server last sent. */
  readonly job: unknown;
}
