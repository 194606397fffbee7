// Serves the repository's pkg/, tests/, www/ and examples/ folders on loopback, for browser
// tests and the dashboard. Read-only, no directory listings, nothing outside those folders.
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize } from "node:path";

const TYPES = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8",
  ".json": "application/json", ".wasm": "application/wasm", ".css": "text/css", ".png": "image/png", ".svg": "image/svg+xml",
  ".d.ts": "text/plain",
};
const ALLOWED = ["/pkg/", "/tests/", "/www/", "/examples/"];

export function startStaticServer({ root = new URL("../..", import.meta.url).pathname, port = 0 } = {}) {
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, "http://x").pathname));
    if (!ALLOWED.some((p) => path.startsWith(p)) || path.includes("..")) {
      res.writeHead(404).end("not found");
      return;
    }
    try {
      const body = await readFile(join(root, path));
      res.writeHead(200, { "content-type": TYPES[extname(path)] ?? "application/octet-stream", "cache-control": "no-store" });
      res.end(body);
    } catch {
      res.writeHead(404).end("not found");
    }
  });
  return new Promise((resolve) => {
    server.listen(port, "127.0.0.1", () => {
      const { port } = server.address();
      resolve({ url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(r)) });
    });
  });
}
