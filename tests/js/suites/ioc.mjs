// IOC toolkit through the package: extraction (refang, boundaries, traps, UTF-16 offsets),
// refang/defang, classify, STIX patterns.
import { assert } from "../harness.mjs";

const REPORT = [
  "The loader contacts hxxps://update-check[.]evil-cdn[.]com/gate.php?id=7 and falls back to 185.220.101[.]47:8443.",
  "Dropped file: d41d8cd98f00b204e9800998ecf8427e (MD5), SHA-256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855.",
  "Phishing from billing[at]paypa1-support[.]net; exploit CVE-2024-3400; infra in ASN 13335 and AS9009.",
  "IPv6 beacon 2001:db8::7 — not `main.py`, not v4.12.7.3, not 1.2.3.4.5, not ns::cafe, not System.IO.",
  "Wallet bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq, see [the write-up](https://blog.example.org/apt/report.html).",
  "Unicode 🦀 before: https://bücher.de/x and \"quoted.example.com\".",
].join("\n");

export function register(test) {
  test("extractIocs: types, refang, canonical values", ({ lib }) => {
    const found = lib.extractIocs(REPORT, { nested: false });
    const by = (type) => found.filter((i) => i.type === type).map((i) => i.value);
    assert.deepEqual(by("url").sort(), ["https://blog.example.org/apt/report.html", "https://bücher.de/x", "https://update-check.evil-cdn.com/gate.php?id=7"].sort());
    assert.ok(by("ipv4").includes("185.220.101.47"));
    assert.deepEqual(by("md5"), ["d41d8cd98f00b204e9800998ecf8427e"]);
    assert.deepEqual(by("sha256"), ["e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"]);
    assert.deepEqual(by("email"), ["billing@paypa1-support.net"]);
    assert.deepEqual(by("cve"), ["CVE-2024-3400"]);
    assert.deepEqual(by("asn").sort(), ["AS13335", "AS9009"]);
    assert.deepEqual(by("ipv6"), ["2001:db8::7"]);
    assert.deepEqual(by("btc"), ["bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"]);
    assert.ok(by("domain").includes("quoted.example.com"));
  });

  test("extractIocs: traps are rejected", ({ lib }) => {
    const values = lib.extractIocs(REPORT).map((i) => i.value);
    for (const trap of ["main.py", "4.12.7.3", "1.2.3.4", "2.3.4.5", "System.IO", "ns::cafe"]) {
      assert.ok(!values.includes(trap), `trap ${trap} reported`);
    }
    assert.deepEqual(lib.extractIocs("run setup.exe then main.py").map((i) => i.value), []);
    assert.deepEqual(lib.extractIocs("run main.py", { fileExtensionPolicy: "allow" }).map((i) => i.value), ["main.py"]);
    assert.deepEqual(lib.extractIocs("c2 at archive[.]zip").map((i) => i.value), ["archive.zip"], "defanged names are hosts");
  });

  test("extractIocs: UTF-16 offsets slice the original text, defanged flag set", ({ lib }) => {
    const found = lib.extractIocs(REPORT);
    assert.ok(found.length >= 12);
    for (const i of found) {
      assert.equal(REPORT.slice(i.start, i.end), i.raw, `${i.type} ${i.value}`);
    }
    const url = found.find((i) => i.value.startsWith("https://update-check"));
    assert.ok(url.defanged);
    assert.equal(url.sekoiaType, "url");
    const bucher = found.find((i) => i.value === "https://bücher.de/x");
    assert.equal(bucher.punycode, "https://xn--bcher-kva.de/x");
  });

  test("extractIocs: options (types, dedupe, deny, private IPs) and bad options", ({ lib }) => {
    const text = "10.0.0.1 8.8.8.8 8.8.8.8 evil.com sub.evil.com good.org";
    assert.deepEqual(lib.extractIocs(text, { types: ["ipv4"] }).map((i) => i.value), ["10.0.0.1", "8.8.8.8", "8.8.8.8"]);
    assert.deepEqual(lib.extractIocs(text, { types: ["ipv4"], dedupe: true, excludePrivateIps: true }).map((i) => i.value), ["8.8.8.8"]);
    assert.deepEqual(lib.extractIocs(text, { types: ["domain"], deny: ["evil.com"] }).map((i) => i.value), ["good.org"]);
    assert.deepEqual(lib.extractIocs("example[.]com", { refang: false }), []);
    for (const [opts, field] of [[{ types: ["ip-address"] }, "types"], [{ types: "ipv4" }, "types"], [{ fileExtensionPolicy: "maybe" }, "fileExtensionPolicy"], [{ dedupe: 1 }, "dedupe"]]) {
      const e = assert.throws(() => lib.extractIocs("x", opts), lib.ValidationError, JSON.stringify(opts));
      assert.equal(e.field, field);
    }
    assert.throws(() => lib.extractIocs(42), lib.ValidationError);
    assert.deepEqual(lib.extractIocs(""), []);
  });

  test("extractIocs: large and hostile input never throws unexpectedly", ({ lib }) => {
    const big = ("x[.]y " + "9".repeat(300) + " ..:::[[((" + "\u0000\uFFFD🦀".repeat(50) + "\n").repeat(400) + " final evil[.]com";
    const found = lib.extractIocs(big);
    assert.equal(found.at(-1).value, "evil.com");
    for (const s of ["[", "[.]", "hxxp://", "h**p://[.]", "0x" + "a".repeat(40), "::", "1.1.1.1.1.1", "a@b", "@@@", "CVE-", "AS", "bc1"]) {
      assert.ok(Array.isArray(lib.extractIocs(s)), s);
    }
  });

  test("refang / defang / classify", ({ lib }) => {
    assert.equal(lib.refang("hxxps://evil[.]com[/]a and user[at]x(.)org 1.2.3[.]4"), "https://evil.com/a and user@x.org 1.2.3.4");
    assert.equal(lib.refang(lib.defang("https://evil.com/a")), "https://evil.com/a");
    assert.ok(!lib.defang("https://evil.com/a").includes("evil.com"));
    const c = lib.classify("EVIL[.]Example[.]COM");
    assert.deepEqual(c, { type: "domain", value: "evil.example.com", sekoiaType: "domain-name", hashAlgorithm: null, defanged: true });
    assert.equal(lib.classify("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855").hashAlgorithm, "SHA-256");
    for (const junk of ["", "hello world", "1.2.3.4/32", "main.py", "999.1.1.1"]) assert.equal(lib.classify(junk), null, junk);
    assert.throws(() => lib.classify(null), lib.ValidationError);
  });

  test("STIX patterns: parse, observables, IOCs, qualifiers; build; errors with position", ({ lib }) => {
    const p = lib.parseStixPattern("([ipv4-addr:value = '198.51.100.1' OR domain-name:value = 'evil.example.com'] AND [file:hashes.'SHA-256' = 'E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855']) FOLLOWEDBY [url:value LIKE '%/gate.php'] WITHIN 600 SECONDS");
    assert.equal(p.observationCount, 3);
    assert.deepEqual(p.operators.sort(), ["AND", "FOLLOWEDBY"]);
    assert.deepEqual(p.qualifiers, ["WITHIN 600 SECONDS"]);
    assert.deepEqual(p.unsupported, ["LIKE"]);
    assert.deepEqual(p.iocs, [
      { type: "ipv4", value: "198.51.100.1" },
      { type: "domain", value: "evil.example.com" },
      { type: "sha256", value: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
    ]);
    assert.equal(lib.stixPatternFor("evil[.]com"), "[domain-name:value = 'evil.com']");
    assert.equal(lib.stixPatternFor("d41d8cd98f00b204e9800998ecf8427e"), "[file:hashes.'MD5' = 'd41d8cd98f00b204e9800998ecf8427e']");
    for (const bad of ["", "[", "[ipv4-addr:value = ]", "ipv4-addr:value = '1'", "[a:b = 'x'] AND", "[" .repeat(5000)]) {
      const e = assert.throws(() => lib.parseStixPattern(bad), lib.ValidationError, bad.slice(0, 20));
      assert.equal(e.field, "pattern");
    }
    assert.throws(() => lib.stixPatternFor("not an ioc"), lib.ValidationError);
  });
}
