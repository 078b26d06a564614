//! Translations: Fluent files for Danish (first) and English, loaded once into thread-safe
//! bundles. `t(lang, key)` looks a message up; a missing key shows the key itself (and the
//! unit tests below make sure none is missing).

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};
use std::sync::LazyLock;
use telesund_core::identity::Language;

/// One file per part of the interface and language, read as one.
const DA: &str = concat!(
    include_str!("../i18n/da.ftl"),
    "\n",
    include_str!("../i18n/monitoring.da.ftl"),
    "\n",
    include_str!("../i18n/equipment.da.ftl"),
    "\n",
    include_str!("../i18n/portal-monitoring.da.ftl"),
    "\n",
    include_str!("../i18n/citizen-equipment.da.ftl"),
    "\n",
    include_str!("../i18n/servicedesk.da.ftl"),
    "\n",
    include_str!("../i18n/servicedesk-kb.da.ftl"),
    "\n",
    include_str!("../i18n/servicedesk-reports.da.ftl"),
);
const EN: &str = concat!(
    include_str!("../i18n/en.ftl"),
    "\n",
    include_str!("../i18n/monitoring.en.ftl"),
    "\n",
    include_str!("../i18n/equipment.en.ftl"),
    "\n",
    include_str!("../i18n/portal-monitoring.en.ftl"),
    "\n",
    include_str!("../i18n/citizen-equipment.en.ftl"),
    "\n",
    include_str!("../i18n/servicedesk.en.ftl"),
    "\n",
    include_str!("../i18n/servicedesk-kb.en.ftl"),
    "\n",
    include_str!("../i18n/servicedesk-reports.en.ftl"),
);

fn bundle(locale: &str, source: &str) -> FluentBundle<FluentResource> {
    let lang: unic_langid::LanguageIdentifier = locale.parse().expect("a valid locale");
    let mut b = FluentBundle::new_concurrent(vec![lang]);
    b.set_use_isolating(false);
    let res = FluentResource::try_new(source.to_string())
        .unwrap_or_else(|(_, e)| panic!("{locale}.ftl does not parse: {e:?}"));
    b.add_resource(res)
        .unwrap_or_else(|e| panic!("{locale}.ftl has duplicate messages: {e:?}"));
    b
}

static DANISH: LazyLock<FluentBundle<FluentResource>> = LazyLock::new(|| bundle("da", DA));
static ENGLISH: LazyLock<FluentBundle<FluentResource>> = LazyLock::new(|| bundle("en", EN));

fn bundle_for(lang: Language) -> &'static FluentBundle<FluentResource> {
    match lang {
        Language::Danish => &DANISH,
        Language::English => &ENGLISH,
    }
}

fn format(lang: Language, key: &str, args: Option<&FluentArgs>) -> String {
    let b = bundle_for(lang);
    let Some(pattern) = b.get_message(key).and_then(|m| m.value()) else {
        tracing::warn!(key, "missing translation");
        return key.to_string();
    };
    let mut errors = Vec::new();
    b.format_pattern(pattern, args, &mut errors).into_owned()
}

/// The message `key` in `lang`.
pub fn t(lang: Language, key: &str) -> String {
    format(lang, key, None)
}

/// The message `key` with named arguments.
pub fn t_args(lang: Language, key: &str, args: &[(&str, &str)]) -> String {
    let mut a = FluentArgs::new();
    for (k, v) in args {
        a.set(*k, v.to_string());
    }
    format(lang, key, Some(&a))
}

/// A translation of a value from a closed set (roles, organisation kinds ...), keyed
/// `prefix-value` with `_` turned into `-`; an unknown value is shown as it is.
pub fn label(lang: Language, prefix: &str, value: &str) -> String {
    let key = format!("{prefix}-{}", value.replace('_', "-"));
    if bundle_for(lang).has_message(&key) {
        t(lang, &key)
    } else {
        value.to_string()
    }
}

/// The language a code names (`da`, `en`), if any.
pub fn parse_lang(s: &str) -> Option<Language> {
    Language::parse(s.trim()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn keys(source: &str) -> BTreeSet<String> {
        source
            .lines()
            .filter(|l| l.starts_with(|c: char| c.is_ascii_lowercase()))
            .filter_map(|l| l.split_once('=').map(|(k, _)| k.trim().to_string()))
            .collect()
    }

    #[test]
    fn both_languages_have_the_same_keys() {
        let da = keys(DA);
        let en = keys(EN);
        assert!(da.len() > 50, "da.ftl has {} keys", da.len());
        let only_da: Vec<_> = da.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&da).collect();
        assert!(only_da.is_empty(), "missing in en.ftl: {only_da:?}");
        assert!(only_en.is_empty(), "missing in da.ftl: {only_en:?}");
        // Both parse, with no duplicate message.
        assert_eq!(t(Language::Danish, "login-title"), "Log ind");
        assert_eq!(t(Language::English, "login-title"), "Sign in");
    }

    /// The key of every `t(...)`/`t1(...)` call: the first string literal in its arguments.
    fn used_keys(text: &str) -> Vec<String> {
        let bytes = text.as_bytes();
        let mut out = Vec::new();
        for (i, _) in text.match_indices('t') {
            let rest = &text[i..];
            let open = if rest.starts_with("t(") {
                2
            } else if rest.starts_with("t1(") {
                3
            } else {
                continue;
            };
            if i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_') {
                continue;
            }
            let args = &rest[open..];
            let args = &args[..args.find(')').unwrap_or(args.len())];
            if let Some(start) = args.find('"') {
                let lit = &args[start + 1..];
                if let Some(end) = lit.find('"') {
                    out.push(lit[..end].to_string());
                }
            }
        }
        out
    }

    #[test]
    fn every_key_used_exists() {
        let da = keys(DA);
        // Every template and source file, in every folder below them.
        let mut pending = vec![
            std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/templates")),
            std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/src")),
        ];
        let mut used = 0;
        while let Some(dir) = pending.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    pending.push(path);
                    continue;
                }
                if path.file_name().is_some_and(|n| n == "i18n.rs") {
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                for key in used_keys(&text) {
                    used += 1;
                    assert!(
                        da.contains(&key),
                        "{} uses '{key}', which da.ftl lacks",
                        path.display()
                    );
                }
            }
        }
        assert!(used > 100, "only {used} keys found; is the scanner broken?");
        assert_eq!(
            used_keys(r#"{{ page.t("a-b") }} t1("c-d", "x", y) tt("no") t(lang, "e-f")"#),
            ["a-b", "c-d", "e-f"]
        );
    }

    #[test]
    fn closed_sets_are_translated() {
        use telesund_core::care::{ConsentStatus, ConsentType, EnrolmentStatus, TeamScope};
        use telesund_core::identity::{OrgKind, Role};
        let da = keys(DA);
        let mut want: Vec<String> = Vec::new();
        want.extend(Role::ALL.iter().map(|r| format!("role-{}", r.as_str())));
        want.extend(
            OrgKind::ALL
                .iter()
                .map(|r| format!("orgkind-{}", r.as_str())),
        );
        want.extend(
            ConsentType::ALL
                .iter()
                .map(|r| format!("consent-{}", r.as_str())),
        );
        want.extend(
            ConsentStatus::ALL
                .iter()
                .map(|r| format!("consentstatus-{}", r.as_str())),
        );
        want.extend(
            EnrolmentStatus::ALL
                .iter()
                .map(|r| format!("enrolment-{}", r.as_str())),
        );
        want.extend(
            TeamScope::ALL
                .iter()
                .map(|r| format!("scope-{}", r.as_str())),
        );
        want.extend(
            telesund_core::access::DataCategory::ALL
                .iter()
                .map(|r| format!("category-{}", r.as_str())),
        );
        want.extend(
            crate::admin::AUDIT_ACTIONS
                .iter()
                .map(|a| format!("action-{}", a.as_str())),
        );
        for p in [
            "treatment",
            "support",
            "self-service",
            "administration",
            "operations",
            "authentication",
        ] {
            want.push(format!("purpose-{p}"));
        }
        {
            use telesund_core::servicedesk::case::{
                CaseStatus, Category, Channel, Priority, RequesterKind,
            };
            want.extend(Category::ALL.iter().map(|c| format!("sd-category-{c}")));
            want.extend(CaseStatus::ALL.iter().map(|c| format!("sd-status-{c}")));
            want.extend(Priority::ALL.iter().map(|c| format!("sd-priority-{c}")));
            want.extend(Channel::ALL.iter().map(|c| format!("sd-channel-{c}")));
            want.extend(
                RequesterKind::ALL
                    .iter()
                    .map(|c| format!("sd-requester-{c}")),
            );
        }
        for k in want {
            let k = k.replace('_', "-");
            assert!(da.contains(&k), "da.ftl lacks {k}");
        }
        assert_eq!(label(Language::English, "role", "clinician"), "Clinician");
        assert_eq!(label(Language::Danish, "role", "nope"), "nope");
    }
}
