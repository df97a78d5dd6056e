//! The deployment files checked against the code, since no Docker engine runs here:
//! compose.yaml names every setting `serve` requires and commits no secret, its values pass
//! `telepay check-config`; the Dockerfile builds a multi-stage, non-root image with a health
//! check and needs nothing beside the binary; the alert rules in docs/alerts.md are well formed
//! (and pass promtool's unit tests in tests/it/alerts.promtool.yml where promtool is installed,
//! which `REQUIRE_PROMTOOL=1` demands).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use clap::CommandFactory;
use telepay::cli::Cli;
use telepay::config::{Config, RawSettings};
use yaml_rust2::{Yaml, YamlLoader};

const BIN: &str = env!("CARGO_BIN_EXE_telepay");

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

// ---------------------------------------------------------------------------------------------
// What the code says about its settings.

/// Every setting's variable, with whether `--help` hides its value (the secrets).
fn settings() -> BTreeMap<String, bool> {
    Cli::command()
        .get_arguments()
        .filter_map(|a| {
            a.get_env()
                .map(|e| (e.to_string_lossy().into_owned(), a.is_hide_env_values_set()))
        })
        .collect()
}

/// The variables `serve` refuses to start without, as the configuration code reports them.
fn required(webhook: bool) -> Vec<&'static str> {
    let raw = RawSettings {
        telegram_mode: webhook.then(|| "webhook".to_owned()),
        ..RawSettings::default()
    };
    let err = Config::from_raw(&raw).expect_err("an empty configuration must be refused");
    assert!(err.invalid.is_empty(), "defaults are valid: {err}");
    err.missing
}

fn is_secret_name(name: &str, settings: &BTreeMap<String, bool>) -> bool {
    settings.get(name).copied().unwrap_or(false)
        || ["PASSWORD", "SECRET", "TOKEN", "PRIVATE_KEY", "API_KEY"]
            .iter()
            .any(|w| name.contains(w))
}

// ---------------------------------------------------------------------------------------------
// compose.yaml

fn compose() -> Yaml {
    let mut docs = YamlLoader::load_from_str(&read("compose.yaml")).expect("compose.yaml parses");
    assert_eq!(docs.len(), 1, "compose.yaml is one YAML document");
    docs.remove(0)
}

fn scalar(y: &Yaml) -> Option<String> {
    match y {
        Yaml::String(s) | Yaml::Real(s) => Some(s.clone()),
        Yaml::Integer(i) => Some(i.to_string()),
        Yaml::Boolean(b) => Some(b.to_string()),
        Yaml::Null => Some(String::new()),
        _ => None,
    }
}

fn services(doc: &Yaml) -> Vec<(String, Yaml)> {
    doc["services"]
        .as_hash()
        .expect("compose.yaml has services")
        .iter()
        .map(|(k, v)| (k.as_str().expect("service name").to_owned(), v.clone()))
        .collect()
}

/// The service built from this repository's Dockerfile.
fn app_service(doc: &Yaml) -> (String, Yaml) {
    let built: Vec<_> = services(doc)
        .into_iter()
        .filter(|(_, s)| !s["build"].is_badvalue())
        .collect();
    assert_eq!(
        built.len(),
        1,
        "exactly one service is built from the Dockerfile"
    );
    built.into_iter().next().unwrap()
}

/// A service's `environment`, in its map or its `KEY=value` list form.
fn environment(service: &Yaml) -> BTreeMap<String, String> {
    match &service["environment"] {
        Yaml::Hash(h) => h
            .iter()
            .map(|(k, v)| {
                let key = k.as_str().expect("variable name").to_owned();
                let value = scalar(v).unwrap_or_else(|| panic!("{key}: not a scalar"));
                (key, value)
            })
            .collect(),
        Yaml::Array(a) => a
            .iter()
            .map(|e| {
                let s = e.as_str().expect("KEY=value");
                let (k, v) = s.split_once('=').unwrap_or((s, ""));
                (k.to_owned(), v.to_owned())
            })
            .collect(),
        Yaml::BadValue => BTreeMap::new(),
        other => panic!("environment is neither a map nor a list: {other:?}"),
    }
}

/// One `${NAME…}` in a compose value.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Interp {
    name: String,
    /// `:?`, `?`, `:-`, `-`, `:+`, `+`, or empty for a bare `${NAME}`.
    op: String,
    arg: String,
}

/// The interpolations of a compose value, and the value with each replaced by
/// `INTERPOLATEDn` (`$$` is a literal `$`).
fn interpolations(value: &str) -> (Vec<Interp>, String) {
    let mut found = Vec::new();
    let mut literal = String::new();
    let mut rest = value;
    while let Some(at) = rest.find('$') {
        literal.push_str(&rest[..at]);
        rest = &rest[at..];
        if let Some(after) = rest.strip_prefix("$$") {
            literal.push('$');
            rest = after;
        } else if let Some(after) = rest.strip_prefix("${") {
            let end = after.find('}').expect("an unclosed ${ in compose.yaml");
            let inner = &after[..end];
            assert!(!inner.contains('{'), "nested interpolation in {value:?}");
            let name_len = inner
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(inner.len());
            let (name, tail) = inner.split_at(name_len);
            let op_len = if tail.starts_with(':') {
                2.min(tail.len())
            } else {
                1.min(tail.len())
            };
            let (op, arg) = tail.split_at(op_len);
            literal.push_str(&format!("INTERPOLATED{}", found.len()));
            found.push(Interp {
                name: name.to_owned(),
                op: op.to_owned(),
                arg: arg.to_owned(),
            });
            rest = &after[end + 1..];
        } else {
            // `$NAME` without braces is interpolated too: not used here, refuse it.
            panic!("use ${{NAME}} rather than $NAME in compose.yaml: {value:?}");
        }
    }
    literal.push_str(rest);
    (found, literal)
}

/// A word that looks like a credential: a bot token, a 32-byte hex key, or a long random mix of
/// letters and digits.
fn looks_like_secret(word: &str) -> bool {
    let bot_token = word.split_once(':').is_some_and(|(id, s)| {
        id.len() >= 5
            && id.bytes().all(|b| b.is_ascii_digit())
            && s.len() >= 30
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    });
    let hex = word.strip_prefix("0x").unwrap_or(word);
    let hex_key = hex.len() >= 64 && hex.bytes().all(|b| b.is_ascii_hexdigit());
    let random = word.len() >= 24
        && word.bytes().all(|b| b.is_ascii_alphanumeric())
        && word.bytes().any(|b| b.is_ascii_digit())
        && word.bytes().any(|b| b.is_ascii_uppercase())
        && word.bytes().any(|b| b.is_ascii_lowercase());
    bot_token || hex_key || random || word.contains("-----BEGIN")
}

fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| c.is_whitespace() || "\"'=@/,;()[]{}<>`".contains(c))
        .filter(|w| !w.is_empty())
}

#[test]
fn compose_names_every_required_setting() {
    let settings = settings();
    let polling = required(false);
    let webhook = required(true);
    assert!(
        polling.contains(&"TELEGRAM_BOT_TOKEN") && polling.len() >= 5,
        "the configuration code reports what is required: {polling:?}"
    );
    assert!(
        webhook.contains(&"TELEGRAM_WEBHOOK_SECRET"),
        "webhook mode requires its secret: {webhook:?}"
    );

    let doc = compose();
    let (name, app) = app_service(&doc);
    let env = environment(&app);
    for var in polling.iter().chain(&webhook) {
        assert!(
            env.contains_key(*var),
            "compose.yaml's {name} service does not name the required {var}"
        );
    }
    // Always required: compose itself refuses to start without it (`${VAR:?message}`).
    for var in &polling {
        let (interps, literal) = interpolations(&env[*var]);
        assert!(
            interps.len() == 1
                && interps[0].name == *var
                && interps[0].op == ":?"
                && literal == "INTERPOLATED0",
            "{var} must be `${{{var}:?message}}` in compose.yaml, not {:?}",
            env[*var]
        );
    }
    for key in env.keys() {
        assert!(
            settings.contains_key(key),
            "compose.yaml sets {key}, which is no setting of telepay (a typo?)"
        );
    }
    // An env_file must be one that is never committed.
    if let Some(file) = scalar(&app["env_file"]) {
        let ignored = read(".gitignore");
        assert!(
            ignored
                .lines()
                .any(|l| l.trim() == file || l.trim() == format!("/{file}")),
            "{file} (env_file) must be in .gitignore"
        );
    }
}

#[test]
fn compose_commits_no_secret() {
    // The detector must see the obvious ones, or this test proves nothing.
    assert!(looks_like_secret(
        "123456789:AAHk2Jd8s_9sdf-KJH23jhsdf8sdfkjhsdfQ"
    ));
    assert!(looks_like_secret(&format!("0x{}", "ab12".repeat(16))));
    assert!(looks_like_secret("sk9Hf2kLq8ZxP0wR4tYu7Vb3Nm"));
    assert!(!looks_like_secret("postgres:16-bookworm"));
    assert!(!looks_like_secret("TELEGRAM_BOT_TOKEN"));

    let settings = settings();
    let compose_text = read("compose.yaml");
    let doc = compose();
    let mut used = BTreeSet::new();
    for (service, s) in services(&doc) {
        for (key, value) in environment(&s) {
            let (interps, literal) = interpolations(&value);
            used.extend(interps.iter().map(|i| i.name.clone()));
            if !is_secret_name(&key, &settings) {
                continue;
            }
            // A default (`${VAR:-value}`) for a secret would be a committed secret too.
            assert!(
                interps
                    .iter()
                    .all(|i| !matches!(i.op.as_str(), "-" | ":-" | "+" | ":+") || i.arg.is_empty()),
                "{service}.{key} gives a secret a default: {value:?}"
            );
            let bare = (0..interps.len()).fold(literal.clone(), |acc, n| {
                acc.replace(&format!("INTERPOLATED{n}"), "")
            });
            if bare.trim().is_empty() {
                continue;
            }
            // A URL may be written out, but its password must come from outside.
            let url = url::Url::parse(&literal).unwrap_or_else(|_| {
                panic!("{service}.{key} is secret and holds a literal value: {value:?}")
            });
            let password_ok = url
                .password()
                .is_none_or(|p| p.starts_with("INTERPOLATED") && p[12..].parse::<u32>().is_ok());
            assert!(
                password_ok,
                "{service}.{key} commits a password in its URL: {value:?}"
            );
            assert!(
                url.query().is_none(),
                "{service}.{key} has a literal query (keys go there): {value:?}"
            );
        }
    }
    for word in words(&compose_text).chain(words(&read("Dockerfile"))) {
        assert!(
            !looks_like_secret(word),
            "compose.yaml or Dockerfile holds something that looks like a secret: {word}"
        );
    }

    // Every variable compose reads is in .env.example, with an empty value if it is secret.
    let example = read(".env.example");
    let example_vars: BTreeMap<String, String> = example
        .lines()
        .map(|l| l.trim().trim_start_matches('#').trim())
        .filter_map(|l| l.split_once('='))
        .filter(|(k, _)| {
            !k.is_empty()
                && k.bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
        })
        .map(|(k, v)| (k.to_owned(), v.trim().to_owned()))
        .collect();
    for var in &used {
        assert!(
            example_vars.contains_key(var),
            "compose.yaml reads {var}, which .env.example does not mention"
        );
    }
    for (var, value) in &example_vars {
        // Empty, or (DATABASE_URL's default) a URL without a password.
        let harmless = value.is_empty()
            || url::Url::parse(value).is_ok_and(|u| u.password().is_none() && u.query().is_none());
        if is_secret_name(var, &settings) {
            assert!(harmless, ".env.example gives the secret {var} a value");
        }
    }
    for ignore in [".gitignore", ".dockerignore"] {
        assert!(
            read(ignore).lines().any(|l| l.trim() == ".env"),
            "{ignore} must list .env"
        );
    }
}

/// A value a test can give to a variable compose interpolates without a default.
fn stand_in(var: &str) -> String {
    match var {
        "TELEGRAM_BOT_TOKEN" => format!("123456:{}", "A".repeat(35)),
        "PUBLIC_BASE_URL" => "https://pay.example.com".into(),
        "NOWPAYMENTS_API_KEY" | "NOWPAYMENTS_IPN_SECRET" | "CHANGENOW_API_KEY" => {
            format!("test-{}", var.to_lowercase())
        }
        "EVM_RPC_URL" => "https://rpc.example.com/".into(),
        "HOST_WALLET_PRIVATE_KEY" => format!("0x{}", "11".repeat(32)),
        "TELEGRAM_WEBHOOK_SECRET" => "test-webhook-secret".into(),
        "POSTGRES_PASSWORD" => "test-password".into(),
        other => panic!("compose.yaml reads {other}: give it a stand-in in deploy.rs"),
    }
}

/// A compose value with its interpolations resolved as compose would, given `given`.
fn resolve(value: &str, given: &BTreeMap<&str, String>) -> String {
    let (interps, mut literal) = interpolations(value);
    for (n, i) in interps.iter().enumerate().rev() {
        let set = given.get(i.name.as_str()).filter(|v| !v.is_empty());
        let v = match (i.op.as_str(), set) {
            (":-" | "-", None) => i.arg.clone(),
            (":+" | "+", Some(_)) => i.arg.clone(),
            (":+" | "+", None) => String::new(),
            (_, Some(v)) => v.clone(),
            (_, None) => stand_in(&i.name),
        };
        literal = literal.replace(&format!("INTERPOLATED{n}"), &v);
    }
    literal
}

fn check_config_with(env: &BTreeMap<String, String>) -> Output {
    let dir = tempfile::tempdir().unwrap();
    Command::new(BIN)
        .arg("check-config")
        .env_clear()
        .envs(env)
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

#[test]
fn compose_configuration_passes_check_config() {
    let doc = compose();
    let (name, app) = app_service(&doc);
    let raw = environment(&app);

    // Polling, as compose runs it by default.
    let env: BTreeMap<String, String> = raw
        .iter()
        .map(|(k, v)| (k.clone(), resolve(v, &BTreeMap::new())))
        .collect();
    let out = check_config_with(&env);
    let said = text(&out);
    assert!(
        out.status.success(),
        "check-config refused compose's {name} settings: {said}"
    );
    assert!(said.contains("database: PostgreSQL"), "{said}");
    assert!(said.contains("telegram: polling"), "{said}");

    // Webhook mode, with the secret set in .env.
    let given = BTreeMap::from([
        ("TELEGRAM_MODE", "webhook".to_owned()),
        (
            "TELEGRAM_WEBHOOK_SECRET",
            stand_in("TELEGRAM_WEBHOOK_SECRET"),
        ),
    ]);
    let env: BTreeMap<String, String> = raw
        .iter()
        .map(|(k, v)| (k.clone(), resolve(v, &given)))
        .collect();
    let out = check_config_with(&env);
    assert!(out.status.success(), "webhook mode: {}", text(&out));
    assert!(text(&out).contains("telegram: webhook"), "{}", text(&out));

    // The database is a service of this file, healthy before the app starts.
    let db_url = url::Url::parse(&resolve(&raw["DATABASE_URL"], &BTreeMap::new())).unwrap();
    let db_host = db_url.host_str().unwrap().to_owned();
    let db = services(&doc)
        .into_iter()
        .find(|(n, _)| *n == db_host)
        .unwrap_or_else(|| panic!("DATABASE_URL points at {db_host}, no service of compose.yaml"))
        .1;
    assert!(
        !db["healthcheck"].is_badvalue(),
        "{db_host} has a healthcheck"
    );
    assert_eq!(
        app["depends_on"][db_host.as_str()]["condition"].as_str(),
        Some("service_healthy"),
        "{name} waits for {db_host} to be healthy"
    );

    // Published on loopback (a reverse proxy goes in front; /metrics stays private), on the
    // port the app listens on.
    let port = raw["HTTP_ADDR"].rsplit(':').next().unwrap().to_owned();
    let ports = app["ports"].as_vec().expect("the app publishes its port");
    for p in ports {
        let p = scalar(p).unwrap();
        let parts: Vec<&str> = p.split(':').collect();
        assert_eq!(parts.len(), 3, "bind the published port to an address: {p}");
        assert_eq!(parts[0], "127.0.0.1", "publish on loopback only: {p}");
        assert_eq!(
            parts[2].trim_end_matches("/tcp"),
            port,
            "container port is HTTP_ADDR's"
        );
    }
    // Longer than the app's own shutdown deadline (8 s).
    let grace = scalar(&app["stop_grace_period"]).unwrap_or_default();
    let secs: u64 = grace.trim_end_matches('s').parse().unwrap_or(0);
    assert!(
        secs >= 9,
        "stop_grace_period {grace:?} is shorter than the app's shutdown"
    );
}

// ---------------------------------------------------------------------------------------------
// Dockerfile

#[derive(Debug, Clone)]
struct Instruction {
    op: String,
    args: String,
}

/// The instructions of a Dockerfile: comments dropped, `\` continuations joined.
fn dockerfile() -> Vec<Instruction> {
    let mut out = Vec::new();
    let mut pending = String::new();
    for line in read("Dockerfile").lines() {
        let t = line.trim();
        if pending.is_empty() && (t.is_empty() || t.starts_with('#')) {
            continue;
        }
        if t.starts_with('#') {
            continue;
        }
        if let Some(head) = t.strip_suffix('\\') {
            pending.push_str(head);
            pending.push(' ');
            continue;
        }
        pending.push_str(t);
        let full = std::mem::take(&mut pending);
        let (op, args) = full.split_once(char::is_whitespace).unwrap_or((&full, ""));
        out.push(Instruction {
            op: op.to_ascii_uppercase(),
            args: args.trim().to_owned(),
        });
    }
    assert!(
        pending.is_empty(),
        "the Dockerfile ends inside a continuation"
    );
    out
}

fn exec_form(args: &str) -> Vec<String> {
    let inner = args
        .trim()
        .strip_prefix('[')
        .and_then(|a| a.strip_suffix(']'))
        .unwrap_or_else(|| panic!("not the exec (JSON) form: {args}"));
    inner
        .split(',')
        .map(|p| p.trim().trim_matches('"').to_owned())
        .collect()
}

/// `KEY=value` pairs of an ENV instruction (values without spaces).
fn env_pairs(args: &str) -> Vec<(String, String)> {
    args.split_whitespace()
        .map(|kv| {
            let (k, v) = kv
                .split_once('=')
                .unwrap_or_else(|| panic!("ENV {kv}: use KEY=value"));
            (k.to_owned(), v.trim_matches('"').to_owned())
        })
        .collect()
}

/// `--flag=value` of a COPY, and its source and destination.
fn copy_parts(args: &str) -> (BTreeMap<String, String>, Vec<String>) {
    let mut flags = BTreeMap::new();
    let mut paths = Vec::new();
    for w in args.split_whitespace() {
        match w.strip_prefix("--").and_then(|f| f.split_once('=')) {
            Some((k, v)) => {
                flags.insert(k.to_owned(), v.to_owned());
            }
            None => paths.push(w.to_owned()),
        }
    }
    (flags, paths)
}

#[test]
fn dockerfile_builds_a_small_non_root_image_with_a_health_check() {
    let all = dockerfile();
    let settings = settings();
    let stages: Vec<Vec<Instruction>> = {
        let mut v: Vec<Vec<Instruction>> = Vec::new();
        for i in all {
            if i.op == "FROM" {
                v.push(Vec::new());
            }
            v.last_mut()
                .expect("the Dockerfile starts with FROM")
                .push(i);
        }
        v
    };
    assert!(
        stages.len() >= 2,
        "multi-stage: the toolchain stays out of the image"
    );
    let build_base = stages[0][0].args.clone();
    let last = stages.last().unwrap();
    let runtime_base = last[0].args.split_whitespace().next().unwrap().to_owned();
    assert!(
        !runtime_base.starts_with("rust") && !build_base.contains(&runtime_base),
        "the runtime stage {runtime_base} is not the build image"
    );
    let builder_runs: String = stages[..stages.len() - 1]
        .iter()
        .flatten()
        .filter(|i| i.op == "RUN")
        .map(|i| i.args.clone())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        builder_runs.contains("cargo build --release --locked"),
        "a locked release build"
    );

    let find = |op: &str| -> Vec<&Instruction> { last.iter().filter(|i| i.op == op).collect() };

    // Non-root, numerically.
    let user = find("USER")
        .last()
        .map(|i| i.args.clone())
        .expect("the runtime stage sets USER");
    let uid = user.split(':').next().unwrap();
    assert!(
        uid.parse::<u32>().is_ok_and(|n| n > 0),
        "USER must be a numeric non-root uid, not {user:?}"
    );

    // The entrypoint is the copied binary, and the health check runs it.
    let entry = exec_form(&find("ENTRYPOINT").last().expect("an ENTRYPOINT").args);
    let binary = entry[0].clone();
    let copies: Vec<(BTreeMap<String, String>, Vec<String>)> =
        find("COPY").iter().map(|i| copy_parts(&i.args)).collect();
    assert!(
        copies
            .iter()
            .any(|(f, p)| f.contains_key("from") && p.last() == Some(&binary)),
        "the runtime stage copies {binary} from the build stage"
    );
    let health = find("HEALTHCHECK")
        .last()
        .map(|i| i.args.clone())
        .expect("a HEALTHCHECK");
    let cmd = health.split_once("CMD").expect("HEALTHCHECK … CMD").1;
    assert_eq!(
        exec_form(cmd),
        vec![binary.clone(), "healthcheck".to_owned()]
    );
    assert!(
        find("STOPSIGNAL").iter().all(|i| i.args == "SIGTERM"),
        "the app shuts down gracefully on SIGTERM"
    );

    // Settings baked into the image: known, not secret, consistent with EXPOSE and the volume.
    let env: BTreeMap<String, String> = find("ENV")
        .iter()
        .flat_map(|i| env_pairs(&i.args))
        .collect();
    for key in env.keys() {
        assert!(
            settings.contains_key(key),
            "ENV {key} is no setting of telepay"
        );
        if key != "DATABASE_URL" {
            assert!(
                !is_secret_name(key, &settings),
                "ENV bakes the secret {key} into the image"
            );
        }
    }
    if let Some(addr) = env.get("HTTP_ADDR") {
        let port = addr.rsplit(':').next().unwrap();
        assert!(
            find("EXPOSE")
                .iter()
                .any(|i| i.args.split_whitespace().any(|p| p == port)),
            "EXPOSE the HTTP_ADDR port {port}"
        );
    }
    if let Some(url) = env.get("DATABASE_URL") {
        assert!(
            url.starts_with("sqlite:"),
            "only a SQLite file may be a default: {url}"
        );
        let file = Path::new(url.trim_start_matches("sqlite://"));
        let dir = file.parent().unwrap().to_str().unwrap().to_owned();
        assert!(
            find("VOLUME")
                .iter()
                .any(|i| i.args.contains(&format!("\"{dir}\""))
                    || i.args.split_whitespace().any(|w| w == dir)),
            "the SQLite folder {dir} is a VOLUME"
        );
        assert!(
            copies.iter().any(|(f, p)| {
                p.last() == Some(&dir)
                    && f.get("chown")
                        .is_some_and(|c| c.split(':').next() == Some(uid))
            }),
            "the SQLite folder {dir} is owned by the USER {uid}, so it can write there"
        );
    }

    // The build context holds the sources and never a secret or a build folder.
    let ignore: Vec<String> = read(".dockerignore")
        .lines()
        .map(|l| {
            l.trim()
                .trim_start_matches('/')
                .trim_end_matches('/')
                .to_owned()
        })
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    for needed in ["target", ".env"] {
        assert!(
            ignore.iter().any(|l| l == needed),
            ".dockerignore must list {needed}"
        );
    }
    for kept in [
        "src",
        "migrations",
        "locales",
        "crates",
        "Cargo.toml",
        "Cargo.lock",
    ] {
        assert!(
            !ignore
                .iter()
                .any(|l| l == kept || l.starts_with(&format!("{kept}/"))),
            ".dockerignore must not leave out {kept}: the build needs it"
        );
    }
}

/// Every file under `dir`, recursively.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn the_binary_needs_no_files_beside_it() {
    // The runtime stage copies the binary alone: the migrations and the locales must be in it.
    let binary = std::fs::read(BIN).unwrap();
    let haystack = String::from_utf8_lossy(&binary);
    let mut checked = 0;
    for dir in ["migrations", "locales"] {
        for file in files_under(&root().join(dir)) {
            let content = std::fs::read_to_string(&file).unwrap();
            assert!(
                haystack.contains(content.as_str()),
                "{} is not compiled into the binary: the Dockerfile's runtime stage would \
                 have to copy it",
                file.display()
            );
            checked += 1;
        }
    }
    assert!(
        checked >= 4,
        "found the migrations and locales ({checked} files)"
    );

    // And it migrates a new database from an empty folder.
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .arg("migrate")
        .env_clear()
        .env("DATABASE_URL", "sqlite://fresh.db")
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "migrate in an empty folder: {}",
        text(&out)
    );
}

// ---------------------------------------------------------------------------------------------
// docs/alerts.md

/// The fenced YAML block of docs/alerts.md that holds the rules.
fn alert_rules_text(doc: &str) -> String {
    let blocks: Vec<&str> = doc
        .split("```yaml\n")
        .skip(1)
        .filter_map(|b| b.split("```").next())
        .filter(|b| b.starts_with("groups:"))
        .collect();
    assert_eq!(blocks.len(), 1, "docs/alerts.md has one block of rules");
    blocks[0].to_owned()
}

/// The anchor GitHub gives a heading.
fn anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

fn promtool() -> Option<PathBuf> {
    let ok = Command::new("promtool")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if ok {
        return Some(PathBuf::from("promtool"));
    }
    assert!(
        std::env::var("REQUIRE_PROMTOOL").as_deref() != Ok("1"),
        "REQUIRE_PROMTOOL=1 but promtool is not installed (Debian package prometheus)"
    );
    None
}

#[test]
fn alert_rules_are_well_formed_and_documented() {
    let doc = read("docs/alerts.md");
    let rules_text = alert_rules_text(&doc);
    let parsed = YamlLoader::load_from_str(&rules_text).expect("the rules parse as YAML");
    let anchors: BTreeSet<String> = doc
        .lines()
        .filter_map(|l| l.strip_prefix("### "))
        .map(anchor)
        .collect();
    let table: Vec<&str> = doc.lines().filter(|l| l.starts_with("| `")).collect();

    let mut names = BTreeSet::new();
    for group in parsed[0]["groups"].as_vec().expect("groups") {
        for rule in group["rules"].as_vec().expect("rules") {
            let name = rule["alert"]
                .as_str()
                .expect("every rule is an alert")
                .to_owned();
            assert!(names.insert(name.clone()), "{name} is defined twice");
            let expr = rule["expr"].as_str().expect("expr");
            assert!(!expr.trim().is_empty(), "{name}: empty expr");
            let severity = rule["labels"]["severity"].as_str();
            assert!(
                matches!(severity, Some("page" | "warn")),
                "{name}: severity must be page or warn, not {severity:?}"
            );
            assert!(
                rule["annotations"]["summary"]
                    .as_str()
                    .is_some_and(|s| !s.is_empty()),
                "{name}: a summary"
            );
            let runbook = rule["annotations"]["runbook"].as_str().expect("a runbook");
            let target = runbook
                .strip_prefix("docs/alerts.md#")
                .unwrap_or_else(|| panic!("{name}: runbook {runbook} is not in docs/alerts.md"));
            assert!(
                anchors.contains(target),
                "{name}: the runbook section #{target} does not exist"
            );
            // Each metric it reads is in the table, and the table says the rule needs it.
            let metrics: BTreeSet<String> = expr
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .filter(|w| w.starts_with("telepay_"))
                .map(|w| {
                    ["_bucket", "_count", "_sum"]
                        .iter()
                        .fold(w, |w, s| w.strip_suffix(s).unwrap_or(w))
                        .to_owned()
                })
                .collect();
            for m in &metrics {
                assert!(
                    table
                        .iter()
                        .any(|row| row.contains(&format!("`{m}`")) && row.contains(&name)),
                    "{name} reads {m}: the metrics table must list it for {name}"
                );
            }
        }
    }
    assert!(names.len() >= 5, "the rules were found: {names:?}");
    for wanted in [
        "PayoutFailed",
        "PayoutsStuck",
        "HostWalletBalanceLow",
        "IpnRejected",
        "TelegramDispatcherDown",
    ] {
        assert!(names.contains(wanted), "the rule {wanted} is missing");
    }

    // promtool: the rules are valid PromQL and behave as the unit tests say.
    let Some(promtool) = promtool() else {
        eprintln!(
            "promtool is not installed: the rules were only parsed (REQUIRE_PROMTOOL=1 demands it)"
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("telepay-alerts.yml"), &rules_text).unwrap();
    std::fs::write(
        dir.path().join("alerts.promtool.yml"),
        read("tests/it/alerts.promtool.yml"),
    )
    .unwrap();
    for args in [
        ["check", "rules", "telepay-alerts.yml"],
        ["test", "rules", "alerts.promtool.yml"],
    ] {
        let out = Command::new(&promtool)
            .args(args)
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "promtool {}: {}",
            args.join(" "),
            text(&out)
        );
    }
}
