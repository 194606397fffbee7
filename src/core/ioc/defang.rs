//! Defang (`http://evil.com` → `hxxp://evil[.]com`), for display: the scanner finds the
//! IOCs, this module rewrites them.

use super::extract::scan_with_map;
use super::punycode::scheme_end;
use super::refang::refang_map;
use super::{ExtractOptions, FileExtPolicy, IocKind, KindSet};

/// Defang the URLs, domains, IPv4 addresses and emails in `s`: `http` → `hxxp`,
/// `ftp` → `fxp`, dots of hosts → `[.]`, `@` → `[@]`. Text that is not part of such an
/// IOC is kept exactly as written; already defanged IOCs are normalised to this style,
/// so `defang(defang(s)) == defang(s)`.
pub fn defang(s: &str) -> String {
    let r = refang_map(s);
    let text = &r.text;
    let opts = ExtractOptions {
        kinds: KindSet::of(&[IocKind::Url, IocKind::Domain, IocKind::Ipv4, IocKind::Email]),
        refang: false,
        nested: false,
        file_ext_policy: FileExtPolicy::Allow,
        ..ExtractOptions::default()
    };
    let found = scan_with_map(text, &opts, &r);
    let mut out = String::with_capacity(s.len() + 16);
    let mut last = 0; // in `s`
    for (kind, st, en) in found {
        let (os, oe) = (r.to_orig_start(st), r.to_orig_end(en));
        if os < last || oe < os {
            continue;
        }
        let (Some(seg), Some(before)) = (text.get(st..en), s.get(last..os)) else {
            continue;
        };
        out.push_str(before);
        match kind {
            IocKind::Url => {
                let (scheme, rest) = match scheme_end(seg) {
                    Some(p) => (&seg[..p], &seg[p..]),
                    None => ("", seg),
                };
                let sl = scheme.to_ascii_lowercase();
                out.push_str(match sl.as_str() {
                    "http" => "hxxp",
                    "https" => "hxxps",
                    "ftp" => "fxp",
                    "ftps" => "fxps",
                    _ => scheme,
                });
                // defang the dots of the host only (not userinfo, port or path)
                let auth_start = if rest.starts_with("://") { 3 } else { 0 };
                let after = &rest[auth_start..];
                let auth_len = after.find(['/', '?', '#']).unwrap_or(after.len());
                let host_start = after[..auth_len].rfind('@').map_or(0, |i| i + 1);
                out.push_str(&rest[..auth_start]);
                out.push_str(&after[..host_start]);
                out.push_str(&after[host_start..auth_len].replace('.', "[.]"));
                out.push_str(&after[auth_len..]);
            }
            IocKind::Email => out.push_str(&seg.replace('.', "[.]").replace('@', "[@]")),
            _ => out.push_str(&seg.replace('.', "[.]")),
        }
        last = oe;
    }
    out.push_str(s.get(last..).unwrap_or(""));
    out
}
