// Type-checked (never run) by `make test`: the .d.ts of the built package must describe
// what a TypeScript user writes, and reject what they must not write.
import {
  init, version, Sekoia, NetworkSage, GroupIB, GroupIBDrp,
  CtiEdgeError, ApiError, RateLimitError, ValidationError, TimeoutError, AbortError, NetworkError, DecodeError,
  type ApiResponse, type SekoiaOptions, type RequestOptions,
} from "../../pkg/index.js";

export async function example(signal: AbortSignal): Promise<string> {
  await init();
  const opts: SekoiaOptions = { apiKey: "k", region: "FRA2", retry: { limit: 2 }, rateLimit: { perSecond: 5 }, timeoutMs: 5000 };
  const sekoia = new Sekoia(opts);
  const req: RequestOptions = { path: ["v2", "inthreat", "objects", "x"], query: { "match[type]": ["indicator"], limit: 10 }, signal, deadline: Date.now() + 1000 };
  const res: ApiResponse = await sekoia.request(req);
  const status: number = res.status;
  const attempts: number = res.attempts;
  const ns = new NetworkSage({ apiKey: "k", baseUrl: "http://127.0.0.1:1" });
  await ns.request({ method: "POST", path: "/upload/v1.0/uploader", multipart: { file: { value: new Uint8Array(1), filename: "a.pcap" }, type: "pcap" } });
  const gib = new GroupIB({ username: "u", apiKey: "k", baseUrl: "https://x/api/v2/" });
  const drp = new GroupIBDrp({ username: "u", apiKey: "k", baseUrl: "https://x/" });
  try {
    await gib.request({ path: "user/granted_collections" });
  } catch (e) {
    if (e instanceof RateLimitError) return `retry in ${e.retryAfter ?? 0}s`;
    if (e instanceof ApiError) return `${e.status} ${e.code ?? ""} ${e.requestId ?? ""}`;
    if (e instanceof ValidationError) return `${e.field}: ${e.reason}`;
    if (e instanceof TimeoutError) return e.kind;
    if (e instanceof AbortError || e instanceof NetworkError || e instanceof DecodeError) return e.message;
    if (e instanceof CtiEdgeError) return String(e.attempts);
  }
  return `${version()} ${status} ${attempts} ${drp.baseUrl}`;
}

// @ts-expect-error apiKey is required
new Sekoia({ region: "FRA1" });
// @ts-expect-error unknown region
new Sekoia({ apiKey: "k", region: "MARS1" });
// @ts-expect-error GroupIB needs a username
new GroupIB({ apiKey: "k", baseUrl: "https://x" });
// @ts-expect-error path is required
void new Sekoia({ apiKey: "k" }).request({ query: {} });

// IOC toolkit and enrichment
import { extractIocs, classify, refang, defang, parseStixPattern, stixPatternFor, enrich, createEnricher, memoryCursorStore, kvCursorStore, type Ioc, type Enrichment } from "../../pkg/index.js";

export async function toolkit(sekoia: Sekoia, text: string): Promise<string[]> {
  const found: Ioc[] = extractIocs(text, { types: ["domain", "url"], dedupe: true, fileExtensionPolicy: "reject-all" });
  const c = classify(refang("evil[.]com"));
  const kind: string | undefined = c?.sekoiaType ?? undefined;
  const p = parseStixPattern(stixPatternFor("1.2.3.4"));
  const e: Enrichment = await enrich(found[0]?.value ?? "evil.com", { sekoia }, { ttlMs: 1000 });
  const many = await createEnricher({ sekoia }, { concurrency: 2 }).enrichMany(["a.com"]);
  for await (const page of sekoia.feed().pages({ limit: 100, store: memoryCursorStore(), follow: { intervalMs: 1000 } })) {
    page.items.length;
    break;
  }
  kvCursorStore({ get: async () => null, put: async () => {} });
  return [defang(e.value), e.verdict, String(p.observationCount), kind ?? "", String(many.length)];
}
// @ts-expect-error unknown IOC type
extractIocs("x", { types: ["ip-address"] });
