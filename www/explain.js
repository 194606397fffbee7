// Turns anything cti-edge throws into what a person needs: what failed, why, what to do next.
// Works on the error classes' names so it needs no import (the dashboard and the extension share it).

/**
 * @param {unknown} e   the error
 * @param {string} what what was being done, e.g. "Feed sync"
 * @returns {{ title: string, detail: string, action: string, kind: string }}
 */
export function explainError(e, what = "The request") {
  const name = (e && e.name) || "Error";
  const server = e && e.serverMessage ? ` The server said: “${e.serverMessage}”${e.code ? ` (${e.code})` : ""}.` : "";
  const req = e && e.requestId ? ` Request id ${e.requestId}.` : "";
  const tries = e && e.attempts > 1 ? ` (after ${e.attempts} attempts)` : "";
  switch (name) {
    case "AuthenticationError":
      return { kind: name, title: `${what} failed: the API key was refused`, detail: `HTTP 401${tries}.${server}`, action: "Check the API key in the settings (is it for this region / this server?)." };
    case "PermissionError":
      return { kind: name, title: `${what} failed: not allowed`, detail: `HTTP 403.${server}`, action: "The key works but lacks the permission for this; ask your community admin for the role." };
    case "NotFoundError":
      return { kind: name, title: `${what} failed: not found`, detail: `HTTP 404.${server}`, action: "Check the feed / object id, and that the base URL points to the right API." };
    case "GoneError":
      return { kind: name, title: `${what} failed: the result expired`, detail: `HTTP 410.${server}`, action: "Run it again: the server has dropped the stored results." };
    case "RateLimitError": {
      const s = e && e.retryAfter != null ? Math.ceil(e.retryAfter) : null;
      const at = s != null ? new Date(Date.now() + s * 1000).toLocaleTimeString() : null;
      return { kind: name, title: `${what} was rate-limited (HTTP 429)`, detail: `The server asked to slow down${tries}.${server}`, action: s != null ? `Retry in ${s} s (after ${at}).` : "Wait a minute and retry." };
    }
    case "ServerError":
      return { kind: name, title: `${what} failed: server error (HTTP ${e.status})`, detail: `The service had a problem${tries}.${server}${req}`, action: "Retry later; if it persists, report the request id to the vendor." };
    case "ApiError":
      return { kind: name, title: `${what} failed: HTTP ${e.status}`, detail: `${server}${req}`.trim() || "The server refused the request.", action: "Check the input and the connection settings." };
    case "NetworkError":
      return { kind: name, title: `${what} failed: the server could not be reached`, detail: `${e.message || "No answer"}${tries}.`, action: "Is the simulator running (make demo)? Check the base URL in the settings and your network." };
    case "TimeoutError":
      return { kind: name, title: `${what} timed out`, detail: e.kind === "deadline" ? "The overall deadline passed." : `One attempt took longer than ${e.afterMs ?? "the"} ms${tries}.`, action: "Retry; the server may be slow or overloaded." };
    case "AbortError":
      return { kind: name, title: `${what} was cancelled`, detail: "Stopped on request.", action: "Start it again when you want." };
    case "ValidationError":
      return { kind: name, title: `${what}: invalid input`, detail: `${e.field ? `“${e.field}”: ` : ""}${e.reason || e.message}`, action: "Fix the value and try again (nothing was sent)." };
    case "DecodeError":
      return { kind: name, title: `${what} failed: unreadable answer`, detail: `The server answered ${e.status ?? ""} with a body that does not decode (truncated?).`, action: "Retry; a proxy may be cutting responses." };
    default:
      return { kind: name, title: `${what} failed`, detail: String((e && e.message) || e), action: "See the browser console for details." };
  }
}
