//! The printable record as a PDF (pdf-writer): the laid-out pages, each with the batch number
//! at its head and, at its foot, the checkpoint, the export bundle's SHA-256 and the page
//! number; the two DejaVu Sans faces embedded as subsets. Nothing is fetched to make it.
//! Other documents (the validation report) are laid out by the same code through [`Document`].

use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

use super::font::{Font, FontRefs, BOLD, REGULAR};
use super::layout::{paginate, Fonts, Page, Run, MARGIN, PAGE_HEIGHT, PAGE_WIDTH};
use super::model::{PrintableRecord, Section};
use super::RenderError;

const FOOTER_SIZE: f32 = 7.0;

/// What the PDF writer lays out: a title, when it was printed, sections, and the lines every
/// page footer carries.
pub struct Document<'a> {
    pub title: &'a str,
    pub printed_at: &'a str,
    pub sections: &'a [Section],
    /// Printed at the foot of every page, above the page number.
    pub footer: Vec<String>,
    /// Said after "Page n of m" on the last footer line, when not empty.
    pub page_note: String,
}

pub fn render(record: &PrintableRecord) -> Result<Vec<u8>, RenderError> {
    render_document(&Document {
        title: &record.title,
        printed_at: &record.printed_at,
        sections: &record.sections,
        footer: vec![record.footer.checkpoint_line(), record.footer.bundle_line()],
        page_note: format!("the bundle: {}", record.bundle_source()),
    })
}

pub fn render_document(document: &Document) -> Result<Vec<u8>, RenderError> {
    let mut fonts = Fonts {
        regular: Font::new(REGULAR, "CRECAA+DejaVuSans")?,
        bold: Font::new(BOLD, "CRECAB+DejaVuSans-Bold")?,
    };
    let mut pages = paginate(
        &fonts,
        document.title,
        document.printed_at,
        document.sections,
    );
    let count = pages.len();
    for (index, page) in pages.iter_mut().enumerate() {
        furnish(&fonts, document, page, index + 1, count);
    }

    let mut next = 0;
    let mut alloc = || {
        next += 1;
        Ref::new(next)
    };
    let catalog = alloc();
    let tree = alloc();
    let info = alloc();
    let mut font_refs = || FontRefs {
        type0: alloc(),
        cid: alloc(),
        descriptor: alloc(),
        file: alloc(),
        cmap: alloc(),
    };
    let (regular_refs, bold_refs) = (font_refs(), font_refs());
    let page_refs: Vec<(Ref, Ref)> = pages.iter().map(|_| (alloc(), alloc())).collect();

    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids(page_refs.iter().map(|(page, _)| *page))
        .count(i32::try_from(count).unwrap_or(i32::MAX));
    pdf.document_info(info)
        .title(TextStr(document.title))
        .producer(TextStr("cartrec"));
    for (page, (page_ref, content_ref)) in pages.iter().zip(&page_refs) {
        let mut dict = pdf.page(*page_ref);
        dict.parent(tree)
            .media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT))
            .contents(*content_ref);
        let mut resources = dict.resources();
        resources
            .fonts()
            .pair(Name(b"R"), regular_refs.type0)
            .pair(Name(b"B"), bold_refs.type0);
        resources.finish();
        dict.finish();
        let content = content(&mut fonts, page);
        let compressed = miniz_oxide::deflate::compress_to_vec_zlib(&content, 6);
        pdf.stream(*content_ref, &compressed)
            .filter(Filter::FlateDecode);
    }
    fonts.regular.write(&mut pdf, &regular_refs)?;
    fonts.bold.write(&mut pdf, &bold_refs)?;
    Ok(pdf.finish())
}

/// The running head and the footer every page carries. A footer line too long for the page
/// is set smaller rather than broken, so that a hash is never split across lines.
fn furnish(fonts: &Fonts, document: &Document, page: &mut Page, number: usize, count: usize) {
    let width = PAGE_WIDTH - 2.0 * MARGIN;
    let fit = |text: &str| {
        let natural = fonts.regular.width(text, FOOTER_SIZE);
        if natural > width {
            FOOTER_SIZE * width / natural
        } else {
            FOOTER_SIZE
        }
    };
    let head = format!("{} · printed {}", document.title, document.printed_at);
    let mut numbered = format!("Page {number} of {count}");
    if !document.page_note.is_empty() {
        numbered = format!("{numbered} · {}", document.page_note);
    }
    // Stacked upwards from the page number, 10 points apart.
    let mut lines = vec![(PAGE_HEIGHT - 30.0, head), (20.0, numbered)];
    let mut y = 20.0;
    for line in document.footer.iter().rev() {
        y += 10.0;
        lines.push((y, line.clone()));
    }
    page.rules.push((MARGIN, PAGE_WIDTH - MARGIN, y + 10.0));
    for (y, text) in lines {
        page.runs.push(Run {
            x: MARGIN,
            y,
            size: fit(&text),
            bold: false,
            text,
        });
    }
}

fn content(fonts: &mut Fonts, page: &Page) -> Vec<u8> {
    let mut content = Content::new();
    content.set_line_width(0.4).set_stroke_gray(0.6);
    for (x1, x2, y) in &page.rules {
        content.move_to(*x1, *y).line_to(*x2, *y).stroke();
    }
    for run in &page.runs {
        let (name, font) = if run.bold {
            (Name(b"B"), &mut fonts.bold)
        } else {
            (Name(b"R"), &mut fonts.regular)
        };
        let encoded = font.encode(&run.text);
        content
            .begin_text()
            .set_font(name, run.size)
            .next_line(run.x, run.y)
            .show(Str(&encoded))
            .end_text();
    }
    content.finish().to_vec()
}
