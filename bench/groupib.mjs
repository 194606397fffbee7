// Bench row 3: Group-IB mapping, ours (wasm, through the boundary, from the response text) vs the
// reference `cyberintegrations` (Python, from PyPI) on the same deterministic 5 000-item portion.
import { writeFileSync, mkdirSync, existsSync } from "node:fs";
import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";

const root = new URL("..", import.meta.url).pathname;

export function apttPortion(n = 5000, seed = 1337) {
  let s = seed >>> 0;
  const rnd = () => ((s = (Math.imul(s ^ (s >>> 15), 2246822507) + 0x9e3779b9) >>> 0) / 2 ** 32);
  const hex = (k) => Array.from({ length: k }, () => "0123456789abcdef"[Math.floor(rnd() * 16)]).join("");
  const ip = () => `${Math.floor(rnd() * 223) + 1}.${Math.floor(rnd() * 256)}.${Math.floor(rnd() * 256)}.${Math.floor(rnd() * 254) + 1}`;
  const items = [];
  for (let i = 0; i < n; i++) {
    const indicators = Array.from({ length: 10 }, (_, j) => ({
      id: hex(40),
      type: "network",
      params: { ipv4: [ip(), ip()], domain: `c2-${hex(6)}.example${j % 5}.com`, url: `http://c2-${hex(6)}.example.com/${hex(8)}.php`, hashes: { md5: hex(32), sha1: hex(40), sha256: hex(64) } },
      dateFirstSeen: "2024-01-0" + ((j % 9) + 1),
    }));
    items.push({
      id: hex(40),
      seqUpdate: 1708000000000000 + i,
      title: `Campaign ${i} by group ${i % 37}`,
      threatActor: { id: hex(40), name: `APT-${i % 37}`, country: ["RU", "CN", "KP", "IR"][i % 4], isAPT: true },
      malwareList: [{ id: hex(40), name: `Malware${i % 53}` }],
      indicators,
      dateFirstSeen: "2024-01-01T00:00:00+00:00",
      dateLastSeen: "2024-02-01T00:00:00+00:00",
      mitreMatrix: [{ attackTactic: "command-and-control", attackType: "ics_technique" }],
    });
  }
  return { count: n, seqUpdate: 1708000000000000 + n, items };
}

const KEYS = {
  parse: {
    id: "id", title: "title", actor: "threatActor.name", country: "threatActor.country", apt: "threatActor.isAPT",
    malware: "malwareList.name", first: "dateFirstSeen", last: "dateLastSeen", tactic: "mitreMatrix.attackTactic",
    ips: "indicators.params.ipv4", domains: "indicators.params.domain", urls: "indicators.params.url",
    md5: "indicators.params.hashes.md5", sha256: "indicators.params.hashes.sha256", source: "*group-ib",
  },
  iocs: { ips: "indicators.params.ipv4", domains: "indicators.params.domain", urls: "indicators.params.url", md5: "indicators.params.hashes.md5", sha1: "indicators.params.hashes.sha1" },
};

export async function groupibRows(lib, runs) {
  const dir = `${root}bench/out`;
  mkdirSync(dir, { recursive: true });
  const text = JSON.stringify(apttPortion());
  writeFileSync(`${dir}/gib-portion.json`, text);
  writeFileSync(`${dir}/gib-keys.json`, JSON.stringify(KEYS));
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const items = 5000;
  const ours = { e2e: [], parse: [], iocs: [] };
  for (let i = 0; i < runs + 1; i++) {
    let t0 = performance.now();
    const parsed = lib.parsePortion(text, KEYS.parse);
    const t1 = performance.now();
    const iocs = lib.getIocs(text, KEYS.iocs);
    const t2 = performance.now();
    if (i === 0) continue; // warm-up
    if (parsed.length !== items || !iocs.ips) throw new Error("bench portion not parsed");
    ours.parse.push((t1 - t0) / 1000);
    ours.iocs.push((t2 - t1) / 1000);
  }
  const pydeps = `${root}bench/.pydeps`;
  if (!existsSync(`${pydeps}/cyberintegrations`)) {
    execFileSync("python3", ["-m", "pip", "install", "--quiet", "--target", pydeps, "cyberintegrations==0.14.1"], { stdio: "inherit" });
  }
  const { stdout } = await promisify(execFile)("python3", [`${root}bench/groupib_py.py`, pydeps, `${dir}/gib-portion.json`, `${dir}/gib-keys.json`, String(runs)], { maxBuffer: 1 << 20 });
  const py = JSON.parse(stdout);
  const pyE2E = median(py.map((r) => r.decode + r.parse));
  const pyParse = median(py.map((r) => r.parse));
  const pyIocs = median(py.map((r) => r.iocs));
  const oursParse = median(ours.parse);
  const oursIocs = median(ours.iocs);
  const k = (sec) => (items / sec / 1000).toFixed(1);
  // median rate, then the spread over the runs (fastest–slowest)
  const rate = (secs) => `${k(median(secs))}k items/s (${k(Math.max(...secs))}–${k(Math.min(...secs))}k)`;
  const pyE2Es = py.map((r) => r.decode + r.parse);
  return [
    { row: "Group-IB parse, text→JS result vs Python json.loads+parse_portion", ratio: pyE2E / oursParse, detail: `ours ${rate(ours.parse)}, Python ${rate(pyE2Es)} (5 000 items, ${(text.length / 1e6).toFixed(1)} MB)` },
    { row: "Group-IB parse (ours end to end) vs Python mapping step alone", ratio: pyParse / oursParse, detail: `Python parse_portion alone ${rate(py.map((r) => r.parse))}` },
    { row: "Group-IB get_iocs (ours end to end) vs Python get_iocs alone", ratio: pyIocs / oursIocs, detail: `ours ${rate(ours.iocs)}, Python ${rate(py.map((r) => r.iocs))}` },
  ];
}
