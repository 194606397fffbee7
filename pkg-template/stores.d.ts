import type { CursorStore } from "./dist/cti_edge.js";

export function memoryCursorStore(initial?: Record<string, string>): CursorStore & { entries(): Record<string, string> };
export function webStorageCursorStore(storage?: Storage, prefix?: string): CursorStore;
/** `area` defaults to chrome.storage.local. */
export function chromeStorageCursorStore(area?: { get(key: string): Promise<Record<string, unknown>>; set(items: Record<string, unknown>): Promise<void> }, prefix?: string): CursorStore;
export function kvCursorStore(kv: { get(key: string): Promise<string | null>; put(key: string, value: string): Promise<void> }, prefix?: string): CursorStore;
