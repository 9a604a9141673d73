//! The vendored DejaVu Sans faces (assets/fonts, from Debian's fonts-dejavu-core) as PDF fonts:
//! measured for line breaking, and embedded as subsets (Type 0, Identity-H) with a ToUnicode
//! map, so that accented names print correctly and a text extractor reads them back.

use std::collections::BTreeMap;

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Filter, Finish, Name, Pdf, Rect, Ref, Str};
use subsetter::GlyphRemapper;
use ttf_parser::{Face, GlyphId};

use super::RenderError;

pub const REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
pub const BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

pub struct Font {
    face: Face<'static>,
    data: &'static [u8],
    /// The PostScript name with the six-letter subset tag PDF requires of a subset.
    subset_name: String,
    /// Glyphs used, renumbered in order of first use: the subset's glyph ids (and CIDs).
    remapper: GlyphRemapper,
    /// The character each used glyph stands for, for the ToUnicode map.
    chars: BTreeMap<u16, char>,
    units_per_em: f32,
}

/// The objects one embedded font takes.
pub struct FontRefs {
    pub type0: Ref,
    pub cid: Ref,
    pub descriptor: Ref,
    pub file: Ref,
    pub cmap: Ref,
}

impl Font {
    pub fn new(data: &'static [u8], subset_name: &str) -> Result<Font, RenderError> {
        let face = Face::parse(data, 0).map_err(|_| RenderError::Font(subset_name.to_owned()))?;
        let units_per_em = f32::from(face.units_per_em());
        Ok(Font {
            face,
            data,
            subset_name: subset_name.to_owned(),
            remapper: GlyphRemapper::new(),
            chars: BTreeMap::new(),
            units_per_em,
        })
    }

    /// A character the face lacks is drawn as its "missing glyph" box, never dropped silently.
    fn glyph(&self, c: char) -> u16 {
        self.face.glyph_index(c).map_or(0, |g| g.0)
    }

    fn advance(&self, glyph: u16) -> f32 {
        f32::from(self.face.glyph_hor_advance(GlyphId(glyph)).unwrap_or(0))
    }

    /// The width of `text` at `size` points.
    pub fn width(&self, text: &str, size: f32) -> f32 {
        let units: f32 = text.chars().map(|c| self.advance(self.glyph(c))).sum();
        units * size / self.units_per_em
    }

    /// The text as the two-byte CIDs of the subset, noting each glyph used.
    pub fn encode(&mut self, text: &str) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(text.len() * 2);
        for c in text.chars() {
            let glyph = self.glyph(c);
            let cid = self.remapper.remap(glyph);
            if glyph != 0 {
                self.chars.entry(cid).or_insert(c);
            }
            bytes.extend(cid.to_be_bytes());
        }
        bytes
    }

    fn scaled(&self, units: impl Into<f32>) -> f32 {
        units.into() * 1000.0 / self.units_per_em
    }

    /// Writes the font's objects, with the subset of the glyphs `encode` was given.
    pub fn write(&self, pdf: &mut Pdf, refs: &FontRefs) -> Result<(), RenderError> {
        let subset = subsetter::subset(self.data, 0, &self.remapper)
            .map_err(|e| RenderError::Subset(e.to_string()))?;
        let compressed = miniz_oxide::deflate::compress_to_vec_zlib(&subset, 6);
        let name = Name(self.subset_name.as_bytes());
        let system_info = SystemInfo {
            registry: Str(b"Adobe"),
            ordering: Str(b"Identity"),
            supplement: 0,
        };
        pdf.type0_font(refs.type0)
            .base_font(name)
            .encoding_predefined(Name(b"Identity-H"))
            .descendant_font(refs.cid)
            .to_unicode(refs.cmap);
        let widths: Vec<f32> = self
            .remapper
            .remapped_gids()
            .map(|glyph| self.scaled(self.advance(glyph)))
            .collect();
        let mut cid = pdf.cid_font(refs.cid);
        cid.subtype(CidFontType::Type2)
            .base_font(name)
            .system_info(system_info)
            .font_descriptor(refs.descriptor)
            .default_width(0.0)
            .cid_to_gid_map_predefined(Name(b"Identity"));
        cid.widths().consecutive(0, widths);
        cid.finish();
        let bbox = self.face.global_bounding_box();
        pdf.font_descriptor(refs.descriptor)
            .name(name)
            .flags(FontFlags::NON_SYMBOLIC)
            .bbox(Rect::new(
                self.scaled(bbox.x_min),
                self.scaled(bbox.y_min),
                self.scaled(bbox.x_max),
                self.scaled(bbox.y_max),
            ))
            .italic_angle(0.0)
            .ascent(self.scaled(self.face.ascender()))
            .descent(self.scaled(self.face.descender()))
            .cap_height(self.scaled(self.face.capital_height().unwrap_or(0)))
            .stem_v(80.0)
            .font_file2(refs.file);
        pdf.stream(refs.file, &compressed)
            .filter(Filter::FlateDecode);
        let mut cmap = UnicodeCmap::new(Name(b"Custom"), system_info);
        for (cid, c) in &self.chars {
            cmap.pair(*cid, *c);
        }
        pdf.cmap(refs.cmap, &cmap.finish());
        Ok(())
    }
}
