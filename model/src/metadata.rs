//! What a picture file says about itself, taken out of the pictures of the `static/` folders,
//! which are published as they are (the pictures of the pages' text are made again, with
//! nothing of it): EXIF (where a phone photo was taken, the phone, the date), XMP and comments.
//! Only whole blocks are dropped: the picture's own bytes are kept as they are.

/// Why a picture cannot be published as it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MetadataError {
    /// Its EXIF data turns it: without that data it would show sideways.
    #[error(
        "this photo is stored turned (its EXIF data says to show it rotated), and that data, \
         which may hold where and when it was taken, is not published: show it from a page \
         with `![description](file)`, which turns it straight, or save it turned straight"
    )]
    Rotated,
    #[error("this picture's file is damaged: {0}")]
    Damaged(&'static str),
}

/// The bytes to publish of the picture `name` (by its extension): `Ok(None)` when they are
/// the file's own (nothing to take out, or not a JPEG, PNG or WebP).
pub fn strip(name: &str, bytes: &[u8]) -> Result<Option<Vec<u8>>, MetadataError> {
    let ext = name
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .unwrap_or_default();
    let stripped = match ext.as_str() {
        "jpg" | "jpeg" => jpeg(bytes)?,
        "png" => png(bytes)?,
        "webp" => webp(bytes)?,
        _ => return Ok(None),
    };
    Ok((stripped.len() != bytes.len()).then_some(stripped))
}

/// A JPEG without its APP1 (EXIF, XMP), APP3–APP13 and APP15 segments and comments; APP0
/// (JFIF), APP2 (the colour profile) and APP14 (Adobe's colour transform, needed to decode)
/// are kept.
fn jpeg(bytes: &[u8]) -> Result<Vec<u8>, MetadataError> {
    if !bytes.starts_with(&[0xFF, 0xD8]) {
        return Err(MetadataError::Damaged("it does not start as a JPEG does"));
    }
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(&bytes[..2]);
    let mut at = 2;
    loop {
        let marker = match bytes.get(at..at + 2) {
            Some([0xFF, marker]) => *marker,
            _ => return Err(MetadataError::Damaged("a segment of it is cut short")),
        };
        // The scan: the picture itself, to the end of the file.
        if marker == 0xDA {
            out.extend_from_slice(&bytes[at..]);
            return Ok(out);
        }
        let length = match bytes.get(at + 2..at + 4) {
            Some(&[high, low]) => usize::from(u16::from_be_bytes([high, low])),
            _ => return Err(MetadataError::Damaged("a segment of it is cut short")),
        };
        let end = at + 2 + length;
        let segment = bytes
            .get(at..end)
            .ok_or(MetadataError::Damaged("a segment of it is cut short"))?;
        if marker == 0xE1 && is_rotated_exif(&segment[4..]) {
            return Err(MetadataError::Rotated);
        }
        let dropped =
            marker == 0xFE || ((0xE1..=0xEF).contains(&marker) && marker != 0xE2 && marker != 0xEE);
        if !dropped {
            out.extend_from_slice(segment);
        }
        at = end;
    }
}

/// Whether an APP1 segment's data is EXIF that turns the picture (orientation other than 1).
fn is_rotated_exif(data: &[u8]) -> bool {
    let Some(tiff) = data.strip_prefix(b"Exif\0\0") else {
        return false;
    };
    let big = match tiff.get(..2) {
        Some(b"MM") => true,
        Some(b"II") => false,
        _ => return false,
    };
    let u16_at = |i: usize| {
        tiff.get(i..i + 2).map(|b| {
            if big {
                u16::from_be_bytes([b[0], b[1]])
            } else {
                u16::from_le_bytes([b[0], b[1]])
            }
        })
    };
    let u32_at = |i: usize| {
        tiff.get(i..i + 4).map(|b| {
            let b = [b[0], b[1], b[2], b[3]];
            if big {
                u32::from_be_bytes(b)
            } else {
                u32::from_le_bytes(b)
            }
        })
    };
    let Some(ifd) = u32_at(4).map(|o| o as usize) else {
        return false;
    };
    let count = u16_at(ifd).unwrap_or(0) as usize;
    (0..count).any(|n| {
        let entry = ifd + 2 + n * 12;
        u16_at(entry) == Some(0x0112) && u16_at(entry + 8).is_some_and(|o| o > 1)
    })
}

/// A PNG without its text chunks (tEXt, zTXt, iTXt), EXIF (eXIf) and time (tIME).
fn png(bytes: &[u8]) -> Result<Vec<u8>, MetadataError> {
    const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
    if !bytes.starts_with(SIGNATURE) {
        return Err(MetadataError::Damaged("it does not start as a PNG does"));
    }
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(SIGNATURE);
    let mut at = SIGNATURE.len();
    while at < bytes.len() {
        let header = bytes
            .get(at..at + 8)
            .ok_or(MetadataError::Damaged("a chunk of it is cut short"))?;
        let length = u32::from_be_bytes([header[0], header[1], header[2], header[3]]) as usize;
        let end = at + 12 + length;
        let chunk = bytes
            .get(at..end)
            .ok_or(MetadataError::Damaged("a chunk of it is cut short"))?;
        if !matches!(
            &header[4..8],
            b"tEXt" | b"zTXt" | b"iTXt" | b"eXIf" | b"tIME"
        ) {
            out.extend_from_slice(chunk);
        }
        at = end;
    }
    Ok(out)
}

/// A WebP without its EXIF and XMP chunks (and their flags in its VP8X header).
fn webp(bytes: &[u8]) -> Result<Vec<u8>, MetadataError> {
    if bytes.len() < 12 || &bytes[..4] != b"RIFF" || &bytes[8..12] != b"WEBP" {
        return Err(MetadataError::Damaged("it does not start as a WebP does"));
    }
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(&bytes[..12]);
    let mut at = 12;
    while at < bytes.len() {
        let header = bytes
            .get(at..at + 8)
            .ok_or(MetadataError::Damaged("a chunk of it is cut short"))?;
        let length = u32::from_le_bytes([header[4], header[5], header[6], header[7]]) as usize;
        // Chunks are padded to an even length.
        let end = (at + 8 + length + (length & 1)).min(bytes.len());
        let chunk = bytes
            .get(at..end)
            .ok_or(MetadataError::Damaged("a chunk of it is cut short"))?;
        match &header[..4] {
            b"EXIF" | b"XMP " => {}
            b"VP8X" if chunk.len() > 8 => {
                let mut vp8x = chunk.to_vec();
                // Flags: 0x08 EXIF, 0x04 XMP.
                vp8x[8] &= !0x0C;
                out.extend_from_slice(&vp8x);
            }
            _ => out.extend_from_slice(chunk),
        }
        at = end;
    }
    let size = u32::try_from(out.len() - 8).map_err(|_| MetadataError::Damaged("too large"))?;
    out[4..8].copy_from_slice(&size.to_le_bytes());
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An APP1 EXIF segment with one IFD0 entry: orientation `orientation`, and a GPS pointer.
    fn exif(orientation: u16) -> Vec<u8> {
        let mut tiff = b"II*\0\x08\0\0\0".to_vec();
        tiff.extend_from_slice(&2u16.to_le_bytes());
        tiff.extend_from_slice(&[0x12, 0x01, 3, 0, 1, 0, 0, 0]);
        tiff.extend_from_slice(&orientation.to_le_bytes());
        tiff.extend_from_slice(&[0, 0]);
        tiff.extend_from_slice(&[0x25, 0x88, 4, 0, 1, 0, 0, 0, 0, 0, 0, 0]);
        tiff.extend_from_slice(&[0, 0, 0, 0]);
        let mut data = b"Exif\0\0".to_vec();
        data.extend_from_slice(&tiff);
        let mut segment = vec![0xFF, 0xE1];
        segment.extend_from_slice(&((data.len() + 2) as u16).to_be_bytes());
        segment.extend_from_slice(&data);
        segment
    }

    fn jpeg_with(segments: &[Vec<u8>]) -> Vec<u8> {
        let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 4, b'J', b'F'];
        for segment in segments {
            bytes.extend_from_slice(segment);
        }
        bytes.extend_from_slice(&[0xFF, 0xDA, 0, 2, 1, 2, 3, 0xFF, 0xD9]);
        bytes
    }

    #[test]
    fn a_jpegs_exif_and_comments_are_taken_out_and_the_picture_kept() {
        let comment = vec![0xFF, 0xFE, 0, 7, b'n', b'o', b't', b'e', b'!'];
        let icc = vec![0xFF, 0xE2, 0, 4, 1, 2];
        let bytes = jpeg_with(&[exif(1), comment, icc.clone()]);
        let stripped = strip("photo.JPG", &bytes)
            .expect("strips")
            .expect("changed");
        assert_eq!(stripped, jpeg_with(&[icc]));
        assert_eq!(
            strip("photo.jpg", &stripped),
            Ok(None),
            "nothing left to take out"
        );
    }

    #[test]
    fn a_jpeg_turned_by_its_exif_is_refused_rather_than_shown_sideways() {
        assert_eq!(
            strip("photo.jpg", &jpeg_with(&[exif(6)])),
            Err(MetadataError::Rotated)
        );
    }

    #[test]
    fn a_pngs_text_chunks_are_taken_out() {
        let chunk = |kind: &[u8; 4], data: &[u8]| {
            let mut c = (data.len() as u32).to_be_bytes().to_vec();
            c.extend_from_slice(kind);
            c.extend_from_slice(data);
            c.extend_from_slice(&[0, 0, 0, 0]);
            c
        };
        let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
        let ihdr = chunk(b"IHDR", &[0; 13]);
        let idat = chunk(b"IDAT", &[1, 2, 3]);
        bytes.extend(ihdr.clone());
        bytes.extend(chunk(b"tEXt", b"Author\0Someone"));
        bytes.extend(idat.clone());
        let stripped = strip("a.png", &bytes).expect("strips").expect("changed");
        let mut expected = b"\x89PNG\r\n\x1a\n".to_vec();
        expected.extend(ihdr);
        expected.extend(idat);
        assert_eq!(stripped, expected);
    }

    #[test]
    fn a_webps_exif_chunk_and_flag_are_taken_out() {
        let mut bytes = b"RIFF\0\0\0\0WEBP".to_vec();
        bytes.extend_from_slice(b"VP8X\x0a\0\0\0\x08\0\0\0\0\0\0\0\0\0");
        bytes.extend_from_slice(b"VP8L\x02\0\0\0ab");
        bytes.extend_from_slice(b"EXIF\x03\0\0\0xyz\0");
        let size = (bytes.len() - 8) as u32;
        bytes[4..8].copy_from_slice(&size.to_le_bytes());
        let stripped = strip("a.webp", &bytes).expect("strips").expect("changed");
        assert!(!stripped.windows(4).any(|w| w == b"EXIF"));
        assert_eq!(stripped[20], 0, "the EXIF flag is cleared");
        assert_eq!(
            u32::from_le_bytes([stripped[4], stripped[5], stripped[6], stripped[7]]) as usize,
            stripped.len() - 8
        );
    }

    #[test]
    fn other_files_are_left_alone() {
        assert_eq!(strip("icon.svg", b"<svg/>"), Ok(None));
    }
}
