// The error classes every cti-edge function throws. Defined in JS so that `instanceof`
// and stack traces work as JS users expect; Rust creates them through `makeError`.
// The package entry points re-export this very module, so the classes a user imports are
// the classes the wasm side instantiates.

export class CtiEdgeError extends Error {
  constructor(message, props) {
    super(message);
    if (props) Object.assign(this, props);
  }
  get name() {
    return this.constructor.name;
  }
  toJSON() {
    return { name: this.name, message: this.message, ...this };
  }
}

/** A non-success HTTP response (after retries). */
export class ApiError extends CtiEdgeError {}
/** 401: missing, invalid, expired or revoked key. */
export class AuthenticationError extends ApiError {}
/** 403: the key lacks a permission, or the account / IP is not allowed. */
export class PermissionError extends ApiError {}
/** 404 */
export class NotFoundError extends ApiError {}
/** 410: the resource expired (e.g. an event search job past its TTL). */
export class GoneError extends ApiError {}
/** 429: see `retryAfter` (seconds) / `retryAfterMs`. */
export class RateLimitError extends ApiError {}
/** 5xx */
export class ServerError extends ApiError {}
/** Bad input, caught before any request was sent: see `field` and `reason`. */
export class ValidationError extends CtiEdgeError {}
/** The per-attempt timeout or the overall deadline passed (`kind`: "attempt" | "deadline"). */
export class TimeoutError extends CtiEdgeError {}
/** The caller's AbortSignal fired. */
export class AbortError extends CtiEdgeError {}
/** No HTTP response at all: refused, reset, DNS, CORS... */
export class NetworkError extends CtiEdgeError {}
/** A success response whose body could not be decoded (e.g. truncated JSON). */
export class DecodeError extends CtiEdgeError {}
/** An event search job ended canceled or failed: see `jobId`, `status`, `statusName`, `job`. */
export class SearchJobError extends CtiEdgeError {}

/** A mapping-engine (parsePortion / getIocs / bulkParsePortion) failure: `pythonType` is the exception the reference library raises for the same input (InputException, ParserException, AttributeError, ...). */
export class MappingError extends CtiEdgeError {}

const classes = {
  MappingError,
  CtiEdgeError,
  ApiError,
  AuthenticationError,
  PermissionError,
  NotFoundError,
  GoneError,
  RateLimitError,
  ServerError,
  ValidationError,
  TimeoutError,
  AbortError,
  NetworkError,
  DecodeError,
  SearchJobError,
};

/** Used by the wasm side only. */
export function makeError(className, message, props) {
  const C = classes[className] ?? CtiEdgeError;
  return new C(message, props);
}
