//! A ZIP writer that produces the bytes Go's `archive/zip` writes for the
//! archive provider: each entry deflated by Go's compressor at level 5 (the
//! in-house port in `lang::funcs::goflate`), a data descriptor after each
//! entry (flag 0x8), version 2.0, no extra fields, the central directory
//! and end record after them. Entries made from files carry Unix modes and
//! the date Go's `SetModTime(time.Time{})` writes (MS-DOS date 0x8A21, read
//! back as 2049-01-01); entries made from content carry neither, as with
//! `Writer.Create`. The same input thus gives the same bytes on every run.
//! Written from the ZIP format (APPNOTE) and Go's documented behaviour.

use crate::lang::funcs::goflate::{crc32, deflate_raw};

/// `timeToMsDosTime(time.Time{})`'s date: 1 + 1<<5 + (1-1980)<<9, as u16.
pub const GO_ZERO_TIME_DOS_DATE: u16 = (1i64 + (1 << 5) + ((1 - 1980) << 9)) as u16;

/// One entry to write.
#[derive(Clone, Debug)]
pub struct Entry {
    pub name: String,
    pub data: Vec<u8>,
    /// The Unix mode (type and permission bits) of an entry made from a
    /// file (`FileInfoHeader` + `SetMode`); `None` for one made from
    /// content (`Writer.Create`).
    pub unix_mode: Option<u32>,
}

/// Go's `detectUTF8`: (valid, requires the UTF-8 flag).
fn detect_utf8(s: &str) -> (bool, bool) {
    let require = s
        .chars()
        .any(|c| (c as u32) < 0x20 || (c as u32) > 0x7d || c == '\\');
    (true, require)
}

fn u16le(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_le_bytes());
}
fn u32le(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

#[derive(Debug, thiserror::Error)]
pub enum ZipError {
    #[error("zip: the entry {0:?} is too large for a ZIP file without ZIP64")]
    TooLarge(String),
    #[error("zip: the name {0:?} is too long")]
    LongName(String),
}

/// The whole archive.
pub fn write_zip(entries: &[Entry]) -> Result<Vec<u8>, ZipError> {
    struct Dir {
        creator: u16,
        flags: u16,
        time: u16,
        date: u16,
        crc: u32,
        csize: u32,
        usize_: u32,
        external: u32,
        offset: u32,
        name: Vec<u8>,
    }
    let mut out = vec![];
    let mut dir = vec![];
    for e in entries {
        if e.name.len() > u16::MAX as usize {
            return Err(ZipError::LongName(e.name.clone()));
        }
        let offset = u32::try_from(out.len()).map_err(|_| ZipError::TooLarge(e.name.clone()))?;
        let (valid, require) = detect_utf8(&e.name);
        let mut flags = 0x8u16;
        if valid && require {
            flags |= 0x800;
        }
        let (creator, external, date) = match e.unix_mode {
            Some(m) => {
                let mut ext = m << 16;
                if m & 0o200 == 0 {
                    ext |= 0x01; // MS-DOS read-only
                }
                (3 << 8 | 20, ext, GO_ZERO_TIME_DOS_DATE)
            }
            None => (20, 0, 0),
        };
        // Local file header; CRC and sizes follow in the data descriptor.
        u32le(&mut out, 0x0403_4b50);
        u16le(&mut out, 20);
        u16le(&mut out, flags);
        u16le(&mut out, 8);
        u16le(&mut out, 0);
        u16le(&mut out, date);
        u32le(&mut out, 0);
        u32le(&mut out, 0);
        u32le(&mut out, 0);
        u16le(&mut out, e.name.len() as u16);
        u16le(&mut out, 0);
        out.extend_from_slice(e.name.as_bytes());
        let comp = deflate_raw(&e.data, 5);
        let crc = crc32(&e.data);
        let csize = u32::try_from(comp.len()).map_err(|_| ZipError::TooLarge(e.name.clone()))?;
        let usize_ = u32::try_from(e.data.len()).map_err(|_| ZipError::TooLarge(e.name.clone()))?;
        if csize == u32::MAX || usize_ == u32::MAX {
            return Err(ZipError::TooLarge(e.name.clone()));
        }
        out.extend_from_slice(&comp);
        u32le(&mut out, 0x0807_4b50);
        u32le(&mut out, crc);
        u32le(&mut out, csize);
        u32le(&mut out, usize_);
        dir.push(Dir {
            creator,
            flags,
            time: 0,
            date,
            crc,
            csize,
            usize_,
            external,
            offset,
            name: e.name.as_bytes().to_vec(),
        });
    }
    let start = out.len();
    for d in &dir {
        u32le(&mut out, 0x0201_4b50);
        u16le(&mut out, d.creator);
        u16le(&mut out, 20);
        u16le(&mut out, d.flags);
        u16le(&mut out, 8);
        u16le(&mut out, d.time);
        u16le(&mut out, d.date);
        u32le(&mut out, d.crc);
        u32le(&mut out, d.csize);
        u32le(&mut out, d.usize_);
        u16le(&mut out, d.name.len() as u16);
        u16le(&mut out, 0); // extra
        u16le(&mut out, 0); // comment
        u16le(&mut out, 0); // disk number start
        u16le(&mut out, 0); // internal attributes
        u32le(&mut out, d.external);
        u32le(&mut out, d.offset);
        out.extend_from_slice(&d.name);
    }
    let end = out.len();
    if dir.len() >= u16::MAX as usize || end > u32::MAX as usize {
        return Err(ZipError::TooLarge("archive".into()));
    }
    u32le(&mut out, 0x0605_4b50);
    u16le(&mut out, 0);
    u16le(&mut out, 0);
    u16le(&mut out, dir.len() as u16);
    u16le(&mut out, dir.len() as u16);
    u32le(&mut out, (end - start) as u32);
    u32le(&mut out, start as u32);
    u16le(&mut out, 0);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_zero_time_is_2049() {
        assert_eq!(GO_ZERO_TIME_DOS_DATE, 0x8A21);
        assert_eq!(1980 + (GO_ZERO_TIME_DOS_DATE >> 9), 2049);
    }

    #[test]
    fn utf8_flag_only_for_names_that_need_it() {
        assert_eq!(detect_utf8("a/b.txt"), (true, false));
        assert_eq!(detect_utf8("caf\u{e9}.txt"), (true, true));
        assert_eq!(detect_utf8("a~b"), (true, true));
    }

    #[test]
    fn layout_round_trips() {
        let z = write_zip(&[Entry {
            name: "a.txt".into(),
            data: b"hello hello hello".to_vec(),
            unix_mode: Some(0o100644),
        }])
        .unwrap();
        assert_eq!(&z[..4], b"PK\x03\x04");
        // End record: one entry.
        let eocd = &z[z.len() - 22..];
        assert_eq!(&eocd[..4], b"PK\x05\x06");
        assert_eq!(u16::from_le_bytes([eocd[10], eocd[11]]), 1);
        // The deflated data inflates back.
        let data_start = 30 + 5;
        let csize = u32::from_le_bytes(z[z.len() - 22 - 46 - 5 + 20..][..4].try_into().unwrap());
        let raw = &z[data_start..data_start + csize as usize];
        assert_eq!(
            miniz_oxide::inflate::decompress_to_vec(raw).unwrap(),
            b"hello hello hello"
        );
    }
}
