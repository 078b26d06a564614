//! The knowledge base: guides per device model and case category, in easy-read Danish (and
//! English), public for citizens or internal for agents, and the agents' reply templates.
//!
//! An article's body is plain text in a small format that pages turn into safe markup (they
//! never insert the text as HTML): paragraphs separated by a blank line, numbered steps
//! (`1. Sæt manchetten på`) shown as an ordered list, and pictures on a line of their own as
//! `![what the picture shows](image:<id>)`. Search folds æ/ø/å the way citizen search does,
//! so "maler" finds "måler".

use super::case::Category;
use crate::error::{DomainError, ErrorCode};
use crate::identity::{Language, string_enum};
use crate::ids::{ImageId, ModelId};
use crate::text::fold;
use serde::{Deserialize, Serialize};

string_enum!(
    /// A guide is read by citizens or agents; a reply template is text an agent sends.
    ArticleKind {
        Guide = "guide",
        ReplyTemplate = "reply_template",
    }
);

string_enum!(
    /// Who may read an article: everyone signed in (public) or the service desk (internal).
    Audience {
        Public = "public",
        Internal = "internal",
    }
);

string_enum!(
    /// Only published articles are shown to readers; drafts and retired ones to the desk.
    ArticleStatus {
        Draft = "draft",
        Published = "published",
        Retired = "retired",
    }
);

/// The longest title, in characters: a title is read aloud by screen readers and shown in
/// lists, so it stays one line.
pub const TITLE_MAX: usize = 200;
/// The longest body, in characters. An easy-read guide is short; this only stops abuse.
pub const BODY_MAX: usize = 20_000;
/// The largest picture. A photo of a device for a phone screen needs far less; the limit
/// also keeps an image within the request body limit.
pub const IMAGE_MAX_BYTES: usize = 1024 * 1024;
/// The longest alternative text of a picture, in characters.
pub const ALT_MAX: usize = 300;
/// At most this many search words are used: each is one `LIKE` in the query.
pub const MAX_SEARCH_TERMS: usize = 8;

/// What an editor sends to create or change an article.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArticleInput {
    #[serde(default = "default_kind")]
    pub kind: ArticleKind,
    #[serde(default = "default_language")]
    pub language: Language,
    pub audience: Audience,
    #[serde(default)]
    pub category: Option<Category>,
    pub title: String,
    pub body: String,
    #[serde(default = "default_status")]
    pub status: ArticleStatus,
    /// The device models the article is about (replaced as a whole when saved).
    #[serde(default)]
    pub models: Vec<ModelId>,
}

fn default_kind() -> ArticleKind {
    ArticleKind::Guide
}
fn default_language() -> Language {
    Language::Danish
}
fn default_status() -> ArticleStatus {
    ArticleStatus::Draft
}

/// The first rule an article breaks, for a form to name in the user's language (`code`)
/// and for the API to explain (`message`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    TitleLength,
    TitleLines,
    BodyLength,
    ReplyTemplatePublic,
    GuideUnreachable,
    /// A picture line that is not `![text](image:<id>)`: its line number and what is wrong.
    Picture {
        line: usize,
        why: String,
    },
}

impl Problem {
    /// A stable name (`title_length`, …) for translations.
    pub fn code(&self) -> &'static str {
        match self {
            Problem::TitleLength => "title_length",
            Problem::TitleLines => "title_lines",
            Problem::BodyLength => "body_length",
            Problem::ReplyTemplatePublic => "reply_template_public",
            Problem::GuideUnreachable => "guide_unreachable",
            Problem::Picture { .. } => "picture",
        }
    }

    pub fn message(&self) -> String {
        match self {
            Problem::TitleLength => format!("the title must have 1 to {TITLE_MAX} characters"),
            Problem::TitleLines => "the title must be one line".into(),
            Problem::BodyLength => format!("the body must have 1 to {BODY_MAX} characters"),
            Problem::ReplyTemplatePublic => {
                "reply templates are for agents: the audience must be internal".into()
            }
            Problem::GuideUnreachable => {
                "a guide needs at least one device model or a category".into()
            }
            Problem::Picture { line, why } => format!("line {line}: {why}"),
        }
    }
}

impl From<Problem> for DomainError {
    fn from(p: Problem) -> Self {
        DomainError::invalid(p.message())
    }
}

impl ArticleInput {
    /// The first rule the article breaks, if any.
    pub fn problem(&self) -> Option<Problem> {
        let title = self.title.trim();
        let title_len = title.chars().count();
        if title_len == 0 || title_len > TITLE_MAX {
            return Some(Problem::TitleLength);
        }
        if title.chars().any(char::is_control) {
            return Some(Problem::TitleLines);
        }
        let body_len = self.body.trim().chars().count();
        if body_len == 0 || body_len > BODY_MAX {
            return Some(Problem::BodyLength);
        }
        // An agent's reply must never be shown to citizens as if it were a guide.
        if self.kind == ArticleKind::ReplyTemplate && self.audience != Audience::Internal {
            return Some(Problem::ReplyTemplatePublic);
        }
        // A guide nobody can reach is lost: the caller screen and the citizen's help page
        // find guides by the citizen's models, the desk by the case's category.
        if self.kind == ArticleKind::Guide && self.models.is_empty() && self.category.is_none() {
            return Some(Problem::GuideUnreachable);
        }
        body_problem(&self.body)
    }

    /// Checks the rules an article must keep; the message names what to fix.
    pub fn validate(&self) -> Result<(), DomainError> {
        match self.problem() {
            Some(p) => Err(p.into()),
            None => Ok(()),
        }
    }

    /// The models once each, in the order given.
    pub fn unique_models(&self) -> Vec<ModelId> {
        let mut out: Vec<ModelId> = Vec::with_capacity(self.models.len());
        for m in &self.models {
            if !out.contains(m) {
                out.push(*m);
            }
        }
        out
    }
}

/// Whether everyone signed in (citizens, every member of staff) may read an article:
/// a published public guide. Everything else is the service desk's.
pub fn readable_by_all(kind: ArticleKind, audience: Audience, status: ArticleStatus) -> bool {
    kind == ArticleKind::Guide && audience == Audience::Public && status == ArticleStatus::Published
}

// ---------------------------------------------------------------------------------------
// The body format.

/// One block of an article's body, for a page to render.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Block {
    /// Lines of text; the author's line breaks are kept (easy-read puts one sentence on a
    /// line).
    Paragraph {
        lines: Vec<String>,
    },
    /// Numbered steps. `start` is the number the author gave the first one, so steps go on
    /// counting after a picture between them.
    Steps {
        start: u32,
        items: Vec<String>,
    },
    Picture {
        image: ImageId,
        alt: String,
    },
}

/// A numbered step: "3. Tryk på START" or "3) Tryk på START" → (3, "Tryk på START").
fn step(line: &str) -> Option<(u32, &str)> {
    let t = line.trim_start();
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 3 {
        return None;
    }
    let rest = &t[digits..];
    let rest = rest.strip_prefix('.').or_else(|| rest.strip_prefix(')'))?;
    if !rest.starts_with([' ', '\t']) {
        return None;
    }
    let text = rest.trim();
    if text.is_empty() {
        return None;
    }
    Some((t[..digits].parse().ok()?, text))
}

/// What a picture line holds, or why it is not one. `None`: the line is not meant as a
/// picture (it does not start with `![`).
fn picture(line: &str) -> Option<Result<(ImageId, String), String>> {
    let inner = line.trim().strip_prefix("![")?;
    Some(picture_parts(inner))
}

/// The alternative text and image of a picture line after its `![`.
fn picture_parts(inner: &str) -> Result<(ImageId, String), String> {
    let (alt, rest) = inner
        .split_once("](")
        .ok_or("write a picture as ![what it shows](image:<id>)")?;
    let target = rest
        .strip_suffix(')')
        .ok_or("a picture ends with ')' and stands on its own line")?;
    let id = target
        .trim()
        .strip_prefix("image:")
        .ok_or("a picture points to image:<id>, a picture uploaded to this article")?;
    let image: ImageId = id
        .trim()
        .parse()
        .map_err(|_| format!("'{id}' is not a picture id"))?;
    let alt = alt.trim();
    if alt.is_empty() {
        return Err("a picture needs a text saying what it shows".into());
    }
    Ok((image, alt.to_string()))
}

/// The body as blocks. Never fails: a line that breaks the rules (which [`check_body`]
/// refuses when saving) is shown as text.
pub fn parse_body(body: &str) -> Vec<Block> {
    let mut blocks: Vec<Block> = Vec::new();
    // The block being built: consecutive lines of one kind.
    let mut lines: Vec<String> = Vec::new();
    let mut steps: Option<(u32, Vec<String>)> = None;

    fn flush(
        blocks: &mut Vec<Block>,
        lines: &mut Vec<String>,
        steps: &mut Option<(u32, Vec<String>)>,
    ) {
        if !lines.is_empty() {
            blocks.push(Block::Paragraph {
                lines: std::mem::take(lines),
            });
        }
        if let Some((start, items)) = steps.take() {
            blocks.push(Block::Steps { start, items });
        }
    }

    for raw in body.lines() {
        let line = raw.trim_end();
        if line.trim().is_empty() {
            flush(&mut blocks, &mut lines, &mut steps);
            continue;
        }
        if let Some(Ok((image, alt))) = picture(line) {
            flush(&mut blocks, &mut lines, &mut steps);
            blocks.push(Block::Picture { image, alt });
            continue;
        }
        if let Some((n, text)) = step(line) {
            if !lines.is_empty() {
                flush(&mut blocks, &mut lines, &mut steps);
            }
            match &mut steps {
                Some((_, items)) => items.push(text.to_string()),
                None => steps = Some((n, vec![text.to_string()])),
            }
            continue;
        }
        // An indented line goes on with the step above it; anything else ends the steps.
        if let Some((_, items)) = &mut steps
            && raw.starts_with([' ', '\t'])
            && let Some(last) = items.last_mut()
        {
            last.push(' ');
            last.push_str(line.trim());
            continue;
        }
        if steps.is_some() {
            flush(&mut blocks, &mut lines, &mut steps);
        }
        lines.push(line.trim().to_string());
    }
    flush(&mut blocks, &mut lines, &mut steps);
    blocks
}

/// The first malformed picture line of a body.
fn body_problem(body: &str) -> Option<Problem> {
    for (i, line) in body.lines().enumerate() {
        let why = match picture(line) {
            Some(Err(why)) => why,
            Some(Ok((_, alt))) if alt.chars().count() > ALT_MAX => {
                format!("a picture's text has at most {ALT_MAX} characters")
            }
            _ => continue,
        };
        return Some(Problem::Picture { line: i + 1, why });
    }
    None
}

/// Refuses a body with a malformed picture line, naming the line.
pub fn check_body(body: &str) -> Result<(), DomainError> {
    match body_problem(body) {
        Some(p) => Err(p.into()),
        None => Ok(()),
    }
}

/// The pictures a body shows, once each, in order.
pub fn picture_refs(body: &str) -> Vec<ImageId> {
    let mut out = Vec::new();
    for line in body.lines() {
        if let Some(Ok((id, _))) = picture(line)
            && !out.contains(&id)
        {
            out.push(id);
        }
    }
    out
}

/// The line that shows a picture, for an editor to paste into the body.
pub fn picture_line(image: ImageId, alt: &str) -> String {
    format!(
        "![{}](image:{image})",
        alt.trim().replace([']', '\n', '\r'], " ")
    )
}

/// A short plain-text start of the body for lists: the first paragraph or step, cut at a
/// word within `max` characters.
pub fn excerpt(body: &str, max: usize) -> String {
    let first = parse_body(body).into_iter().find_map(|b| match b {
        Block::Paragraph { lines } => Some(lines.join(" ")),
        Block::Steps { items, .. } => items.into_iter().next(),
        Block::Picture { .. } => None,
    });
    let text = first.unwrap_or_default();
    if text.chars().count() <= max {
        return text;
    }
    let cut: String = text.chars().take(max).collect();
    let cut = match cut.rfind(' ') {
        Some(i) if i > 0 => &cut[..i],
        _ => &cut[..],
    };
    format!("{}…", cut.trim_end_matches([',', '.', ';', ':']))
}

// ---------------------------------------------------------------------------------------
// Search.

/// What is stored to search an article by: the folded title and body, with each picture's
/// text instead of its line (so a picture's id is never a hit, and its description is).
pub fn search_text(title: &str, body: &str) -> String {
    let mut text = String::with_capacity(title.len() + body.len() + 1);
    text.push_str(title);
    for line in body.lines() {
        text.push('\n');
        match picture(line) {
            Some(Ok((_, alt))) => text.push_str(&alt),
            _ => text.push_str(line),
        }
    }
    fold(&text)
}

/// The words of a search, folded like [`search_text`] ("Måler" → "maler", "SØREN" →
/// "soren"), once each, at most [`MAX_SEARCH_TERMS`]. Every word must occur in an article
/// for it to be found. Folding leaves only letters, digits and spaces, so a term can go into
/// a `LIKE` pattern as it is.
pub fn search_terms(query: &str) -> Vec<String> {
    let mut terms: Vec<String> = Vec::new();
    for w in fold(query).split(' ').filter(|w| !w.is_empty()) {
        if !terms.iter().any(|t| t == w) {
            terms.push(w.to_string());
        }
        if terms.len() == MAX_SEARCH_TERMS {
            break;
        }
    }
    terms
}

/// Whether folded text holds every term (to rank hits in the title first).
pub fn contains_all(folded: &str, terms: &[String]) -> bool {
    terms.iter().all(|t| folded.contains(t.as_str()))
}

// ---------------------------------------------------------------------------------------
// Pictures.

/// The picture formats accepted, by what their first bytes say. SVG is not among them: it
/// can carry script, and a picture is served to citizens.
pub fn sniff_image(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

/// Checks a picture before it is stored and answers with the content type to store (the
/// one its bytes prove). The declared type must agree with the bytes, so a mislabelled
/// file is caught where it is uploaded rather than shown broken.
pub fn check_image(
    content_type: &str,
    alt: &str,
    bytes: &[u8],
) -> Result<&'static str, DomainError> {
    let alt = alt.trim();
    if alt.is_empty() {
        return Err(DomainError::invalid(
            "a picture needs a text saying what it shows (alt), for those who cannot see it",
        ));
    }
    if alt.chars().count() > ALT_MAX || alt.chars().any(char::is_control) {
        return Err(DomainError::invalid(format!(
            "a picture's text is one line of at most {ALT_MAX} characters"
        )));
    }
    if bytes.is_empty() {
        return Err(DomainError::invalid("the picture is empty"));
    }
    if bytes.len() > IMAGE_MAX_BYTES {
        return Err(DomainError::new(
            ErrorCode::PayloadTooLarge,
            format!("a picture may be at most {} KiB", IMAGE_MAX_BYTES / 1024),
        ));
    }
    let Some(sniffed) = sniff_image(bytes) else {
        return Err(DomainError::new(
            ErrorCode::UnsupportedMediaType,
            "a picture must be PNG, JPEG or WebP",
        ));
    };
    let declared = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let declared = if declared == "image/jpg" {
        "image/jpeg".to_string()
    } else {
        declared
    };
    if declared != sniffed {
        return Err(DomainError::new(
            ErrorCode::UnsupportedMediaType,
            format!("the file is {sniffed}, not '{declared}'"),
        ));
    }
    Ok(sniffed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guide(body: &str) -> ArticleInput {
        ArticleInput {
            kind: ArticleKind::Guide,
            language: Language::Danish,
            audience: Audience::Public,
            category: Some(Category::MeasurementHelp),
            title: "Sådan måler du dit blodtryk".into(),
            body: body.into(),
            status: ArticleStatus::Published,
            models: vec![],
        }
    }

    const PNG: &[u8] = &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];

    #[test]
    fn titles_and_bodies_have_limits() {
        assert!(guide("Sid stille.").validate().is_ok());
        let mut a = guide("Sid stille.");
        a.title = "   ".into();
        assert!(a.validate().is_err());
        a.title = "x".repeat(TITLE_MAX);
        assert!(a.validate().is_ok());
        a.title = "ø".repeat(TITLE_MAX + 1);
        assert!(a.validate().is_err(), "characters, not bytes, are counted");
        a.title = "To\nlinjer".into();
        assert!(a.validate().is_err());
        let mut b = guide(" \n ");
        assert!(b.validate().is_err());
        b.body = "å".repeat(BODY_MAX);
        assert!(b.validate().is_ok());
        b.body.push('x');
        assert_eq!(b.validate().unwrap_err().code, ErrorCode::InvalidInput);
    }

    #[test]
    fn reply_templates_are_internal_and_guides_are_findable() {
        let mut t = guide("Vi sender en ny måler.");
        t.kind = ArticleKind::ReplyTemplate;
        assert_eq!(t.problem(), Some(Problem::ReplyTemplatePublic));
        assert_eq!(t.problem().unwrap().code(), "reply_template_public");
        let err = t.validate().unwrap_err();
        assert!(err.message.contains("internal"), "{err:?}");
        t.audience = Audience::Internal;
        assert!(t.validate().is_ok());
        // A reply template needs no model or category.
        t.category = None;
        assert!(t.validate().is_ok());

        let mut g = guide("Tænd for måleren.");
        g.category = None;
        assert_eq!(g.problem(), Some(Problem::GuideUnreachable));
        assert!(g.validate().unwrap_err().message.contains("model"));
        g.models = vec![ModelId::new()];
        assert!(g.validate().is_ok());
    }

    #[test]
    fn the_input_reads_from_json_with_defaults() {
        let a: ArticleInput = serde_json::from_str(
            r#"{"audience":"public","title":"T","body":"B","category":"equipment_fault"}"#,
        )
        .unwrap();
        assert_eq!(a.kind, ArticleKind::Guide);
        assert_eq!(a.language, Language::Danish);
        assert_eq!(a.status, ArticleStatus::Draft);
        assert_eq!(a.category, Some(Category::EquipmentFault));
        assert!(
            serde_json::from_str::<ArticleInput>(r#"{"audience":"secret","title":"T","body":"B"}"#)
                .is_err()
        );
        assert!(
            serde_json::from_str::<ArticleInput>(
                r#"{"audience":"public","title":"T","body":"B","html":"<b>"}"#
            )
            .is_err()
        );
        let m = ModelId::new();
        let dup = ArticleInput {
            models: vec![m, m],
            ..a
        };
        assert_eq!(dup.unique_models(), vec![m]);
    }

    #[test]
    fn only_published_public_guides_are_for_everyone() {
        use ArticleKind::*;
        use ArticleStatus::*;
        use Audience::*;
        assert!(readable_by_all(Guide, Public, Published));
        for (k, a, s) in [
            (Guide, Public, Draft),
            (Guide, Public, Retired),
            (Guide, Internal, Published),
            (ReplyTemplate, Public, Published),
            (ReplyTemplate, Internal, Published),
        ] {
            assert!(!readable_by_all(k, a, s), "{k} {a} {s}");
        }
    }

    #[test]
    fn a_body_becomes_paragraphs_steps_and_pictures() {
        let pic = ImageId::new();
        let body = format!(
            "Du skal bruge måleren og manchetten.\nSid stille i 5 minutter.\n\n\
             1. Sæt manchetten på venstre arm.\n\
             2. Tryk på START.\n   Vent til den bipper.\n\
             ![Manchetten sidder 2 cm over albuen]( image:{pic} )\n\
             3. Skriv tallene ned.\n\n\
             Ring til os, hvis det ikke virker."
        );
        let blocks = parse_body(&body);
        assert_eq!(
            blocks,
            vec![
                Block::Paragraph {
                    lines: vec![
                        "Du skal bruge måleren og manchetten.".into(),
                        "Sid stille i 5 minutter.".into()
                    ]
                },
                Block::Steps {
                    start: 1,
                    items: vec![
                        "Sæt manchetten på venstre arm.".into(),
                        "Tryk på START. Vent til den bipper.".into()
                    ]
                },
                Block::Picture {
                    image: pic,
                    alt: "Manchetten sidder 2 cm over albuen".into()
                },
                Block::Steps {
                    start: 3,
                    items: vec!["Skriv tallene ned.".into()]
                },
                Block::Paragraph {
                    lines: vec!["Ring til os, hvis det ikke virker.".into()]
                },
            ]
        );
        assert_eq!(picture_refs(&body), vec![pic]);
        assert!(check_body(&body).is_ok());
    }

    #[test]
    fn steps_need_a_number_a_mark_and_text() {
        assert_eq!(step("1. Tænd"), Some((1, "Tænd")));
        assert_eq!(step("  12) Sluk"), Some((12, "Sluk")));
        assert_eq!(step("1.Tænd"), None);
        assert_eq!(step("1. "), None);
        assert_eq!(step("1234. For stort"), None);
        assert_eq!(step("Trin 1. Tænd"), None);
        // A paragraph line after steps, not indented, ends the steps.
        let blocks = parse_body("1. Tænd\nDerefter venter du.");
        assert_eq!(blocks.len(), 2);
        assert!(matches!(&blocks[1], Block::Paragraph { .. }));
    }

    #[test]
    fn markup_is_kept_as_text_and_bad_pictures_are_refused() {
        // The body is never HTML: pages escape what the blocks hold.
        let blocks = parse_body("<script>alert(1)</script>");
        assert_eq!(
            blocks,
            vec![Block::Paragraph {
                lines: vec!["<script>alert(1)</script>".into()]
            }]
        );
        for bad in [
            "![](image:0190a6f1-0000-7000-8000-000000000001)",
            "![Billede](https://example.com/x.png)",
            "![Billede](image:nope)",
            "![Billede](image:0190a6f1-0000-7000-8000-000000000001",
            "![Billede]",
        ] {
            let err = check_body(&format!("Tekst\n{bad}")).unwrap_err();
            assert!(err.message.starts_with("line 2:"), "{bad}: {err:?}");
            // Shown as text, never dropped silently.
            assert!(
                parse_body(bad)
                    .iter()
                    .all(|b| matches!(b, Block::Paragraph { .. }))
            );
        }
        let long = format!(
            "![{}](image:0190a6f1-0000-7000-8000-000000000001)",
            "a".repeat(ALT_MAX + 1)
        );
        assert!(check_body(&long).is_err());
        assert_eq!(
            picture_line(ImageId(uuid::Uuid::nil()), " Knap ] \n "),
            "![Knap  ](image:00000000-0000-0000-0000-000000000000)"
        );
    }

    #[test]
    fn search_folds_danish_letters_and_skips_picture_ids() {
        assert_eq!(search_terms("Måler"), vec!["maler"]);
        assert_eq!(search_terms("SØREN søren Soren"), vec!["soren"]);
        assert_eq!(
            search_terms("  blodtryk, måler!  "),
            vec!["blodtryk", "maler"]
        );
        assert_eq!(
            search_terms("100% _"),
            vec!["100"],
            "no LIKE wildcard survives"
        );
        assert!(search_terms(" ,. ").is_empty());
        assert_eq!(search_terms("a b c d e f g h i j").len(), MAX_SEARCH_TERMS);

        let pic = ImageId::new();
        let text = search_text(
            "Blodtryksmåleren sender ikke data",
            &format!("Tjek Bluetooth.\n![Tænd/sluk-knappen på tabletten](image:{pic})"),
        );
        assert!(contains_all(&text, &search_terms("maler data")));
        assert!(contains_all(&text, &search_terms("TABLETTEN taend")));
        assert!(!text.contains(&pic.to_string()[..8]));
        assert!(!contains_all(&text, &search_terms("vægt")));
    }

    #[test]
    fn excerpts_are_short_and_plain() {
        assert_eq!(excerpt("Kort tekst.\n\n2. trin", 80), "Kort tekst.");
        assert_eq!(excerpt("1. Tænd måleren.\n2. Vent.", 80), "Tænd måleren.");
        assert_eq!(
            excerpt("Manchetten skal sidde tæt, men ikke for stramt.", 25),
            "Manchetten skal sidde…"
        );
        assert_eq!(excerpt("", 10), "");
    }

    #[test]
    fn pictures_are_checked_by_their_bytes() {
        assert_eq!(check_image("image/png", "Måleren", PNG), Ok("image/png"));
        let jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10];
        assert_eq!(check_image("image/jpg", "Måleren", &jpeg), Ok("image/jpeg"));
        let webp = b"RIFF\x1a\0\0\0WEBPVP8 ";
        assert_eq!(
            check_image("image/webp; x=y", "Måleren", webp),
            Ok("image/webp")
        );

        let code =
            |ct: &str, alt: &str, bytes: &[u8]| check_image(ct, alt, bytes).unwrap_err().code;
        assert_eq!(code("image/png", "  ", PNG), ErrorCode::InvalidInput);
        assert_eq!(code("image/png", "a\nb", PNG), ErrorCode::InvalidInput);
        assert_eq!(code("image/png", "Måleren", &[]), ErrorCode::InvalidInput);
        assert_eq!(
            code("image/jpeg", "Måleren", PNG),
            ErrorCode::UnsupportedMediaType
        );
        let svg = br#"<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>"#;
        assert_eq!(
            code("image/svg+xml", "Logo", svg),
            ErrorCode::UnsupportedMediaType
        );
        assert_eq!(
            code("image/png", "Tekst", b"GIF89a......"),
            ErrorCode::UnsupportedMediaType
        );
        let mut big = PNG.to_vec();
        big.resize(IMAGE_MAX_BYTES + 1, 0);
        assert_eq!(code("image/png", "Stor", &big), ErrorCode::PayloadTooLarge);
        big.truncate(IMAGE_MAX_BYTES);
        assert!(check_image("image/png", "Præcis 1 MiB", &big).is_ok());
    }
}
