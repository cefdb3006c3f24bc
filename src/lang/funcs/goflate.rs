//! A byte-exact reimplementation of Go's `compress/gzip` writer on top of
//! Go's `compress/flate` compressor (the hash-chain + lazy-matching path used
//! for levels 2–9), so that `base64gzip` produces the same bytes as Terraform.
//!
//! Terraform's `base64gzip` does `gzip.NewWriter(&buf)` (DefaultCompression,
//! i.e. flate level 6), then `Write(all)`, `Flush()` (a sync flush: the
//! pending tokens as one or more blocks, then an empty stored block) and
//! `Close()` (an empty final stored block plus the CRC-32/ISIZE trailer).
//!
//! Every choice that affects the output is reproduced: the 4-byte hash and
//! its chains, the match acceptance rules, lazy matching, the 16384-token
//! block limit, window sliding, Go's length-limited Huffman code
//! construction (including its tie-breaking), and the per-block choice
//! between stored, fixed and dynamic Huffman encodings.

/// `gzip.NewWriterLevel(w, DefaultCompression)` followed by `Write(data)`,
/// `Flush()` and `Close()` — what Terraform's `base64gzip` does.
pub fn gzip_default(data: &[u8]) -> Vec<u8> {
    gzip_level(data, -1)
}

/// The same with `gzip.BestCompression` (level 9).
pub fn gzip_best(data: &[u8]) -> Vec<u8> {
    gzip_level(data, 9)
}

/// Go's gzip writer at `level` (-1 = DefaultCompression, or 2..=9) with a
/// single `Write`, a `Flush` and a `Close`. Header: no mtime, no name, XFL as
/// Go sets it, OS byte 255 ("unknown").
pub fn gzip_level(data: &[u8], level: i32) -> Vec<u8> {
    let params = match level {
        -1 => LEVELS[6],
        2..=9 => LEVELS[level as usize],
        _ => panic!("goflate: unsupported compression level {level}"),
    };
    let xfl = if level == 9 { 2 } else { 0 };
    let mut c = Compressor::new(params);
    c.w.out
        .extend_from_slice(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, xfl, 0xff]);
    c.write(data);
    c.sync_flush();
    c.close();
    let mut out = c.w.out;
    out.extend_from_slice(&crc32(data).to_le_bytes());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out
}

/// Raw DEFLATE as Go's `flate.NewWriter(w, level)` gives it after one
/// `Write(data)` and `Close()` (no sync flush): what `archive/zip` writes
/// for each entry, at level 5.
pub fn deflate_raw(data: &[u8], level: i32) -> Vec<u8> {
    let params = match level {
        -1 => LEVELS[6],
        2..=9 => LEVELS[level as usize],
        _ => panic!("goflate: unsupported compression level {level}"),
    };
    let mut c = Compressor::new(params);
    c.write(data);
    c.close();
    c.w.out
}

/// CRC-32 (IEEE), as in the gzip trailer.
pub fn crc32(data: &[u8]) -> u32 {
    let mut table = [0u32; 256];
    for (i, t) in table.iter_mut().enumerate() {
        let mut c = i as u32;
        for _ in 0..8 {
            c = if c & 1 != 0 {
                0xedb8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
        }
        *t = c;
    }
    let mut crc = !0u32;
    for &b in data {
        crc = table[((crc ^ b as u32) & 0xff) as usize] ^ (crc >> 8);
    }
    !crc
}

// ---- LZ77 stage (deflate.go) ----

const WINDOW_SIZE: usize = 1 << 15;
const WINDOW_MASK: usize = WINDOW_SIZE - 1;
const BASE_MATCH_LENGTH: usize = 3;
const MIN_MATCH_LENGTH: usize = 4;
const MAX_MATCH_LENGTH: usize = 258;
const BASE_MATCH_OFFSET: usize = 1;
const MAX_FLATE_BLOCK_TOKENS: usize = 1 << 14;
const MAX_STORE_BLOCK_SIZE: usize = 65535;
const HASH_BITS: u32 = 17;
const HASH_SIZE: usize = 1 << HASH_BITS;
const HASH_MASK: u32 = (1 << HASH_BITS) - 1;
const MAX_HASH_OFFSET: usize = 1 << 24;
/// Go's `math.MaxInt32`, used both as "never skip hashing" and as the
/// "block start is no longer in the window" marker.
const MAX_I32: usize = i32::MAX as usize;
const SKIP_NEVER: usize = MAX_I32;
const HASH_MUL: u32 = 0x1e35_a7bd;

#[derive(Clone, Copy)]
struct Level {
    good: usize,
    lazy: usize,
    nice: usize,
    chain: usize,
    fast_skip_hashing: usize,
}

const fn lv(good: usize, lazy: usize, nice: usize, chain: usize, skip: usize) -> Level {
    Level {
        good,
        lazy,
        nice,
        chain,
        fast_skip_hashing: skip,
    }
}

/// Go's level table; entries 0 and 1 (store / the BestSpeed encoder) are not
/// supported here.
const LEVELS: [Level; 10] = [
    lv(0, 0, 0, 0, 0),
    lv(0, 0, 0, 0, 0),
    lv(4, 0, 16, 8, 5),
    lv(4, 0, 32, 32, 6),
    lv(4, 4, 16, 16, SKIP_NEVER),
    lv(8, 16, 32, 32, SKIP_NEVER),
    lv(8, 16, 128, 128, SKIP_NEVER),
    lv(8, 32, 128, 256, SKIP_NEVER),
    lv(32, 128, 258, 1024, SKIP_NEVER),
    lv(32, 258, 258, 4096, SKIP_NEVER),
];

fn hash4(b: &[u8]) -> u32 {
    let v = u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    v.wrapping_mul(HASH_MUL) >> (32 - HASH_BITS)
}

fn match_len(a: &[u8], b: &[u8], max: usize) -> usize {
    a[..max]
        .iter()
        .zip(&b[..max])
        .position(|(x, y)| x != y)
        .unwrap_or(max)
}

// Tokens, as Go packs them: literals are the byte value; matches have bit 30
// set, (length - 3) in bits 22..30 and (offset - 1) in bits 0..22.
const MATCH_TYPE: u32 = 1 << 30;
const LENGTH_SHIFT: u32 = 22;
const OFFSET_MASK: u32 = (1 << LENGTH_SHIFT) - 1;

fn match_token(xlength: usize, xoffset: usize) -> u32 {
    MATCH_TYPE + ((xlength as u32) << LENGTH_SHIFT) + xoffset as u32
}

struct Compressor {
    lvl: Level,
    w: BitWriter,
    sync: bool,
    chain_head: isize,
    hash_head: Vec<u32>,
    hash_prev: Vec<u32>,
    hash_offset: usize,
    index: usize,
    window: Vec<u8>,
    window_end: usize,
    block_start: usize,
    byte_available: bool,
    tokens: Vec<u32>,
    length: usize,
    offset: usize,
    max_insert_index: isize,
}

impl Compressor {
    fn new(lvl: Level) -> Compressor {
        Compressor {
            lvl,
            w: BitWriter::new(),
            sync: false,
            chain_head: -1,
            hash_head: vec![0; HASH_SIZE],
            hash_prev: vec![0; WINDOW_SIZE],
            hash_offset: 1,
            index: 0,
            window: vec![0; 2 * WINDOW_SIZE],
            window_end: 0,
            block_start: 0,
            byte_available: false,
            tokens: Vec::with_capacity(MAX_FLATE_BLOCK_TOKENS + 1),
            length: MIN_MATCH_LENGTH - 1,
            offset: 0,
            max_insert_index: 0,
        }
    }

    fn write(&mut self, mut b: &[u8]) {
        while !b.is_empty() {
            self.deflate();
            let n = self.fill(b);
            b = &b[n..];
        }
    }

    fn sync_flush(&mut self) {
        self.sync = true;
        self.deflate();
        self.w.write_stored_header(0, false);
        self.w.flush();
        self.sync = false;
    }

    fn close(&mut self) {
        self.sync = true;
        self.deflate();
        self.w.write_stored_header(0, true);
        self.w.flush();
    }

    /// Copies input into the window, sliding it down by a window size first
    /// when the unprocessed part has reached the end.
    fn fill(&mut self, b: &[u8]) -> usize {
        if self.index >= 2 * WINDOW_SIZE - (MIN_MATCH_LENGTH + MAX_MATCH_LENGTH) {
            self.window.copy_within(WINDOW_SIZE..2 * WINDOW_SIZE, 0);
            self.index -= WINDOW_SIZE;
            self.window_end -= WINDOW_SIZE;
            if self.block_start >= WINDOW_SIZE {
                self.block_start -= WINDOW_SIZE;
            } else {
                self.block_start = MAX_I32;
            }
            self.hash_offset += WINDOW_SIZE;
            if self.hash_offset > MAX_HASH_OFFSET {
                let delta = self.hash_offset - 1;
                self.hash_offset -= delta;
                self.chain_head -= delta as isize;
                let rebase = |v: &mut u32| {
                    *v = if *v as usize > delta {
                        (*v as usize - delta) as u32
                    } else {
                        0
                    };
                };
                self.hash_prev.iter_mut().for_each(rebase);
                self.hash_head.iter_mut().for_each(rebase);
            }
        }
        let n = b.len().min(self.window.len() - self.window_end);
        self.window[self.window_end..self.window_end + n].copy_from_slice(&b[..n]);
        self.window_end += n;
        n
    }

    /// Emits the queued tokens as one block covering window[block_start..index]
    /// (the raw bytes are offered for a stored block only while still in the
    /// window).
    fn write_block(&mut self, index: usize) {
        if index > 0 {
            let input = if self.block_start <= index {
                Some(&self.window[self.block_start..index])
            } else {
                None
            };
            self.w.write_block(&self.tokens, false, input);
            self.block_start = index;
        }
    }

    fn insert_hash(&mut self, at: usize) {
        let h = (hash4(&self.window[at..at + MIN_MATCH_LENGTH]) & HASH_MASK) as usize;
        self.hash_prev[at & WINDOW_MASK] = self.hash_head[h];
        self.hash_head[h] = (at + self.hash_offset) as u32;
    }

    /// Looks for a match at `pos` longer than `prev_length`, walking at most
    /// `chain` (or a quarter of it once a good match is in hand) entries of
    /// the hash chain starting at `prev_head`.
    fn find_match(
        &self,
        pos: usize,
        prev_head: isize,
        prev_length: usize,
        lookahead: usize,
    ) -> Option<(usize, usize)> {
        let min_match_look = MAX_MATCH_LENGTH.min(lookahead);
        let win = &self.window[..pos + min_match_look];
        let nice = (win.len() - pos).min(self.lvl.nice);
        let mut tries = self.lvl.chain;
        let mut length = prev_length;
        if length >= self.lvl.good {
            tries >>= 2;
        }
        let mut w_end = win[pos + length];
        let w_pos = &win[pos..];
        let min_index = pos as isize - WINDOW_SIZE as isize;
        let mut found = None;
        let mut i = prev_head;
        while tries > 0 {
            let iu = i as usize;
            if w_end == win[iu + length] {
                let n = match_len(&win[iu..], w_pos, min_match_look);
                if n > length && (n > MIN_MATCH_LENGTH || pos - iu <= 4096) {
                    length = n;
                    found = Some((n, pos - iu));
                    if n >= nice {
                        break;
                    }
                    w_end = win[pos + n];
                }
            }
            if i == min_index {
                break;
            }
            i = self.hash_prev[iu & WINDOW_MASK] as isize - self.hash_offset as isize;
            if i < min_index || i < 0 {
                break;
            }
            tries -= 1;
        }
        found
    }

    fn deflate(&mut self) {
        let lookahead_min = MIN_MATCH_LENGTH + MAX_MATCH_LENGTH;
        if self.window_end - self.index < lookahead_min && !self.sync {
            return;
        }
        let skip = self.lvl.fast_skip_hashing;
        self.max_insert_index = self.window_end as isize - (MIN_MATCH_LENGTH as isize - 1);
        loop {
            let lookahead = self.window_end - self.index;
            if lookahead < lookahead_min {
                if !self.sync {
                    break;
                }
                if lookahead == 0 {
                    if self.byte_available {
                        self.tokens.push(self.window[self.index - 1] as u32);
                        self.byte_available = false;
                    }
                    if !self.tokens.is_empty() {
                        self.write_block(self.index);
                        self.tokens.clear();
                    }
                    break;
                }
            }
            if (self.index as isize) < self.max_insert_index {
                let at = self.index;
                let h = (hash4(&self.window[at..at + MIN_MATCH_LENGTH]) & HASH_MASK) as usize;
                self.chain_head = self.hash_head[h] as isize;
                self.hash_prev[at & WINDOW_MASK] = self.chain_head as u32;
                self.hash_head[h] = (at + self.hash_offset) as u32;
            }
            let prev_length = self.length;
            let prev_offset = self.offset;
            self.length = MIN_MATCH_LENGTH - 1;
            self.offset = 0;
            let min_index = self.index.saturating_sub(WINDOW_SIZE) as isize;
            let head = self.chain_head - self.hash_offset as isize;
            if head >= min_index
                && (skip != SKIP_NEVER && lookahead > MIN_MATCH_LENGTH - 1
                    || skip == SKIP_NEVER && lookahead > prev_length && prev_length < self.lvl.lazy)
            {
                if let Some((l, o)) =
                    self.find_match(self.index, head, MIN_MATCH_LENGTH - 1, lookahead)
                {
                    self.length = l;
                    self.offset = o;
                }
            }
            if skip != SKIP_NEVER && self.length >= MIN_MATCH_LENGTH
                || skip == SKIP_NEVER
                    && prev_length >= MIN_MATCH_LENGTH
                    && self.length <= prev_length
            {
                // Emit the match found here (greedy levels) or the previous
                // one, which the current position did not improve on (lazy).
                let tok = if skip != SKIP_NEVER {
                    match_token(
                        self.length - BASE_MATCH_LENGTH,
                        self.offset - BASE_MATCH_OFFSET,
                    )
                } else {
                    match_token(
                        prev_length - BASE_MATCH_LENGTH,
                        prev_offset - BASE_MATCH_OFFSET,
                    )
                };
                self.tokens.push(tok);
                if self.length <= skip {
                    // Hash every position covered by the match.
                    let new_index = if skip != SKIP_NEVER {
                        self.index + self.length
                    } else {
                        self.index + prev_length - 1
                    };
                    self.index += 1;
                    while self.index < new_index {
                        if (self.index as isize) < self.max_insert_index {
                            self.insert_hash(self.index);
                        }
                        self.index += 1;
                    }
                    if skip == SKIP_NEVER {
                        self.byte_available = false;
                        self.length = MIN_MATCH_LENGTH - 1;
                    }
                } else {
                    self.index += self.length;
                }
                if self.tokens.len() == MAX_FLATE_BLOCK_TOKENS {
                    self.write_block(self.index);
                    self.tokens.clear();
                }
            } else {
                if skip != SKIP_NEVER || self.byte_available {
                    let i = if skip != SKIP_NEVER {
                        self.index
                    } else {
                        self.index - 1
                    };
                    self.tokens.push(self.window[i] as u32);
                    if self.tokens.len() == MAX_FLATE_BLOCK_TOKENS {
                        self.write_block(i + 1);
                        self.tokens.clear();
                    }
                }
                self.index += 1;
                if skip == SKIP_NEVER {
                    self.byte_available = true;
                }
            }
        }
    }
}

// ---- Block writer (huffman_bit_writer.go) ----

const MAX_NUM_LIT: usize = 286;
const OFFSET_CODE_COUNT: usize = 30;
const END_BLOCK_MARKER: usize = 256;
const LENGTH_CODES_START: usize = 257;
const CODEGEN_CODE_COUNT: usize = 19;
const BAD_CODE: u8 = 255;

const LENGTH_EXTRA_BITS: [u8; 29] = [
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
];
const LENGTH_BASE: [u32; 29] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 14, 16, 20, 24, 28, 32, 40, 48, 56, 64, 80, 96, 112, 128,
    160, 192, 224, 255,
];
const OFFSET_EXTRA_BITS: [u8; 30] = [
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13,
    13,
];
const OFFSET_BASE: [u32; 30] = [
    0x0000, 0x0001, 0x0002, 0x0003, 0x0004, 0x0006, 0x0008, 0x000c, 0x0010, 0x0018, 0x0020, 0x0030,
    0x0040, 0x0060, 0x0080, 0x00c0, 0x0100, 0x0180, 0x0200, 0x0300, 0x0400, 0x0600, 0x0800, 0x0c00,
    0x1000, 0x1800, 0x2000, 0x3000, 0x4000, 0x6000,
];
const CODEGEN_ORDER: [usize; 19] = [
    16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
];

/// Length code (0..=28) of a match length minus 3; 255 (length 258) gets the
/// dedicated code 28.
fn length_code(xlength: u32) -> usize {
    (0..LENGTH_BASE.len())
        .rev()
        .find(|&c| LENGTH_BASE[c] <= xlength)
        .unwrap_or(0)
}

/// Distance code (0..=29) of a match offset minus 1.
fn offset_code(xoffset: u32) -> usize {
    (0..OFFSET_BASE.len())
        .rev()
        .find(|&c| OFFSET_BASE[c] <= xoffset)
        .unwrap_or(0)
}

struct BitWriter {
    out: Vec<u8>,
    bits: u64,
    nbits: u32,
    codegen_freq: [i32; CODEGEN_CODE_COUNT],
    literal_freq: Vec<i32>,
    offset_freq: Vec<i32>,
    codegen: Vec<u8>,
    literal_encoding: HuffmanEncoder,
    offset_encoding: HuffmanEncoder,
    codegen_encoding: HuffmanEncoder,
    fixed_literal: HuffmanEncoder,
    fixed_offset: HuffmanEncoder,
    length_codes: Vec<u8>,
}

impl BitWriter {
    fn new() -> BitWriter {
        BitWriter {
            out: Vec::new(),
            bits: 0,
            nbits: 0,
            codegen_freq: [0; CODEGEN_CODE_COUNT],
            literal_freq: vec![0; MAX_NUM_LIT],
            offset_freq: vec![0; OFFSET_CODE_COUNT],
            codegen: vec![0; MAX_NUM_LIT + OFFSET_CODE_COUNT + 1],
            literal_encoding: HuffmanEncoder::new(MAX_NUM_LIT),
            offset_encoding: HuffmanEncoder::new(OFFSET_CODE_COUNT),
            codegen_encoding: HuffmanEncoder::new(CODEGEN_CODE_COUNT),
            fixed_literal: HuffmanEncoder::fixed_literal(),
            fixed_offset: HuffmanEncoder::fixed_offset(),
            length_codes: (0..256).map(|l| length_code(l) as u8).collect(),
        }
    }

    fn write_bits(&mut self, b: u32, nb: u32) {
        self.bits |= (b as u64) << self.nbits;
        self.nbits += nb;
        while self.nbits >= 8 {
            self.out.push(self.bits as u8);
            self.bits >>= 8;
            self.nbits -= 8;
        }
    }

    fn write_code(&mut self, enc: Enc, sym: usize) {
        let (code, len) = {
            let e = self.enc(enc);
            (e.code[sym], e.len[sym])
        };
        self.write_bits(code as u32, len as u32);
    }

    /// Pads the pending bits to a byte boundary.
    fn flush(&mut self) {
        if self.nbits > 0 {
            self.out.push(self.bits as u8);
        }
        self.bits = 0;
        self.nbits = 0;
    }

    fn write_stored_header(&mut self, length: usize, eof: bool) {
        self.write_bits(eof as u32, 3);
        self.flush();
        self.write_bits(length as u32, 16);
        self.write_bits(!(length as u16) as u32, 16);
    }

    fn write_fixed_header(&mut self, eof: bool) {
        self.write_bits(if eof { 3 } else { 2 }, 3);
    }

    fn enc(&self, e: Enc) -> &HuffmanEncoder {
        match e {
            Enc::Literal => &self.literal_encoding,
            Enc::Offset => &self.offset_encoding,
            Enc::Codegen => &self.codegen_encoding,
            Enc::FixedLiteral => &self.fixed_literal,
            Enc::FixedOffset => &self.fixed_offset,
        }
    }

    /// Run-length encodes the concatenated literal/length and offset code
    /// lengths (RFC 1951 3.2.7) into `codegen`, counting symbol use in
    /// `codegen_freq`; the sequence ends with `BAD_CODE`.
    fn generate_codegen(&mut self, num_literals: usize, num_offsets: usize) {
        self.codegen_freq = [0; CODEGEN_CODE_COUNT];
        let cg = &mut self.codegen;
        let freq = &mut self.codegen_freq;
        let lens = self.literal_encoding.len[..num_literals]
            .iter()
            .chain(&self.offset_encoding.len[..num_offsets]);
        for (dst, &len) in cg.iter_mut().zip(lens) {
            *dst = len as u8;
        }
        cg[num_literals + num_offsets] = BAD_CODE;

        let mut size = cg[0];
        let mut count: isize = 1;
        let mut out = 0;
        let mut in_index = 1;
        while size != BAD_CODE {
            let next_size = cg[in_index];
            in_index += 1;
            if next_size == size {
                count += 1;
                continue;
            }
            if size != 0 {
                cg[out] = size;
                out += 1;
                freq[size as usize] += 1;
                count -= 1;
                while count >= 3 {
                    let n = count.min(6);
                    cg[out] = 16;
                    cg[out + 1] = (n - 3) as u8;
                    out += 2;
                    freq[16] += 1;
                    count -= n;
                }
            } else {
                while count >= 11 {
                    let n = count.min(138);
                    cg[out] = 18;
                    cg[out + 1] = (n - 11) as u8;
                    out += 2;
                    freq[18] += 1;
                    count -= n;
                }
                if count >= 3 {
                    cg[out] = 17;
                    cg[out + 1] = (count - 3) as u8;
                    out += 2;
                    freq[17] += 1;
                    count = 0;
                }
            }
            while count > 0 {
                cg[out] = size;
                out += 1;
                freq[size as usize] += 1;
                count -= 1;
            }
            size = next_size;
            count = 1;
        }
        cg[out] = BAD_CODE;
    }

    /// Size in bits of a dynamic block with the current tables, and the
    /// number of code-length code lengths to transmit.
    fn dynamic_size(&self, extra_bits: usize) -> (usize, usize) {
        let mut num_codegens = CODEGEN_CODE_COUNT;
        while num_codegens > 4 && self.codegen_freq[CODEGEN_ORDER[num_codegens - 1]] == 0 {
            num_codegens -= 1;
        }
        let header = 3
            + 5
            + 5
            + 4
            + 3 * num_codegens
            + self.codegen_encoding.bit_length(&self.codegen_freq)
            + self.codegen_freq[16] as usize * 2
            + self.codegen_freq[17] as usize * 3
            + self.codegen_freq[18] as usize * 7;
        let size = header
            + self.literal_encoding.bit_length(&self.literal_freq)
            + self.offset_encoding.bit_length(&self.offset_freq)
            + extra_bits;
        (size, num_codegens)
    }

    fn fixed_size(&self, extra_bits: usize) -> usize {
        3 + self.fixed_literal.bit_length(&self.literal_freq)
            + self.fixed_offset.bit_length(&self.offset_freq)
            + extra_bits
    }

    fn write_dynamic_header(
        &mut self,
        num_literals: usize,
        num_offsets: usize,
        num_codegens: usize,
        eof: bool,
    ) {
        self.write_bits(if eof { 5 } else { 4 }, 3);
        self.write_bits((num_literals - 257) as u32, 5);
        self.write_bits((num_offsets - 1) as u32, 5);
        self.write_bits((num_codegens - 4) as u32, 4);
        for &sym in &CODEGEN_ORDER[..num_codegens] {
            let len = self.codegen_encoding.len[sym];
            self.write_bits(len as u32, 3);
        }
        let mut i = 0;
        loop {
            let code_word = self.codegen[i];
            i += 1;
            if code_word == BAD_CODE {
                break;
            }
            self.write_code(Enc::Codegen, code_word as usize);
            let extra = match code_word {
                16 => 2,
                17 => 3,
                18 => 7,
                _ => 0,
            };
            if extra > 0 {
                let v = self.codegen[i];
                self.write_bits(v as u32, extra);
                i += 1;
            }
        }
    }

    /// Counts symbol frequencies of `tokens` plus the end-of-block marker and
    /// builds the dynamic literal/length and offset codes. Returns how many
    /// literal/length and offset code lengths the block header needs.
    fn index_tokens(&mut self, tokens: &[u32]) -> (usize, usize) {
        self.literal_freq.fill(0);
        self.offset_freq.fill(0);
        for &t in tokens {
            if t < MATCH_TYPE {
                self.literal_freq[t as usize] += 1;
                continue;
            }
            let length = (t - MATCH_TYPE) >> LENGTH_SHIFT;
            let offset = t & OFFSET_MASK;
            self.literal_freq[LENGTH_CODES_START + self.length_codes[length as usize] as usize] +=
                1;
            self.offset_freq[offset_code(offset)] += 1;
        }
        self.literal_freq[END_BLOCK_MARKER] += 1;

        let mut num_literals = self.literal_freq.len();
        while self.literal_freq[num_literals - 1] == 0 {
            num_literals -= 1;
        }
        let mut num_offsets = self.offset_freq.len();
        while num_offsets > 0 && self.offset_freq[num_offsets - 1] == 0 {
            num_offsets -= 1;
        }
        if num_offsets == 0 {
            // Go always describes at least one offset code.
            self.offset_freq[0] = 1;
            num_offsets = 1;
        }
        self.literal_encoding.generate(&self.literal_freq, 15);
        self.offset_encoding.generate(&self.offset_freq, 15);
        (num_literals, num_offsets)
    }

    /// One block of `tokens` in the smallest of the fixed, dynamic and (when
    /// the raw `input` is available and fits) stored encodings; ties go to
    /// fixed over dynamic and to Huffman over stored.
    fn write_block(&mut self, tokens: &[u32], eof: bool, input: Option<&[u8]>) {
        let (num_literals, num_offsets) = self.index_tokens(tokens);

        let stored = input.filter(|i| i.len() <= MAX_STORE_BLOCK_SIZE);
        let mut extra_bits = 0;
        if stored.is_some() {
            for code in LENGTH_CODES_START + 8..num_literals {
                extra_bits += self.literal_freq[code] as usize
                    * LENGTH_EXTRA_BITS[code - LENGTH_CODES_START] as usize;
            }
            let offsets = self.offset_freq[..num_offsets]
                .iter()
                .zip(OFFSET_EXTRA_BITS);
            for (&f, eb) in offsets.skip(4) {
                extra_bits += f as usize * eb as usize;
            }
        }

        let mut size = self.fixed_size(extra_bits);
        let mut dynamic = false;
        self.generate_codegen(num_literals, num_offsets);
        self.codegen_encoding.generate(&self.codegen_freq, 7);
        let (dynamic_size, num_codegens) = self.dynamic_size(extra_bits);
        if dynamic_size < size {
            size = dynamic_size;
            dynamic = true;
        }

        if let Some(raw) = stored {
            if (raw.len() + 5) * 8 < size {
                self.write_stored_header(raw.len(), eof);
                self.flush();
                self.out.extend_from_slice(raw);
                return;
            }
        }

        let (lit, off) = if dynamic {
            self.write_dynamic_header(num_literals, num_offsets, num_codegens, eof);
            (Enc::Literal, Enc::Offset)
        } else {
            self.write_fixed_header(eof);
            (Enc::FixedLiteral, Enc::FixedOffset)
        };
        for &t in tokens {
            if t < MATCH_TYPE {
                self.write_code(lit, t as usize);
                continue;
            }
            let length = (t - MATCH_TYPE) >> LENGTH_SHIFT;
            let lc = self.length_codes[length as usize] as usize;
            self.write_code(lit, lc + LENGTH_CODES_START);
            let eb = LENGTH_EXTRA_BITS[lc] as u32;
            if eb > 0 {
                self.write_bits(length - LENGTH_BASE[lc], eb);
            }
            let offset = t & OFFSET_MASK;
            let oc = offset_code(offset);
            self.write_code(off, oc);
            let eb = OFFSET_EXTRA_BITS[oc] as u32;
            if eb > 0 {
                self.write_bits(offset - OFFSET_BASE[oc], eb);
            }
        }
        self.write_code(lit, END_BLOCK_MARKER);
    }
}

#[derive(Clone, Copy)]
enum Enc {
    Literal,
    Offset,
    Codegen,
    FixedLiteral,
    FixedOffset,
}

// ---- Huffman code construction (huffman_code.go) ----

#[derive(Clone, Copy, Default)]
struct LiteralNode {
    literal: u16,
    freq: i32,
}

#[derive(Clone, Copy, Default)]
struct LevelInfo {
    level: usize,
    last_freq: i32,
    next_char_freq: i32,
    next_pair_freq: i32,
    needed: i32,
}

const MAX_BITS_LIMIT: usize = 16;

struct HuffmanEncoder {
    /// Bit-reversed codes, ready to be written LSB first.
    code: Vec<u16>,
    len: Vec<u16>,
}

fn reverse_bits(number: u16, bit_length: u16) -> u16 {
    (number << (16 - bit_length)).reverse_bits()
}

impl HuffmanEncoder {
    fn new(size: usize) -> HuffmanEncoder {
        HuffmanEncoder {
            code: vec![0; size],
            len: vec![0; size],
        }
    }

    fn fixed_literal() -> HuffmanEncoder {
        let mut h = HuffmanEncoder::new(MAX_NUM_LIT);
        for ch in 0..MAX_NUM_LIT as u16 {
            let (bits, size) = match ch {
                0..=143 => (ch + 48, 8),
                144..=255 => (ch + 400 - 144, 9),
                256..=279 => (ch - 256, 7),
                _ => (ch + 192 - 280, 8),
            };
            h.code[ch as usize] = reverse_bits(bits, size);
            h.len[ch as usize] = size;
        }
        h
    }

    fn fixed_offset() -> HuffmanEncoder {
        let mut h = HuffmanEncoder::new(OFFSET_CODE_COUNT);
        for i in 0..OFFSET_CODE_COUNT {
            h.code[i] = reverse_bits(i as u16, 5);
            h.len[i] = 5;
        }
        h
    }

    fn bit_length(&self, freq: &[i32]) -> usize {
        freq.iter()
            .zip(&self.len)
            .map(|(&f, &l)| f as usize * l as usize)
            .sum()
    }

    /// Go's length-limited code: how many of the `list` symbols (sorted by
    /// increasing frequency) get each code length, `result[len]`.
    fn bit_counts(list: &[LiteralNode], max_bits: usize) -> Vec<i32> {
        assert!(max_bits < MAX_BITS_LIMIT, "flate: maxBits too large");
        let n = list.len();
        let freq_at = |i: usize| {
            if i < n {
                list[i].freq
            } else {
                i32::MAX
            }
        };
        let max_bits = max_bits.min(n - 1);

        let mut levels = [LevelInfo::default(); MAX_BITS_LIMIT + 1];
        let mut leaf_counts = [[0i32; MAX_BITS_LIMIT]; MAX_BITS_LIMIT];
        for level in 1..=max_bits {
            levels[level] = LevelInfo {
                level,
                last_freq: freq_at(1),
                next_char_freq: freq_at(2),
                next_pair_freq: freq_at(0) + freq_at(1),
                needed: 0,
            };
            leaf_counts[level][level] = 2;
            if level == 1 {
                levels[level].next_pair_freq = i32::MAX;
            }
        }
        levels[max_bits].needed = 2 * n as i32 - 4;

        let mut level = max_bits;
        loop {
            let l = levels[level];
            if l.next_pair_freq == i32::MAX && l.next_char_freq == i32::MAX {
                // Out of leaves and pairs at this level.
                levels[level].needed = 0;
                levels[level + 1].next_pair_freq = i32::MAX;
                level += 1;
                continue;
            }
            let prev_freq = l.last_freq;
            if l.next_char_freq < l.next_pair_freq {
                // Next item on this row is a leaf.
                let n = leaf_counts[level][level] + 1;
                levels[level].last_freq = l.next_char_freq;
                leaf_counts[level][level] = n;
                levels[level].next_char_freq = freq_at(n as usize);
            } else {
                // Next item is a pair from the row below.
                levels[level].last_freq = l.next_pair_freq;
                let (lower, upper) = leaf_counts.split_at_mut(level);
                upper[0][..level].copy_from_slice(&lower[level - 1][..level]);
                levels[l.level - 1].needed = 2;
            }
            levels[level].needed -= 1;
            if levels[level].needed == 0 {
                if l.level == max_bits {
                    break;
                }
                levels[l.level + 1].next_pair_freq =
                    prev_freq.wrapping_add(levels[level].last_freq);
                level += 1;
            } else {
                while levels[level - 1].needed > 0 {
                    level -= 1;
                }
            }
        }
        assert_eq!(
            leaf_counts[max_bits][max_bits], n as i32,
            "leafCounts[maxBits][maxBits] != n"
        );

        let mut bit_count = vec![0i32; max_bits + 1];
        let counts = &leaf_counts[max_bits];
        for (bits, level) in (1..=max_bits).rev().enumerate() {
            bit_count[bits + 1] = counts[level] - counts[level - 1];
        }
        bit_count
    }

    /// Canonical code assignment: the most frequent symbols get the shortest
    /// codes; within one length, codes ascend with the symbol value.
    fn assign_encoding_and_size(&mut self, bit_count: &[i32], mut list: &mut [LiteralNode]) {
        let mut code: u16 = 0;
        for (n, &bits) in bit_count.iter().enumerate() {
            code = code.wrapping_shl(1);
            if n == 0 || bits == 0 {
                continue;
            }
            let split = list.len() - bits as usize;
            let (rest, chunk) = list.split_at_mut(split);
            chunk.sort_unstable_by_key(|node| node.literal);
            for node in chunk.iter() {
                self.code[node.literal as usize] = reverse_bits(code, n as u16);
                self.len[node.literal as usize] = n as u16;
                code = code.wrapping_add(1);
            }
            list = rest;
        }
    }

    /// Builds the code for `freq` with lengths limited to `max_bits`.
    fn generate(&mut self, freq: &[i32], max_bits: usize) {
        let mut list: Vec<LiteralNode> = Vec::with_capacity(freq.len());
        for (i, &f) in freq.iter().enumerate() {
            if f != 0 {
                list.push(LiteralNode {
                    literal: i as u16,
                    freq: f,
                });
            } else {
                self.len[i] = 0;
            }
        }
        if list.len() <= 2 {
            // With two or fewer symbols every used symbol gets one bit.
            for (i, node) in list.iter().enumerate() {
                self.code[node.literal as usize] = i as u16;
                self.len[node.literal as usize] = 1;
            }
            return;
        }
        list.sort_unstable_by_key(|node| (node.freq, node.literal));
        let bit_count = HuffmanEncoder::bit_counts(&list, max_bits);
        self.assign_encoding_and_size(&bit_count, &mut list);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;
    use md5::Md5;
    use sha2::{Digest, Sha256, Sha512};

    fn b64gz(s: &str) -> String {
        base64::engine::general_purpose::STANDARD.encode(gzip_default(s.as_bytes()))
    }

    fn md5hex(s: &str) -> String {
        hex(&Md5::digest(s.as_bytes()))
    }

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    /// Large expected outputs are pinned by length and SHA-256 of the base64.
    fn check_digest(input: &str, len: usize, sha: &str) {
        let got = b64gz(input);
        assert_eq!(got.len(), len);
        assert_eq!(hex(&Sha256::digest(got.as_bytes())), sha);
    }

    fn inflate(gz: &[u8]) -> Vec<u8> {
        use std::io::Read as _;
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(gz)
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    // Expected values below come from Terraform 0.15's base64gzip.

    #[test]
    fn tiny_inputs() {
        assert_eq!(b64gz(""), "H4sIAAAAAAAA/wAAAP//AQAA//8AAAAAAAAAAA==");
        assert_eq!(b64gz("a"), "H4sIAAAAAAAA/0oEAAAA//8BAAD//0O+t+gBAAAA");
        assert_eq!(
            b64gz("terraform"),
            "H4sIAAAAAAAA/ypJLSpKTMsvygUAAAD//wEAAP//zjnOOQkAAAA="
        );
        assert_eq!(
            b64gz("hello world"),
            "H4sIAAAAAAAA/8pIzcnJVyjPL8pJAQAAAP//AQAA//+FEUoNCwAAAA=="
        );
        assert_eq!(
            b64gz("abcd"),
            "H4sIAAAAAAAA/0pMSk4BAAAA//8BAAD//xHNgu0EAAAA"
        );
    }

    #[test]
    fn shell_script() {
        assert_eq!(
            b64gz("#!/bin/bash\necho \"hello\" > /tmp/x\n"),
            "H4sIAAAAAAAA/1JW1E/KzNNPSizO4EpNzshXUMpIzcnJV1KwU9AvyS3Qr+ACAAAA//8BAAD//50gapgiAAAA"
        );
    }

    #[test]
    fn short_repeats() {
        assert_eq!(
            b64gz("The quick brown fox jumps over the lazy dog. The quick brown fox jumps over the lazy dog."),
            "H4sIAAAAAAAA/wrJSFUoLM1MzlZIKsovz1NIy69QyCrNLShWyC9LLVIoyUhVyEmsqlRIyU/XUyBFMQAAAP//AQAA//+nCumaWQAAAA=="
        );
        assert_eq!(
            b64gz(&"a".repeat(44)),
            "H4sIAAAAAAAA/0okAQAAAAD//wEAAP//lNohbSwAAAA="
        );
        assert_eq!(
            b64gz(&"0123456789".repeat(30)),
            "H4sIAAAAAAAA/zIwNDI2MTUzt7AcZRFiAQAAAP//AQAA///0t1TALAEAAA=="
        );
    }

    #[test]
    fn unicode() {
        assert_eq!(
            b64gz("😀🎉ñ"),
            "H4sIAAAAAAAA//owf0bDh/l9nYc3AgAAAP//AQAA///+Y45rCgAAAA=="
        );
        let s: String = (0..500).map(|i| format!("héllo ☃ 日本語 {i}\n")).collect();
        check_digest(
            &s,
            1576,
            "830c739e3cce0b163f4e57789b631255c0406c5fc519c072188198596854381a",
        );
    }

    #[test]
    fn repetitive_text() {
        let s: String = (0..2000).map(|i| format!("abc{}", i % 7)).collect();
        assert_eq!(
            b64gz(&s),
            "H4sIAAAAAAAA/+zJSQGDAAADMEsbl5+2/j0ghLyT7pfun+5Id6a70t3pHsYYY4wxxhhjjDHGGGOMMcYYY+wr9gIAAP//AQAA//+Jz1O/QB8AAA=="
        );
    }

    #[test]
    fn long_run_spanning_window_slides() {
        let s = "x".repeat(70000);
        check_digest(
            &s,
            152,
            "859f0236fb40eb108c9d15ce4e10f6eeb434993e9b19734c2f4e5db11d237dcc",
        );
    }

    #[test]
    fn varied_text_few_kb() {
        let s = (0..200)
            .map(|i| md5hex(&i.to_string()))
            .collect::<Vec<_>>()
            .join(",");
        check_digest(
            &s,
            4664,
            "bdb13b9d1e7bcd6a9b7cdb5c56a62fa0fbff1685b639790cbb86aaccdf03def5",
        );
    }

    #[test]
    fn varied_text_multi_block() {
        let s = (0..3000)
            .map(|i| md5hex(&i.to_string()))
            .collect::<Vec<_>>()
            .join(",");
        check_digest(
            &s,
            70220,
            "a43f8b03443a800d78a8efb0a262168f942e1f232b2fcbe315d3747d37e221bc",
        );
    }

    #[test]
    fn mixed_lines_large() {
        let s = (0..5000u64)
            .map(|i| {
                format!(
                    "line {i}: {} value={}",
                    i * i % 977,
                    md5hex(&(i % 50).to_string())
                )
            })
            .collect::<Vec<_>>()
            .join("\n");
        assert_eq!(s.len(), 268274);
        check_digest(
            &s,
            43680,
            "b3ed86385f52a71f95d35fdc66cbf590bda6cd0f8878f995288d00ddaff29970",
        );
    }

    #[test]
    fn hex_noise() {
        let s: String = (0..20000)
            .map(|i| md5hex(&i.to_string()).as_bytes()[i % 32] as char)
            .collect();
        check_digest(
            &s,
            13940,
            "fbbea0062273f65b9b7e4dbbd35e6823e67944cfdfa8b4761fe5f584bfed7671",
        );
    }

    #[test]
    fn sha512_concat() {
        let s: String = (0..1000)
            .map(|i| hex(&Sha512::digest(i.to_string().as_bytes())))
            .collect();
        check_digest(
            &s,
            89548,
            "cef7d0c9c849786630600a8b218e01239ee26fd480a4d29cbb4ed4076302b7f9",
        );
    }

    #[test]
    fn numbers() {
        let s = (0..12000)
            .map(|i| (i * 37 % 1001).to_string())
            .collect::<Vec<_>>()
            .join(" ");
        check_digest(
            &s,
            2820,
            "6728ec78c380a3034917106f2a70dd5bb580332ab97f6ec00ad1b41adffa16a2",
        );
    }

    #[test]
    fn round_trips_at_all_levels() {
        let inputs: Vec<Vec<u8>> = vec![
            Vec::new(),
            b"abc".to_vec(),
            (0..300_000u32).map(|i| (i * 7 % 251) as u8).collect(),
            (0..100_000u32)
                .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
                .collect(),
        ];
        for level in [-1, 2, 3, 4, 5, 6, 7, 8, 9] {
            for input in &inputs {
                let gz = gzip_level(input, level);
                assert_eq!(&inflate(&gz), input, "level {level}");
            }
        }
        assert_eq!(gzip_best(b"x")[8], 2);
    }
}
