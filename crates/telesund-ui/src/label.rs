//! QR code labels for equipment units, as SVG, for the staff to print and stick on a device.
//!
//! The QR code holds the unit's GS1 element string (e.g. "(01)05712345000015(21)SN-42"), which
//! the staff portal's scan field parses back. Output is plain SVG with presentation attributes
//! only (no script, no style, no external reference), so it can be inlined under the
//! Content-Security-Policy or served as a file for a label printer.

use qrcodegen::{QrCode, QrCodeEcc, QrSegment, Version};
use std::fmt::Write as _;

/// The quiet zone around the code, in modules: 4 is the minimum ISO/IEC 18004 asks for.
const QUIET: i32 = 4;

/// The label size, in mm: 62 mm × 29 mm is the common continuous-roll label-printer size.
const LABEL_W: u32 = 62;
const LABEL_H: u32 = 29;

/// An SVG QR code of `text` (error correction level M, 4-module quiet zone), `size_mm` wide,
/// drawn as one <path> of dark modules (fast to render, small), with shape-rendering="crispEdges".
///
/// # Panics
/// If `text` does not fit in a QR code at level M (over 2331 bytes); a GS1 element string of
/// a GTIN and a serial number is under 50.
pub fn qr_svg(text: &str, size_mm: u32) -> String {
    let qr = encode(text);
    let n = qr.size() + 2 * QUIET;
    // The white background makes the quiet zone real even when the SVG sits on a coloured page.
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{size_mm}mm" height="{size_mm}mm" viewBox="0 0 {n} {n}"><rect width="{n}" height="{n}" fill="#fff"/><path d="{d}" fill="#000" shape-rendering="crispEdges"/></svg>"##,
        d = modules_path(&qr),
    )
}

/// A printable label (62 mm × 29 mm, the common label-printer size): the QR code on the left,
/// and to the right, in text: `title` (e.g. "A&D UA-651BLE"), "SN <serial>", and the GS1 human
/// readable `element_string` in small type. All text XML-escaped.
///
/// The QR code encodes `element_string`. Panics as [`qr_svg`] does.
pub fn unit_label_svg(title: &str, serial: &str, element_string: &str) -> String {
    let qr = encode(element_string);
    let n = qr.size() + 2 * QUIET;
    // User units are millimetres. The QR code (its quiet zone included) fills the label's
    // height on the left.
    let mut svg = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{LABEL_W}mm" height="{LABEL_H}mm" viewBox="0 0 {LABEL_W} {LABEL_H}"><rect width="{LABEL_W}" height="{LABEL_H}" fill="#fff"/><svg x="0" y="0" width="{LABEL_H}" height="{LABEL_H}" viewBox="0 0 {n} {n}"><path d="{d}" fill="#000" shape-rendering="crispEdges"/></svg>"##,
        d = modules_path(&qr),
    );
    text(&mut svg, 9, &BOLD, 3.6, title);
    text(&mut svg, 15, &MONO, 3.0, &format!("SN {serial}"));
    text(&mut svg, 25, &MONO, 2.2, element_string);
    svg.push_str("</svg>");
    svg
}

/// Encodes at exactly level M: the level is not boosted, so the code is what the label spec
/// says and the same text always gives the same symbol.
fn encode(text: &str) -> QrCode {
    let segments = QrSegment::make_segments(text);
    QrCode::encode_segments_advanced(
        &segments,
        QrCodeEcc::Medium,
        Version::MIN,
        Version::MAX,
        None,
        false,
    )
    .expect("text too long for a QR code at level M")
}

/// The dark modules as path data, one `M x y h n v1 h-n z` rectangle per horizontal run of
/// dark modules in a row, offset by the quiet zone. Runs keep the path a few times smaller
/// than a square per module and let a test recover every module exactly.
fn modules_path(qr: &QrCode) -> String {
    let size = qr.size();
    let mut d = String::new();
    for y in 0..size {
        let mut x = 0;
        while x < size {
            if !qr.get_module(x, y) {
                x += 1;
                continue;
            }
            let start = x;
            while x < size && qr.get_module(x, y) {
                x += 1;
            }
            let run = x - start;
            let _ = write!(d, "M{} {}h{run}v1h-{run}z", start + QUIET, y + QUIET);
        }
    }
    d
}

/// A face for label text: family, weight, and a generous average glyph advance in em, used
/// to shrink a line that would not fit (DejaVu Sans Bold is about 0.7, monospace faces 0.6).
struct Face(&'static str, &'static str, f64);
const BOLD: Face = Face("sans-serif", "bold", 0.75);
// Monospace for the serial and the element string, so 0/O and 1/l are told apart.
const MONO: Face = Face("monospace", "normal", 0.61);

/// The text column: it starts 1 mm right of the QR code and ends 1 mm from the label's edge.
const TEXT_X: u32 = LABEL_H + 1;
const TEXT_W: u32 = LABEL_W - LABEL_H - 2;

/// Appends one line of text at baseline `y` (mm), at `size` mm or smaller so that it fits in
/// the text column. Shrinking the font, rather than `textLength`, works in every renderer.
fn text(svg: &mut String, y: u32, face: &Face, size: f64, content: &str) {
    let Face(family, weight, em) = *face;
    let natural = content.chars().count().max(1) as f64 * em * size;
    let size = size.min(size * f64::from(TEXT_W) / natural);
    let _ = write!(
        svg,
        r##"<text x="{TEXT_X}" y="{y}" font-family="{family}" font-size="{size:.2}" font-weight="{weight}" fill="#000">{}</text>"##,
        esc(content),
    );
}

/// Escapes text for an SVG text node or a quoted attribute.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters are not allowed in XML.
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    const GS1: &str = "(01)05712345000015(21)SN-42";

    /// The dark modules the first `<path>` in `svg` draws, as (x, y) in code coordinates
    /// (quiet zone taken off), each module once.
    fn drawn_modules(svg: &str) -> Vec<(i32, i32)> {
        let d = svg.split(r#"<path d=""#).nth(1).unwrap();
        let d = &d[..d.find('"').unwrap()];
        let mut cells = Vec::new();
        for seg in d.split('M').filter(|s| !s.is_empty()) {
            // "x yh{n}v1h-{n}z"
            let seg = seg.strip_suffix('z').unwrap();
            let parts: Vec<&str> = seg.split('h').collect();
            assert_eq!(parts.len(), 3, "{seg}");
            let (x, y) = parts[0].split_once(' ').unwrap();
            let (x, y): (i32, i32) = (x.parse().unwrap(), y.parse().unwrap());
            let run: i32 = parts[1].strip_suffix("v1").unwrap().parse().unwrap();
            assert_eq!(parts[2], format!("-{run}"));
            assert!(run > 0);
            cells.extend((0..run).map(|i| (x + i - QUIET, y - QUIET)));
        }
        cells
    }

    fn assert_svg_shape(svg: &str, w_mm: u32, h_mm: u32) {
        assert!(svg.starts_with("<svg "), "{svg}");
        assert!(svg.ends_with("</svg>"));
        assert!(svg.contains(r#"xmlns="http://www.w3.org/2000/svg""#));
        assert!(svg.contains(&format!(r#"width="{w_mm}mm" height="{h_mm}mm""#)));
        assert!(svg.contains("viewBox=\"0 0 "));
        assert_eq!(svg.matches("<svg").count(), svg.matches("</svg>").count());
        assert_eq!(svg.matches("<text").count(), svg.matches("</text>").count());
        assert_eq!(svg.matches("<path ").count(), 1);
        assert!(svg.contains(r#"shape-rendering="crispEdges""#));
    }

    #[test]
    fn qr_svg_is_well_formed() {
        let svg = qr_svg(GS1, 25);
        assert_svg_shape(&svg, 25, 25);
        let n = encode(GS1).size() + 2 * QUIET;
        assert!(svg.contains(&format!(r#"viewBox="0 0 {n} {n}""#)));
    }

    #[test]
    fn path_draws_exactly_the_dark_modules() {
        for text in [GS1, "x", &"0123456789".repeat(30)] {
            let qr = encode(text);
            assert_eq!(qr.error_correction_level(), QrCodeEcc::Medium);
            let dark: BTreeSet<(i32, i32)> = (0..qr.size())
                .flat_map(|y| (0..qr.size()).map(move |x| (x, y)))
                .filter(|&(x, y)| qr.get_module(x, y))
                .collect();
            let drawn = drawn_modules(&qr_svg(text, 30));
            assert_eq!(drawn.len(), dark.len(), "a module drawn twice or missed");
            assert_eq!(drawn.into_iter().collect::<BTreeSet<_>>(), dark);
        }
    }

    #[test]
    fn finder_patterns_are_at_three_corners() {
        let size = encode(GS1).size();
        for svg in [qr_svg(GS1, 25), unit_label_svg("t", "s", GS1)] {
            let drawn: BTreeSet<_> = drawn_modules(&svg).into_iter().collect();
            // Each finder's outer ring is dark at its corner and its 3×3 centre, light between.
            for (fx, fy) in [(0, 0), (size - 7, 0), (0, size - 7)] {
                assert!(drawn.contains(&(fx, fy)));
                assert!(drawn.contains(&(fx + 3, fy + 3)));
                assert!(!drawn.contains(&(fx + 1, fy + 1)));
            }
            // The fourth corner has no finder pattern.
            assert!(!drawn.contains(&(size - 6, size - 6)));
        }
    }

    #[test]
    fn label_is_well_formed_and_shows_its_text() {
        let svg = unit_label_svg("Vægt UC-411", "SN-42", GS1);
        assert_svg_shape(&svg, 62, 29);
        assert!(svg.contains(r#"viewBox="0 0 62 29""#));
        assert!(svg.contains(">Vægt UC-411</text>"));
        assert!(svg.contains(">SN SN-42</text>"));
        assert!(svg.contains(&format!(">{GS1}</text>")));
    }

    #[test]
    fn text_is_escaped() {
        let svg = unit_label_svg("A&D <UA-651BLE>", "\"7\"", GS1);
        assert!(svg.contains(">A&amp;D &lt;UA-651BLE&gt;</text>"));
        assert!(svg.contains(">SN &quot;7&quot;</text>"));
        assert!(!svg.contains("A&D"));
        assert!(!svg.contains("<UA"));
        assert_eq!(esc("a\u{7}b"), "a b");
    }

    #[test]
    fn long_text_is_shrunk_to_fit_short_text_is_not() {
        let svg = unit_label_svg("Kort", "1", GS1);
        assert!(svg.contains(r##"font-size="3.60" font-weight="bold" fill="#000">Kort<"##));
        assert!(svg.contains(r##"font-size="3.00" font-weight="normal" fill="#000">SN 1<"##));
        // 27 characters at 2.2 mm would run past the label's edge.
        let size = 31.0 / (27.0 * 0.61);
        assert!(svg.contains(&format!(
            r##"font-size="{size:.2}" font-weight="normal" fill="#000">(01)"##
        )));
    }
}
