//! Byte-level proofs that stored bytes are exactly RFC 8785 (JCS) canonical JSON, with no
//! parsing into values and no allocation. Each function only ever answers "these bytes are
//! exactly the canonical ones" (true) or "take the slow path" (false), never "wrong": the slow
//! path parses and re-canonicalizes as verification always did and names what differs.
//!
//! What the scanner accepts is a subset of RFC 8785's output: no whitespace; object keys of
//! printable ASCII without escapes, strictly ascending (ASCII byte order is UTF-16 order, and
//! strictly ascending rules out duplicates); integers of at most 2^53 in magnitude written
//! digit for digit (exact in an f64, so JCS writes them the same); strings escaped exactly as
//! JCS escapes (`\"`, `\\`, `\b \f \n \r \t`, other controls as lowercase `\u00xx`, nothing
//! else), in valid UTF-8; nesting well inside serde_json's recursion limit. Such bytes parse
//! (serde_json) into a value whose canonical bytes are the bytes themselves.

/// Integers up to this magnitude are exact in an f64, so the canonicalizer (which writes
/// numbers as ECMAScript doubles) writes them digit for digit.
pub(super) const EXACT_INTEGER: u64 = 1 << 53;

/// serde_json refuses input nested deeper than 128; stay well inside it.
const MAX_DEPTH: u32 = 100;

/// Whether `bytes` are the canonical bytes of a JSON object (see the module's notes).
pub(super) fn is_canonical_object(bytes: &[u8]) -> bool {
    if std::str::from_utf8(bytes).is_err() {
        return false;
    }
    let mut scanner = Scanner { rest: bytes };
    scanner.rest.first() == Some(&b'{') && scanner.value(0) && scanner.rest.is_empty()
}

struct Scanner<'a> {
    rest: &'a [u8],
}

impl<'a> Scanner<'a> {
    fn eat(&mut self, byte: u8) -> bool {
        match self.rest.split_first() {
            Some((&first, rest)) if first == byte => {
                self.rest = rest;
                true
            }
            _ => false,
        }
    }

    fn literal(&mut self, word: &[u8]) -> bool {
        match self.rest.strip_prefix(word) {
            Some(rest) => {
                self.rest = rest;
                true
            }
            None => false,
        }
    }

    fn value(&mut self, depth: u32) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        match self.rest.first() {
            Some(b'{') => self.object(depth + 1),
            Some(b'[') => self.array(depth + 1),
            Some(b'"') => self.string(),
            Some(b't') => self.literal(b"true"),
            Some(b'f') => self.literal(b"false"),
            Some(b'n') => self.literal(b"null"),
            Some(b'-' | b'0'..=b'9') => self.integer(),
            _ => false,
        }
    }

    fn object(&mut self, depth: u32) -> bool {
        self.rest = &self.rest[1..];
        if self.eat(b'}') {
            return true;
        }
        let mut previous: Option<&[u8]> = None;
        loop {
            let Some(key) = self.plain_key() else {
                return false;
            };
            if previous.is_some_and(|previous| previous >= key) {
                return false;
            }
            previous = Some(key);
            if !self.eat(b':') || !self.value(depth) {
                return false;
            }
            if self.eat(b'}') {
                return true;
            }
            if !self.eat(b',') {
                return false;
            }
        }
    }

    /// A key of printable ASCII with nothing escaped: its bytes are its UTF-16 code units.
    fn plain_key(&mut self) -> Option<&'a [u8]> {
        let rest = self.rest.strip_prefix(b"\"")?;
        let end = rest
            .iter()
            .position(|&b| b == b'"' || b == b'\\' || !(0x20..0x7f).contains(&b))?;
        if rest[end] != b'"' {
            return None;
        }
        self.rest = &rest[end + 1..];
        Some(&rest[..end])
    }

    fn array(&mut self, depth: u32) -> bool {
        self.rest = &self.rest[1..];
        if self.eat(b']') {
            return true;
        }
        loop {
            if !self.value(depth) {
                return false;
            }
            if self.eat(b']') {
                return true;
            }
            if !self.eat(b',') {
                return false;
            }
        }
    }

    /// A string escaped exactly as JCS escapes (UTF-8 was checked for the whole input).
    fn string(&mut self) -> bool {
        self.rest = &self.rest[1..];
        loop {
            let Some(special) = self
                .rest
                .iter()
                .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
            else {
                return false;
            };
            let byte = self.rest[special];
            self.rest = &self.rest[special + 1..];
            match byte {
                b'"' => return true,
                b'\\' => {
                    if !self.canonical_escape() {
                        return false;
                    }
                }
                _ => return false,
            }
        }
    }

    /// After a backslash: one of the escapes JCS writes, for the character JCS writes it for.
    fn canonical_escape(&mut self) -> bool {
        let Some((&kind, rest)) = self.rest.split_first() else {
            return false;
        };
        self.rest = rest;
        match kind {
            b'"' | b'\\' | b'b' | b'f' | b'n' | b'r' | b't' => true,
            b'u' => {
                let Some((digits, rest)) = self.rest.split_first_chunk::<4>() else {
                    return false;
                };
                self.rest = rest;
                // \u00xx, lowercase, only for a control without a short form.
                matches!(digits, [b'0', b'0', b'0' | b'1', low] if low.is_ascii_digit() || (b'a'..=b'f').contains(low))
                    && !matches!(digits, [_, _, b'0', b'8' | b'9' | b'a' | b'c' | b'd'])
            }
            _ => false,
        }
    }

    /// `0` or `-?[1-9][0-9]*` of magnitude at most 2^53: no fraction, exponent or `-0`.
    fn integer(&mut self) -> bool {
        let negative = self.eat(b'-');
        let digits = self
            .rest
            .iter()
            .position(|b| !b.is_ascii_digit())
            .unwrap_or(self.rest.len());
        let (number, rest) = self.rest.split_at(digits);
        let canonical = match number {
            [] => false,
            [b'0'] => !negative,
            [b'0', ..] => false,
            _ => number.len() <= 16 && magnitude(number) <= EXACT_INTEGER,
        };
        self.rest = rest;
        canonical && !matches!(rest.first(), Some(b'.' | b'e' | b'E'))
    }
}

/// The value of at most 16 ASCII digits.
fn magnitude(digits: &[u8]) -> u64 {
    digits
        .iter()
        .fold(0u64, |n, d| n * 10 + u64::from(d - b'0'))
}

/// Matches stored bytes against the canonical bytes of a value, piece by piece, as they would
/// be written: the first difference makes every later piece fail too.
pub(super) struct Expect<'a> {
    rest: &'a [u8],
    ok: bool,
}

impl<'a> Expect<'a> {
    pub(super) fn new(bytes: &'a [u8]) -> Self {
        Expect {
            rest: bytes,
            ok: true,
        }
    }

    fn take(&mut self, piece: &[u8]) {
        match self.rest.strip_prefix(piece) {
            Some(rest) if self.ok => self.rest = rest,
            _ => self.ok = false,
        }
    }

    /// Bytes written as they are (punctuation and member names).
    pub(super) fn raw(&mut self, piece: &[u8]) -> &mut Self {
        self.take(piece);
        self
    }

    /// A JSON string as JCS writes it.
    pub(super) fn string(&mut self, text: &str) -> &mut Self {
        self.take(b"\"");
        let mut rest = text.as_bytes();
        while self.ok {
            let plain = rest
                .iter()
                .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
                .unwrap_or(rest.len());
            self.take(&rest[..plain]);
            let Some((&special, after)) = rest[plain..].split_first() else {
                break;
            };
            let (escaped, len) = escape(special);
            self.take(&escaped[..len]);
            rest = after;
        }
        self.take(b"\"");
        self
    }

    /// Bytes as a JSON string of lowercase hex.
    pub(super) fn hex(&mut self, bytes: &[u8]) -> &mut Self {
        self.take(b"\"");
        for chunk in bytes.chunks(32) {
            let mut text = [0u8; 64];
            let text = &mut text[..chunk.len() * 2];
            if hex::encode_to_slice(chunk, text).is_err() {
                self.ok = false;
            }
            self.take(text);
        }
        self.take(b"\"");
        self
    }

    /// An integer, digit for digit (only for magnitudes of at most 2^53).
    pub(super) fn integer(&mut self, n: i64) -> &mut Self {
        if n.unsigned_abs() > EXACT_INTEGER {
            self.ok = false;
        }
        let mut digits = [0u8; 20];
        let mut at = digits.len();
        let mut magnitude = n.unsigned_abs();
        loop {
            at -= 1;
            digits[at] = b'0' + (magnitude % 10) as u8;
            magnitude /= 10;
            if magnitude == 0 {
                break;
            }
        }
        if n < 0 {
            self.take(b"-");
        }
        self.take(&digits[at..]);
        self
    }

    /// Whether every piece matched and nothing is left over.
    pub(super) fn is_exact(&self) -> bool {
        self.ok && self.rest.is_empty()
    }
}

/// How JCS writes a character that must be escaped (`"`, `\` or a control): up to 6 bytes.
fn escape(byte: u8) -> ([u8; 6], usize) {
    let short = match byte {
        b'"' => Some(b'"'),
        b'\\' => Some(b'\\'),
        0x08 => Some(b'b'),
        0x0c => Some(b'f'),
        b'\n' => Some(b'n'),
        b'\r' => Some(b'r'),
        b'\t' => Some(b't'),
        _ => None,
    };
    match short {
        Some(letter) => ([b'\\', letter, 0, 0, 0, 0], 2),
        None => {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            let (high, low) = (HEX[usize::from(byte >> 4)], HEX[usize::from(byte & 0xf)]);
            ([b'\\', b'u', b'0', b'0', high, low], 6)
        }
    }
}

/// Whether `text` is the lowercase hex of `bytes`.
pub(super) fn is_hex_of(text: &str, bytes: &[u8; 32]) -> bool {
    let mut expected = [0u8; 64];
    hex::encode_to_slice(bytes, &mut expected).is_ok() && text.as_bytes() == expected
}

#[cfg(test)]
#[path = "fast_path_tests.rs"]
mod tests;
