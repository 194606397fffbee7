// Detects the observable type of one IOC line, as Sekoia's text import does ("one_per_line" = auto-detect).

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
const IPV6 = /^(?=.*:)[0-9a-f:.]{2,45}$/i;
const MAC = /^([0-9a-f]{2}[:-]){5}[0-9a-f]{2}$/i;
const DOMAIN = /^(?=.{4,253}$)([a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{1,62}$/i;
const EMAIL = /^[^@\s]+@([a-z0-9-]+\.)+[a-z]{2,}$/i;
const HASHES = { 32: "MD5", 40: "SHA-1", 64: "SHA-256", 128: "SHA-512" };

function isIpv6(v) {
  if (!IPV6.test(v) || (v.match(/::/g) ?? []).length > 1) return false;
  const groups = v.split(":");
  return groups.length >= 3 && groups.length <= 8 && groups.every((g) => g === "" || /^[0-9a-f]{1,4}$/i.test(g) || IPV4.test(g));
}

/**
 * Returns { type, value, hashes? } or { invalid: reason }.
 * format: one_per_line | domain-name.value | ipv4-addr.value | ipv6-addr.value | url.value | email-addr.value | file.hashes
 */
export function detectIoc(line, format = "one_per_line") {
  const v = String(line).trim();
  if (!v) return { invalid: "empty" };
  const detected = detectAny(v);
  if (detected.invalid) return detected;
  if (format && format !== "one_per_line") {
    const want = format === "file.hashes" ? "file" : format.replace(/\.value$/, "");
    if (detected.type !== want) return { invalid: `not a ${format}` };
  }
  return detected;
}

function detectAny(v) {
  // hashes of one file may share a line, separated by commas
  if (/^[0-9a-f,\s]+$/i.test(v) && v.split(",").every((h) => HASHES[h.trim().length])) {
    const hashes = {};
    for (const h of v.split(",").map((x) => x.trim().toLowerCase())) hashes[HASHES[h.length]] = h;
    return { type: "file", value: Object.values(hashes)[0], hashes };
  }
  if (IPV4.test(v)) return { type: "ipv4-addr", value: v };
  if (isIpv6(v)) return { type: "ipv6-addr", value: v.toLowerCase() };
  if (MAC.test(v)) return { type: "mac-addr", value: v.toLowerCase().replace(/-/g, ":") };
  if (/^[a-z][a-z0-9+.-]*:\/\/\S+$/i.test(v)) return { type: "url", value: v };
  if (EMAIL.test(v)) return { type: "email-addr", value: v.toLowerCase() };
  if (DOMAIN.test(v) && !/^\d+(\.\d+)*$/.test(v)) return { type: "domain-name", value: v.toLowerCase() };
  return { invalid: "unrecognised observable" };
}

export function patternFor(ioc) {
  if (ioc.type === "file") {
    const parts = Object.entries(ioc.hashes ?? { "SHA-256": ioc.value }).map(([k, h]) => `file:hashes.${k === "MD5" ? "MD5" : `'${k}'`} = '${h}'`);
    return `[${parts.join(" OR ")}]`;
  }
  const esc = ioc.value.replace(/\\/g, "\\\\").replace(/'/g, "\\'");
  return `[${ioc.type}:value = '${esc}']`;
}
