//! Message lookup in the user's language (Fluent files under `locales/`, embedded at build).
//! Arguments are HTML-escaped because every message is sent with HTML parse mode.

use std::borrow::Cow;
use std::collections::HashMap;

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, langid, static_loader};

use crate::domain::lang::Lang;

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        // Fluent wraps placeables in invisible isolation marks by default; they would end up
        // inside amounts and addresses that users copy.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

static EN: LanguageIdentifier = langid!("en");
static RU: LanguageIdentifier = langid!("ru");
static ES: LanguageIdentifier = langid!("es");

fn langid(lang: Lang) -> &'static LanguageIdentifier {
    match lang {
        Lang::En => &EN,
        Lang::Ru => &RU,
        Lang::Es => &ES,
    }
}

/// One placeholder value.
#[derive(Debug, Clone)]
pub enum Arg {
    /// Text that may come from users: escaped for HTML.
    Text(String),
    /// Already-safe HTML (a link we built, a formatted amount).
    Html(String),
    Int(i64),
}

impl From<&str> for Arg {
    fn from(s: &str) -> Self {
        Arg::Text(s.to_owned())
    }
}

impl From<String> for Arg {
    fn from(s: String) -> Self {
        Arg::Text(s)
    }
}

impl From<i64> for Arg {
    fn from(n: i64) -> Self {
        Arg::Int(n)
    }
}

/// The message `key` in `lang`, falling back to English; the key itself if it is missing
/// everywhere (the locale test makes sure that never ships).
pub fn t(lang: Lang, key: &str) -> String {
    LOCALES
        .try_lookup(langid(lang), key)
        .unwrap_or_else(|| missing(key))
}

/// The message `key` with placeholders.
pub fn t_args(lang: Lang, key: &str, args: &[(&'static str, Arg)]) -> String {
    let map: HashMap<Cow<'static, str>, FluentValue<'static>> = args
        .iter()
        .map(|(name, arg)| {
            let v = match arg {
                Arg::Text(s) => FluentValue::from(teloxide::utils::html::escape(s)),
                Arg::Html(s) => FluentValue::from(s.clone()),
                Arg::Int(n) => FluentValue::from(*n),
            };
            (Cow::Borrowed(*name), v)
        })
        .collect();
    LOCALES
        .try_lookup_with_args(langid(lang), key, &map)
        .unwrap_or_else(|| missing(key))
}

fn missing(key: &str) -> String {
    tracing::error!(key, "message key missing from every locale");
    key.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};
    use std::path::Path;

    use fluent_syntax::ast;

    type Keys = BTreeMap<String, BTreeSet<String>>;

    fn collect_vars(p: &ast::Pattern<&str>, out: &mut BTreeSet<String>) {
        for el in &p.elements {
            if let ast::PatternElement::Placeable { expression } = el {
                collect_expr(expression, out);
            }
        }
    }

    fn collect_expr(e: &ast::Expression<&str>, out: &mut BTreeSet<String>) {
        match e {
            ast::Expression::Select { selector, variants } => {
                collect_inline(selector, out);
                for v in variants {
                    collect_vars(&v.value, out);
                }
            }
            ast::Expression::Inline(i) => collect_inline(i, out),
        }
    }

    fn collect_inline(i: &ast::InlineExpression<&str>, out: &mut BTreeSet<String>) {
        match i {
            ast::InlineExpression::VariableReference { id } => {
                out.insert(id.name.to_owned());
            }
            ast::InlineExpression::Placeable { expression } => collect_expr(expression, out),
            ast::InlineExpression::FunctionReference { arguments, .. } => {
                for p in &arguments.positional {
                    collect_inline(p, out);
                }
            }
            _ => {}
        }
    }

    /// Every message of one locale with the variables it uses.
    fn keys_of(lang: &str) -> Keys {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("locales")
            .join(lang);
        let mut keys = Keys::new();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().and_then(|e| e.to_str()) != Some("ftl") {
                continue;
            }
            let src = std::fs::read_to_string(&path).unwrap();
            let res = fluent_syntax::parser::parse(src.as_str())
                .unwrap_or_else(|(_, errs)| panic!("{} does not parse: {errs:?}", path.display()));
            for entry in &res.body {
                if let ast::Entry::Message(m) = entry {
                    let mut vars = BTreeSet::new();
                    if let Some(v) = &m.value {
                        collect_vars(v, &mut vars);
                    }
                    let prev = keys.insert(m.id.name.to_owned(), vars);
                    assert!(prev.is_none(), "{lang}: key {} defined twice", m.id.name);
                }
            }
        }
        keys
    }

    #[test]
    fn every_locale_has_every_key_with_the_same_placeholders() {
        let en = keys_of("en");
        assert!(!en.is_empty());
        for lang in ["ru", "es"] {
            let other = keys_of(lang);
            let missing: Vec<_> = en.keys().filter(|k| !other.contains_key(*k)).collect();
            let extra: Vec<_> = other.keys().filter(|k| !en.contains_key(*k)).collect();
            assert!(missing.is_empty(), "{lang} lacks {missing:?}");
            assert!(extra.is_empty(), "{lang} has keys English lacks: {extra:?}");
            for (key, vars) in &en {
                assert_eq!(vars, &other[key], "{lang}: placeholders of {key} differ");
            }
        }
    }

    #[test]
    fn every_key_resolves_in_every_language_without_isolation_marks() {
        for (key, vars) in keys_of("en") {
            let args: HashMap<Cow<'static, str>, FluentValue<'static>> = vars
                .into_iter()
                .map(|v| (Cow::Owned(v), FluentValue::from("x")))
                .collect();
            for lang in Lang::ALL {
                let text = LOCALES.try_lookup_with_args(langid(lang), &key, &args);
                let text = text.unwrap_or_else(|| panic!("{key} missing in {lang}"));
                assert!(!text.contains('\u{2068}') && !text.contains('\u{2069}'));
            }
        }
    }

    #[test]
    fn user_text_is_escaped_and_languages_differ() {
        let s = t_args(
            Lang::En,
            "start-welcome",
            &[("name", "<b>Eve</b> & co".into())],
        );
        assert!(s.contains("&lt;b&gt;Eve&lt;/b&gt; &amp; co"));
        let ru = t_args(Lang::Ru, "start-welcome", &[("name", "Ева".into())]);
        assert!(ru.starts_with("👋 Привет, Ева!"));
        assert_eq!(t(Lang::Es, "menu-help"), "❓ Ayuda");
    }
}
