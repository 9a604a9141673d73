//! The UI's languages: English, Italian and German, from Fluent resource files compiled into
//! the binary. The language comes from the `lang` cookie (the switch in the page), else from
//! the browser's `Accept-Language`, else English. Only what people read is translated; the
//! ledger keeps language-neutral values.

use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use fluent_langneg::{negotiate_languages, NegotiationStrategy};
use unic_langid::LanguageIdentifier;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    It,
    De,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::En, Lang::It, Lang::De];

    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::It => "it",
            Lang::De => "de",
        }
    }

    /// The language's own name, as the switch shows it.
    pub fn endonym(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::It => "Italiano",
            Lang::De => "Deutsch",
        }
    }

    pub fn from_tag(tag: &str) -> Option<Lang> {
        Lang::ALL.into_iter().find(|lang| lang.tag() == tag)
    }

    /// The cookie's choice when it names a language we have, else the best match of
    /// `Accept-Language`, else English.
    pub fn choose(cookie: Option<&str>, accept_language: Option<&str>) -> Lang {
        if let Some(lang) = cookie.and_then(Lang::from_tag) {
            return lang;
        }
        let requested = fluent_langneg::accepted_languages::parse(accept_language.unwrap_or(""));
        let available: Vec<LanguageIdentifier> = Lang::ALL
            .iter()
            .filter_map(|lang| lang.tag().parse().ok())
            .collect();
        let default: LanguageIdentifier = Lang::En.tag().parse().unwrap_or_default();
        let chosen = negotiate_languages(
            &requested,
            &available,
            Some(&default),
            NegotiationStrategy::Filtering,
        );
        chosen
            .first()
            .and_then(|id| Lang::from_tag(id.language.as_str()))
            .unwrap_or(Lang::En)
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// The Fluent resource files of each language, in `Lang::ALL` order: one file per area of the
/// UI, so that each area's words are kept together.
macro_rules! resources {
    ($($file:literal),* $(,)?) => {
        [
            [$(include_str!(concat!("../../locales/en/", $file))),*],
            [$(include_str!(concat!("../../locales/it/", $file))),*],
            [$(include_str!(concat!("../../locales/de/", $file))),*],
        ]
    };
}

const SOURCES: [[&str; FILES]; 3] = resources![
    "ui.ftl",
    "refusals.ftl",
    "auditor.ftl",
    "oversight.ftl",
    "templates.ftl",
    "materials.ftl",
    "users.ftl",
    "release.ftl"
];
const FILES: usize = 8;

struct Catalog {
    bundles: Vec<FluentBundle<FluentResource>>,
}

fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| Catalog {
        bundles: Lang::ALL.iter().map(|lang| bundle(*lang)).collect(),
    })
}

/// One language's bundle. The sources are compiled in and a unit test parses each of them, so
/// a syntax error cannot reach a running server; were one there, its messages would show
/// their ids instead.
fn bundle(lang: Lang) -> FluentBundle<FluentResource> {
    let id: LanguageIdentifier = lang.tag().parse().unwrap_or_default();
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // No Unicode isolation marks around arguments: the pages are HTML, not bidirectional text.
    bundle.set_use_isolating(false);
    for source in SOURCES[lang.index()] {
        let resource = match FluentResource::try_new(source.to_owned()) {
            Ok(resource) => resource,
            Err((resource, errors)) => {
                tracing::error!(lang = lang.tag(), ?errors, "a Fluent resource has errors");
                resource
            }
        };
        if let Err(errors) = bundle.add_resource(resource) {
            tracing::error!(lang = lang.tag(), ?errors, "duplicate Fluent messages");
        }
    }
    bundle
}

/// The translator a page renders with.
#[derive(Debug, Clone, Copy)]
pub struct Tr {
    pub lang: Lang,
}

impl Tr {
    pub fn new(lang: Lang) -> Self {
        Tr { lang }
    }

    /// The message `id`; its id itself when it has none (a test checks that none is missing).
    pub fn t(&self, id: &str) -> String {
        self.format(id, None)
    }

    /// The message `id` with one argument.
    pub fn t1(&self, id: &str, name: &str, value: &str) -> String {
        let mut args = FluentArgs::new();
        args.set(name, FluentValue::from(value.to_owned()));
        self.format(id, Some(&args))
    }

    /// The message for a refusal code, or the generic one for a code without its own.
    pub fn refusal(&self, code: &str) -> String {
        let id = format!("refusal-{code}");
        if self.has(&id) {
            self.t(&id)
        } else {
            self.t("refusal-generic")
        }
    }

    /// The notice a page shows after a write it redirected from (`?done=<word>`): the
    /// message `<prefix><word>`, if there is one; any other word shows nothing.
    pub fn notice(&self, prefix: &str, done: Option<&str>) -> Option<String> {
        let id = format!("{prefix}{}", done?);
        self.has(&id).then(|| self.t(&id))
    }

    /// A notice about one thing, e.g. `lot-done-released` with the lot's id as `{ $lot }`.
    pub fn notice_about(
        &self,
        prefix: &str,
        done: Option<&str>,
        (name, value): (&str, Option<&str>),
    ) -> Option<String> {
        let id = format!("{prefix}{}", done?);
        let value = value?;
        self.has(&id).then(|| self.t1(&id, name, value))
    }

    pub fn has(&self, id: &str) -> bool {
        catalog().bundles[self.lang.index()].has_message(id)
    }

    fn format(&self, id: &str, args: Option<&FluentArgs>) -> String {
        let bundle = &catalog().bundles[self.lang.index()];
        let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
            return id.to_owned();
        };
        let mut errors = vec![];
        let text = bundle.format_pattern(pattern, args, &mut errors);
        if !errors.is_empty() {
            tracing::warn!(id, ?errors, "a Fluent message did not format cleanly");
        }
        text.into_owned()
    }

    /// A decimal as this language writes it: `72,5` in Italian and German. The value itself is
    /// kept as entered, with a point.
    pub fn decimal(&self, text: &str) -> String {
        match self.lang {
            Lang::En => text.to_owned(),
            Lang::It | Lang::De => text.replace('.', ","),
        }
    }

    /// A decimal typed in this language, as the ledger keeps it (with a point).
    pub fn parse_decimal(&self, typed: &str) -> String {
        match self.lang {
            Lang::En => typed.trim().to_owned(),
            Lang::It | Lang::De => typed.trim().replace(',', "."),
        }
    }

    /// The `strftime` pattern of a date and time in this language.
    pub fn datetime_pattern(&self) -> &'static str {
        match self.lang {
            Lang::En => "%d %b %Y %H:%M",
            Lang::It => "%d/%m/%Y %H:%M",
            Lang::De => "%d.%m.%Y %H:%M",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(source: &str) -> Vec<String> {
        let resource = FluentResource::try_new(source.to_owned()).expect("parses");
        resource
            .entries()
            .filter_map(|entry| match entry {
                fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_owned()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn every_resource_parses_and_each_language_has_the_same_messages() {
        let [english_files, italian, german] = SOURCES;
        for (file, english_source) in english_files.iter().enumerate() {
            let mut english = ids(english_source);
            english.sort();
            for (lang, sources) in [(Lang::It, italian), (Lang::De, german)] {
                let mut theirs = ids(sources[file]);
                theirs.sort();
                let missing: Vec<_> = english.iter().filter(|id| !theirs.contains(id)).collect();
                let extra: Vec<_> = theirs.iter().filter(|id| !english.contains(id)).collect();
                assert!(
                    missing.is_empty() && extra.is_empty(),
                    "{}: missing {missing:?}, not in English {extra:?}",
                    lang.tag()
                );
            }
        }
    }

    #[test]
    fn every_refusal_code_has_its_message_in_every_language() {
        for lang in Lang::ALL {
            let tr = Tr::new(lang);
            let missing: Vec<_> = crate::web::refusal_codes::REFUSAL_CODES
                .iter()
                .filter(|code| !tr.has(&format!("refusal-{code}")))
                .collect();
            assert!(
                missing.is_empty(),
                "{}: no message for {missing:?}",
                lang.tag()
            );
        }
    }

    #[test]
    fn the_cookie_wins_then_accept_language_then_english() {
        assert_eq!(Lang::choose(Some("de"), Some("it-IT,it;q=0.9")), Lang::De);
        assert_eq!(
            Lang::choose(None, Some("it-IT,it;q=0.9,en;q=0.5")),
            Lang::It
        );
        assert_eq!(Lang::choose(None, Some("de-CH, fr;q=0.8")), Lang::De);
        assert_eq!(Lang::choose(Some("fr"), Some("fr-FR")), Lang::En);
        assert_eq!(Lang::choose(None, None), Lang::En);
    }

    #[test]
    fn messages_format_with_their_arguments_and_decimals_follow_the_language() {
        let it = Tr::new(Lang::It);
        assert_ne!(it.t("login-title"), "login-title");
        assert_eq!(it.decimal("72.5"), "72,5");
        assert_eq!(it.parse_decimal(" 72,5 "), "72.5");
        assert_eq!(
            Tr::new(Lang::En).refusal("no_such_code"),
            Tr::new(Lang::En).t("refusal-generic")
        );
    }
}
