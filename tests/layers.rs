//! The layer check (ARCHITECTURE.md, "Layout"): imports only point down. Every file under
//! `src/` is read, every `crate::…` path it names is collected (`use` lines, grouped
//! `use crate::{…}` trees and inline paths alike; a file-level `use super::…` is resolved the
//! same way), the file and the target are given a layer by [`LAYERS`], and the test fails
//! naming the file, the line and both layers whenever a file reaches a layer above its own.
//! Test modules get no exemption: a test of a low module uses low things too.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// The layers, lowest first. A module may import from its own layer and from any below it.
/// Modules are matched by the longest prefix (`payouts::wallet` before `payouts`).
const LAYERS: &[(&str, &[&str])] = &[
    // Pure types and process-wide leaves: no I/O of their own, no import above them.
    ("base", &["domain", "config", "telemetry", "i18n"]),
    // SQL only, one file per aggregate, and the outbox of notices and alerts.
    ("store", &["store"]),
    // Clients of the outside world, and the host wallet that signs what it sends through one.
    ("providers", &["providers", "payouts::wallet"]),
    // The shared context every rule, job and handler is given.
    ("services", &["services"]),
    // The product's rules, called the same way from the bot, HTTP and jobs.
    (
        "rules",
        &["jobs", "access", "payments", "payouts", "notify"],
    ),
    // The two front doors: parse input, call a rule, render the answer.
    ("front doors", &["bot", "http"]),
    // The composition root: builds everything.
    ("app", &["app"]),
    // The command line.
    ("cli", &["cli"]),
    // The binary's offline commands (`demo`, `sandbox`) on top: the only code that may use
    // the simulators (see `the_library_never_uses_the_simulators`).
    ("offline", &["offline"]),
];

/// Files the check does not read: the module tree itself and the binary (it imports through
/// `telepay::`). The simulators live in crates/telepay-sim, which cannot import the product.
const NOT_CHECKED: &[&str] = &["lib.rs", "main.rs"];

/// Upward imports allowed, each with its reason: (file under src/, target module, why).
const EXCEPTIONS: &[(&str, &str, &str)] = &[];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Layer(usize);

impl Layer {
    fn name(self) -> &'static str {
        LAYERS[self.0].0
    }
}

/// The layer of a module path (`payouts::wallet::rpc`), by the longest listed prefix.
fn layer_of(module: &str) -> Option<Layer> {
    let mut best: Option<(usize, Layer)> = None;
    for (i, (_, prefixes)) in LAYERS.iter().enumerate() {
        for prefix in *prefixes {
            let hit = module == *prefix
                || module
                    .strip_prefix(prefix)
                    .is_some_and(|rest| rest.starts_with("::"));
            if hit && best.is_none_or(|(len, _)| prefix.len() > len) {
                best = Some((prefix.len(), Layer(i)));
            }
        }
    }
    best.map(|(_, l)| l)
}

/// `payouts/wallet/rpc.rs` → `payouts::wallet::rpc`; `payouts/mod.rs` → `payouts`.
fn module_of(rel: &str) -> String {
    let path = rel.trim_end_matches(".rs").trim_end_matches("/mod");
    path.replace('/', "::")
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Expands the use tree (or inline path) at the start of `s`, which follows `crate::` or a
/// resolved `super::`, into full module paths under `prefix`. Returns them and the bytes read.
fn expand(prefix: &str, s: &str) -> (Vec<String>, usize) {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut path = prefix.to_owned();
    let mut i = 0;
    loop {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if i < b.len() && b[i] == b'{' {
            // A group: every item is a tree of its own under the path so far.
            i += 1;
            loop {
                while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b',') {
                    i += 1;
                }
                if i >= b.len() {
                    return (out, i);
                }
                if b[i] == b'}' {
                    return (out, i + 1);
                }
                let (paths, used) = expand(&path, &s[i..]);
                out.extend(paths);
                i += used.max(1);
            }
        }
        let start = i;
        while i < b.len() && is_ident(char::from(b[i])) {
            i += 1;
        }
        let seg = &s[start..i];
        if !seg.is_empty() && seg != "self" {
            if !path.is_empty() {
                path.push_str("::");
            }
            path.push_str(seg);
        }
        if !seg.is_empty() && s[i..].starts_with("::") {
            i += 2;
            continue;
        }
        // The end of this path: skip `as name` or `*`, stop before what follows it.
        while i < b.len() && !matches!(b[i], b',' | b'}' | b';' | b'\n' | b'(' | b')' | b'{') {
            i += 1;
        }
        if !path.is_empty() {
            out.push(path);
        }
        return (out, i);
    }
}

/// Every module path a file's code names, with the line it is named on. Comment lines are
/// skipped (doc links are not imports).
fn imports(module: &str, text: &str) -> Vec<(usize, String)> {
    // Blank out comment lines, keeping the byte offsets of everything else.
    let code: String = text
        .lines()
        .map(|l| {
            if l.trim_start().starts_with("//") {
                " ".repeat(l.len())
            } else {
                l.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let line_at = |offset: usize| code[..offset].matches('\n').count() + 1;
    let mut found = Vec::new();
    for (at, _) in code.match_indices("crate::") {
        let before = code[..at].chars().next_back();
        if before.is_some_and(|c| is_ident(c) || c == '$' || c == ':') {
            continue;
        }
        let (paths, _) = expand("", &code[at + "crate::".len()..]);
        found.extend(paths.into_iter().map(|p| (line_at(at), p)));
    }
    // `use super::…` at file level names the parent module (the crate root for a top file).
    for (at, _) in code.match_indices("\nuse super::") {
        let mut parent: Vec<&str> = module.split("::").collect();
        let mut rest = &code[at + "\nuse ".len()..];
        while let Some(r) = rest.strip_prefix("super::") {
            parent.pop();
            rest = r;
        }
        let (paths, _) = expand(&parent.join("::"), rest);
        found.extend(paths.into_iter().map(|p| (line_at(at + 1), p)));
    }
    found
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn imports_only_point_down() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    assert!(files.len() > 20, "no sources found under {}", src.display());
    let mut problems = Vec::new();
    let mut per_layer: BTreeMap<&str, usize> = BTreeMap::new();
    for file in files {
        let rel = file
            .strip_prefix(&src)
            .expect("under src")
            .to_string_lossy()
            .replace('\\', "/");
        if NOT_CHECKED
            .iter()
            .any(|n| rel == *n || (n.ends_with('/') && rel.starts_with(n)))
        {
            continue;
        }
        let module = module_of(&rel);
        let Some(own) = layer_of(&module) else {
            problems.push(format!(
                "src/{rel}: module `{module}` is in no layer; add it to LAYERS in tests/layers.rs"
            ));
            continue;
        };
        *per_layer.entry(own.name()).or_default() += 1;
        let text = fs::read_to_string(&file).expect("readable source");
        for (line, target) in imports(&module, &text) {
            if EXCEPTIONS.iter().any(|(f, t, _)| {
                *f == rel && (target == *t || target.starts_with(&format!("{t}::")))
            }) {
                continue;
            }
            match layer_of(&target) {
                None => problems.push(format!(
                    "src/{rel}:{line}: `crate::{target}` is in no layer; add it to LAYERS in tests/layers.rs"
                )),
                Some(theirs) if theirs > own => problems.push(format!(
                    "src/{rel}:{line}: `{module}` ({} layer) imports `crate::{target}` from the higher {} layer",
                    own.name(),
                    theirs.name()
                )),
                Some(_) => {}
            }
        }
    }
    assert!(
        problems.is_empty(),
        "imports must only point down (ARCHITECTURE.md, Layout):\n{}",
        problems.join("\n")
    );
    // Every layer has code in it, so a mistyped table cannot pass by matching nothing.
    for (name, _) in LAYERS {
        assert!(per_layer.contains_key(name), "no file in layer {name}");
    }
}

/// The simulators are a dependency of the binary's offline commands and of the tests; the
/// product's library (every module but `offline/`, which only the binary compiles, and test
/// files) never names them.
#[test]
fn the_library_never_uses_the_simulators() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let lib = fs::read_to_string(src.join("lib.rs")).expect("lib.rs");
    assert!(
        !lib.contains("mod offline"),
        "lib.rs must not compile offline/"
    );
    let mut offenders = Vec::new();
    for file in files {
        let rel = file
            .strip_prefix(&src)
            .expect("under src")
            .to_string_lossy()
            .replace('\\', "/");
        // Unit-test files of the library may drive a simulator, as the integration tests do.
        if rel.starts_with("offline/") || rel == "main.rs" || rel.ends_with("tests.rs") {
            continue;
        }
        if fs::read_to_string(&file)
            .expect("readable")
            .contains("telepay_sim")
        {
            offenders.push(rel);
        }
    }
    assert!(
        offenders.is_empty(),
        "the library names the simulators in: {offenders:?}"
    );
}

#[test]
fn paths_are_read_from_every_form_of_import() {
    let text = "use crate::store::Db;\n\
                use crate::{domain::money::{UsdMicros, CryptoAmount}, notify};\n\
                // a comment naming crate::app is no import\n\
                fn f() { crate::bot::keyboards::menu(crate::i18n::t(x)); $crate::app::x; }\n\
                use super::checks::{self, Hold};\n";
    let found: Vec<(usize, String)> = imports("payments::intake", text);
    let expect = [
        (1, "store::Db"),
        (2, "domain::money::UsdMicros"),
        (2, "domain::money::CryptoAmount"),
        (2, "notify"),
        (4, "bot::keyboards::menu"),
        (4, "i18n::t"),
        (5, "payments::checks"),
        (5, "payments::checks::Hold"),
    ];
    let expect: Vec<(usize, String)> = expect.iter().map(|(l, p)| (*l, p.to_string())).collect();
    assert_eq!(found, expect);
    assert_eq!(
        imports("notify", "\nuse super::store::Db;\n")[0].1,
        "store::Db"
    );
    assert_eq!(
        layer_of("payouts::wallet::rpc").map(Layer::name),
        Some("providers")
    );
    assert_eq!(layer_of("payouts::send").map(Layer::name), Some("rules"));
    assert_eq!(layer_of("storefront"), None);
    assert_eq!(module_of("payouts/mod.rs"), "payouts");
    assert_eq!(module_of("payouts/wallet/rpc.rs"), "payouts::wallet::rpc");
}
