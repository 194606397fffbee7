import type { Sekoia, NetworkSage, GroupIB, IocType } from "./dist/cti_edge.js";

export interface EnrichProviders {
  sekoia?: Sekoia;
  networksage?: NetworkSage;
  groupib?: GroupIB;
}

export interface EnrichOptions {
  /** How long a provider's answer is reused (default 5 min; errors are never cached). */
  ttlMs?: number;
  /** Lookups in flight at once across providers (default 4). */
  concurrency?: number;
  signal?: AbortSignal;
  deadline?: Date | number;
  timeoutMs?: number;
}

export type ProviderResult =
  | { ok: true; known: boolean; malicious: boolean; threats: string[]; sources: string[]; data: unknown }
  | { ok: false; error: { name: string; message: string; status?: number; retryAfter?: number | null } };

export interface Enrichment {
  value: string;
  type: IocType;
  sekoiaType: string | null;
  /** "malicious": a provider flags it; "known": a provider knows it; "unknown": nobody does; "error": every provider failed. */
  verdict: "malicious" | "known" | "unknown" | "error";
  threats: string[];
  sources: string[];
  /** Per provider asked (only those that can answer for this type). */
  providers: Partial<Record<keyof EnrichProviders, ProviderResult>>;
}

export interface Enricher {
  enrich(value: string, call?: Pick<EnrichOptions, "signal" | "deadline" | "timeoutMs">): Promise<Enrichment>;
  /** Every value is checked first (a ValidationError before any lookup); `onProgress` follows each value's completion. */
  enrichMany(values: string[], call?: Pick<EnrichOptions, "signal" | "deadline" | "timeoutMs"> & { onProgress?: (progress: { done: number; total: number }) => void }): Promise<Enrichment[]>;
  readonly cacheSize: number;
  clearCache(): void;
}

export function createEnricher(providers: EnrichProviders, options?: EnrichOptions): Enricher;
export function enrich(value: string, providers: EnrichProviders, options?: EnrichOptions): Promise<Enrichment>;
