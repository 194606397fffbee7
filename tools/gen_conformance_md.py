#!/usr/bin/env python3
# Regenerates src/core/ioc/CONFORMANCE.md from the per-family counts printed by the
# conformance test (run from the crate root):
#   cargo test --lib peer_conformance -- --nocapture 2>&1 | grep -E "^(ioc-|iocex)" |
#     awk '{printf "%s|%s|%s %s\n", $1, $2, $3, $4}' > /tmp/table.txt
#   python3 tools/gen_conformance_md.py /tmp/table.txt src/core/ioc/CONFORMANCE.md
import sys
rows=[l.rstrip('\n').split('|') for l in open(sys.argv[1]) if l.strip()]
def why(f, held):
    if held:
        if 'refang' in f: return 'refang styles we support (brackets of any mix, dot/at words, hxxp/h**p, [:]/[://]/[/])'
        if 'validate' in f: return 'single-value validation = our `classify`'
        if 'punycode' in f: return 'RFC 3492 punycode of IDN labels'
        if 'negative' in f: return 'values the peer rejects and so do we (hash inside longer hex, malformed IPs, ...)'
        if 'url-backslash' in f: return '`http:\\\\host` refanged to `http://`'
        if 'url-host-not' in f: return 'explicit scheme: any syntactic host (single label, unknown TLD) is a URL'
        if 'mixed-with-unsupported' in f: return 'cases mixing our types with out-of-scope ones: our types compared, all agree'
        if 'unsupported-type' in f: return 'texts full of out-of-scope types (MAC, xmr, ssdeep, registry keys, ATT&CK ids…), exhaustive: we must report none of our kinds spuriously'
        if 'percent_encoding' in f: return '`evil.com%2F`: the escape ends the host'
        return 'same principle as ours (boundaries, validation, normalisation)'
    table = [
        ('encoded-urls', 'base64/hex/percent-encoded URL decoding is out of scope (wasm size; not an IOC written in the text)'),
        ('unsupported-type', 'type not in our scope (xmr, eth, ssdeep, MAC, GA ids, imphash, authentihash, registry keys, file paths, user agents, ATT&CK, TLP, xmpp); only checks that we report none of our kinds where the case is exhaustive'),
        ('mixed-with-unsupported', 'the ioc-extractor fixture: peer reports only http(s) URLs, we also report `tcp://` and scheme-less `host/path` URLs'),
        ('option:strict', 'peer option (strict TLD); we always validate TLDs for bare names, never for explicit-scheme URL hosts'),
        ('option:included_ioc_types', 'modelled with `ExtractOptions::kinds`; the 2 failures are `abc.py` (file-extension policy) and xmpp-vs-email'),
        ('option:', 'peer option we do not model (parse_domain_from_url, parse_from_url_path, ...); closest is `nested: false`'),
        ('xmpp-address-vs-email', 'peer tells XMPP ids from emails by a `jabber` host; both are `user@host` to us (email)'),
        ('file-path-basename-as-domain', '`~/foo/abc.py` → peer reports domain `abc.py`; our file-extension policy rejects it (documented, overridable)'),
        ('complete-url-convention', 'peer-specific "complete URL" output (`password@example.com:8080`) and percent-decoding of query params'),
        ('url-with-spaces', 'iocextract joins `http:// example .com /path` across spaces; we end a URL at whitespace (prose would glue unrelated words)'),
        ('url-scheme-written-as-__', '`http__host` as a scheme separator is iocextract-only; ambiguous with identifiers'),
        ('bare-host-as-url', 'peer reports a bare (defanged) host as a URL; we report it as a domain, URL only with a scheme or a path'),
        ('host-without-real-tld', 'expected value has a fake TLD (`.tld`, `.nope`); we validate TLDs against the PSL'),
        ('ioc-glued-inside-word', '`words1.1.1.1words`: we require token boundaries (the traps `file.It`, `v4.12.7.3` need them)'),
        ('email-bare-word', 'bare-word defangs (` at `, ` DOT `, `/AT/`) are too ambiguous in prose; bracketed forms are supported'),
        ('email-spaces-around-at', 'spaces around a bare `@` (`user @ host`) are not joined (prose: `meet @ 5pm`); `[@]`, `(at)` are'),
        ('placeholder-hash', '`aaaa…` placeholders: a 32+ hex word without both letters and digits is not a real digest'),
        ('ipv4-leading-zero', '`01.1.1.1` is octal for inet_aton; we do not guess, we reject'),
        ('dubious', 'marked dubious in the data (hex strings expected as BTC); checksums reject them'),
        ('installed-peer-disagrees', 'the installed peer itself disagrees with the test expectation'),
        ('idn-unsupported', 'peer drops Unicode labels; we keep IDN hosts in Unicode (punycode available)'),
        ('regex-level', "tests of the peer's regex pieces (`a.b--c.jp` → `c.jp`), not of extraction"),
        ('refang_email', "iocextract's email-only refang (joins spaces around @, `com [.tld`, drops a trailing `]`); ours is text-level"),
        ('refang_data', '`hxxp__test]`, `CDATA[^h00ps…` rewrites are peer heuristics'),
        ('extract_ips', 'runs of 4+ backslashes as dot escapes (`10\\\\\\\\.10`)'),
        ('extract_ipv6s/negative', 'peer rejects `::1`, `2001:db8::1` (valid addresses; use `exclude_private_ips`)'),
        ('extract_emails/negative', 'peer rejects `a@a.co` and `x@example . com`; we accept (valid address; spaced dot is a supported defang)'),
        ('extract_raw/email', 'multi-bracket clutter with inner spaces (`[[[[ [ [ [ . )])`)'),
        ('cve', 'peer accepts years outside 1999–2099 (ioc-extractor rejects them; we follow ioc-extractor)'),
        ('file_hash', '0x-prefixed SHA-1 (the ETH-address trap)'),
        ('bitcoin_grammar', 'hex strings expected as BTC; checksums reject them'),
        ('percent_encoding', 'bare `%2Fevil.com`: we treat `%2F` as an escape and report `evil.com`'),
        ('url-bracketed', '`https://[test]/`: a bracketed host must be an IPv6 literal'),
    ]
    for k, r in table:
        if k in f: return r
    return '?'
out=['# IOC extraction conformance','',
'Cases: `shared/conformance/ioc_cases.json` (2 574 cases from the test suites of ioc-extractor, iocextract and ioc-finder).',
'Test: `src/core/ioc/conformance_tests.rs` (`peer_conformance`). It loads the JSON at test time from',
'`$CTI_EDGE_SHARED_DIR/conformance/ioc_cases.json` (default `CARGO_MANIFEST_DIR/../shared`), puts every case in a',
'family by peer, case kind and the convention it encodes (computed from the case: tags, options, expected values and',
'input shape, never from a literal), asserts that every **held** family passes completely, and prints pass counts',
'per family. `IOC_CONFORMANCE_DUMP=/path` writes every failing case with the reason.',
'',
'Comparison: values are normalised on both sides (IPv6 RFC 5952, ASN digits, URL lower-case scheme/host and no',
'trailing `/`, hashes/domains/emails lower-case); `extract_raw` cases compare our `raw` span (as written); types we',
'do not extract are ignored inside a case; `refang: false` and `included_ioc_types` peer options are mapped to',
'`ExtractOptions::refang` / `ExtractOptions::kinds`.',
'']
hp=ht=np_=nt=0; hf=nf=0
for f,c,h in rows:
    a,b=map(int,c.split('/'))
    if h.startswith('HELD'): hp+=a; ht+=b; hf+=1
    else: np_+=a; nt+=b; nf+=1
out.append(f'Totals: {hf} held families, {hp}/{ht} cases, all asserted; {nf} not-held families, {np_}/{nt} cases pass (informational).')
out.append('')
out.append('| family | held | why | pass/total |')
out.append('|---|---|---|---|')
for f,c,h in rows:
    held=h.startswith('HELD')
    out.append(f'| `{f}` | {"held" if held else "not held"} | {why(f,held)} | {c} |')
out += ['', '## Principles behind the held families','',
'- Token boundaries: an IOC never starts or ends inside a word; trailing sentence punctuation, unbalanced `)`, `]`, `>`, quotes, backticks, `**`, AsciiDoc `++…++` and Markdown/AsciiDoc link labels end a URL; a comma ends a URL in the host/path, and in the query when what follows is not a value.',
'- TLDs come from the PSL (ICANN section) for bare names and emails; explicit-scheme URLs accept any syntactic host.',
'- File names and code identifiers are rejected by documented rules (`FileExtPolicy`, the casing rule), never by lists of literals; defanged names are always hosts.',
'- BTC addresses are checksum-verified (base58check, bech32/bech32m); hashes are whole hex words with letters and digits, not labelled as another fingerprint (imphash, JA3, authentihash…); CVE years 1999–2099.',
'- Refang is text-level and context-checked (brackets balanced or glued to a dot inside a word, `hxxp` only before `:`), so prose is not rewritten.',
'']
open(sys.argv[2],'w').write('\n'.join(out)+'\n')
bad=[f for f,c,h in rows if why(f, h.startswith('HELD'))=='?']
print('families', len(rows), 'unexplained', bad)
