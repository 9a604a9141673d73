//! Lays the printable record out on A4 pages: sections, labelled fields and tables whose cells
//! wrap, a table's header repeated on each page it continues on, and room kept at the foot of
//! every page for the footer.

use super::font::Font;
use super::model::{Block, Section, Table};

pub const PAGE_WIDTH: f32 = 595.28;
pub const PAGE_HEIGHT: f32 = 841.89;
pub const MARGIN: f32 = 40.0;
const TOP: f32 = PAGE_HEIGHT - 56.0;
/// Below this the footer lines are printed.
const BOTTOM: f32 = 64.0;
const CONTENT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN;
const BODY: f32 = 9.0;
const SMALL: f32 = 7.5;
const LABEL_WIDTH: f32 = 150.0;
const CELL_PAD: f32 = 3.0;

pub struct Run {
    pub x: f32,
    pub y: f32,
    pub size: f32,
    pub bold: bool,
    pub text: String,
}

#[derive(Default)]
pub struct Page {
    pub runs: Vec<Run>,
    /// Horizontal rules: (x1, x2, y).
    pub rules: Vec<(f32, f32, f32)>,
}

pub struct Fonts {
    pub regular: Font,
    pub bold: Font,
}

impl Fonts {
    pub fn get(&self, bold: bool) -> &Font {
        if bold {
            &self.bold
        } else {
            &self.regular
        }
    }
}

struct Layout<'a> {
    fonts: &'a Fonts,
    pages: Vec<Page>,
    y: f32,
}

/// The pages of a document's body; the footer is added when the page count is known.
pub fn paginate(fonts: &Fonts, title: &str, printed_at: &str, sections: &[Section]) -> Vec<Page> {
    let mut layout = Layout {
        fonts,
        pages: vec![Page::default()],
        y: TOP,
    };
    layout.paragraph(title, 16.0, true);
    layout.paragraph(&format!("Printed {printed_at}"), BODY, false);
    layout.y -= 6.0;
    for section in sections {
        layout.keep(60.0);
        layout.y -= 8.0;
        layout.paragraph(&section.title, 12.0, true);
        layout.rule(CONTENT_WIDTH);
        for block in &section.blocks {
            match block {
                Block::Heading(text) => {
                    layout.keep(60.0);
                    layout.y -= 6.0;
                    layout.paragraph(text, 10.5, true);
                }
                Block::Subheading(text) => {
                    layout.keep(40.0);
                    layout.y -= 3.0;
                    layout.paragraph(text, 9.5, true);
                }
                Block::Fields(fields) => {
                    for (label, value) in fields {
                        layout.fields_row(label, value);
                    }
                }
                Block::Table(table) => layout.table(table),
                Block::Note(text) => layout.paragraph(text, BODY, false),
            }
        }
    }
    layout.pages
}

/// Greedy line breaking at spaces; a word wider than the line is broken between characters.
pub fn wrap(font: &Font, text: &str, size: f32, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            let candidate = if line.is_empty() {
                word.to_owned()
            } else {
                format!("{line} {word}")
            };
            if font.width(&candidate, size) <= width {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            for c in word.chars() {
                line.push(c);
                if font.width(&line, size) > width && line.chars().count() > 1 {
                    line.pop();
                    lines.push(std::mem::take(&mut line));
                    line.push(c);
                }
            }
        }
        lines.push(line);
    }
    lines
}

fn leading(size: f32) -> f32 {
    size * 1.3
}

impl Layout<'_> {
    fn page(&mut self) -> &mut Page {
        if self.pages.is_empty() {
            self.pages.push(Page::default());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    fn new_page(&mut self) {
        self.pages.push(Page::default());
        self.y = TOP;
    }

    /// Starts a new page unless `height` still fits on this one.
    fn keep(&mut self, height: f32) -> bool {
        if self.y - height < BOTTOM {
            self.new_page();
            return true;
        }
        false
    }

    fn put(&mut self, x: f32, size: f32, bold: bool, text: String) {
        let y = self.y - size;
        self.page().runs.push(Run {
            x,
            y,
            size,
            bold,
            text,
        });
    }

    fn paragraph(&mut self, text: &str, size: f32, bold: bool) {
        for line in wrap(self.fonts.get(bold), text, size, CONTENT_WIDTH) {
            self.keep(leading(size));
            self.put(MARGIN, size, bold, line);
            self.y -= leading(size);
        }
    }

    fn rule(&mut self, width: f32) {
        let y = self.y - 2.0;
        self.page().rules.push((MARGIN, MARGIN + width, y));
        self.y -= 5.0;
    }

    fn fields_row(&mut self, label: &str, value: &str) {
        let label_lines = wrap(&self.fonts.bold, label, BODY, LABEL_WIDTH - 8.0);
        let value_lines = wrap(
            &self.fonts.regular,
            value,
            BODY,
            CONTENT_WIDTH - LABEL_WIDTH,
        );
        let rows = label_lines.len().max(value_lines.len());
        self.keep(leading(BODY) * rows as f32);
        let top = self.y;
        for (i, line) in label_lines.into_iter().enumerate() {
            self.y = top - leading(BODY) * i as f32;
            self.put(MARGIN, BODY, true, line);
        }
        for (i, line) in value_lines.into_iter().enumerate() {
            self.y = top - leading(BODY) * i as f32;
            self.put(MARGIN + LABEL_WIDTH, BODY, false, line);
        }
        self.y = top - leading(BODY) * rows as f32;
    }

    fn table(&mut self, table: &Table) {
        let total: f32 = table.weights.iter().map(|w| f32::from(*w)).sum();
        let widths: Vec<f32> = table
            .weights
            .iter()
            .map(|w| CONTENT_WIDTH * f32::from(*w) / total.max(1.0))
            .collect();
        let header: Vec<String> = table.columns.iter().map(|c| (*c).to_owned()).collect();
        self.y -= 3.0;
        self.keep(3.0 * leading(SMALL) + 4.0);
        self.table_row(&widths, &header, true);
        for row in &table.rows {
            if self.keep(self.row_height(&widths, row)) {
                self.table_row(&widths, &header, true);
            }
            self.table_row(&widths, row, false);
        }
        self.y -= 3.0;
    }

    fn cells(&self, widths: &[f32], row: &[String], bold: bool) -> Vec<Vec<String>> {
        row.iter()
            .zip(widths)
            .map(|(text, width)| wrap(self.fonts.get(bold), text, SMALL, width - 2.0 * CELL_PAD))
            .collect()
    }

    fn row_height(&self, widths: &[f32], row: &[String]) -> f32 {
        let lines = self
            .cells(widths, row, false)
            .iter()
            .map(Vec::len)
            .max()
            .unwrap_or(1);
        leading(SMALL) * lines as f32 + 2.0
    }

    fn table_row(&mut self, widths: &[f32], row: &[String], bold: bool) {
        let cells = self.cells(widths, row, bold);
        let lines = cells.iter().map(Vec::len).max().unwrap_or(1);
        let top = self.y;
        let mut x = MARGIN;
        for (cell, width) in cells.into_iter().zip(widths) {
            for (i, line) in cell.into_iter().enumerate() {
                self.y = top - leading(SMALL) * i as f32;
                self.put(x + CELL_PAD, SMALL, bold, line);
            }
            x += width;
        }
        self.y = top - leading(SMALL) * lines as f32 - 2.0;
        let y = self.y + 1.0;
        self.page().rules.push((MARGIN, MARGIN + CONTENT_WIDTH, y));
    }
}
