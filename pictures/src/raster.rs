//! Photos and other raster pictures: decoded, turned upright, resized to a few widths, encoded as
//! WebP plus one JPEG or PNG fallback, with nothing of the source's metadata.
//!
//! WebP rather than AVIF, measured on five 2560×1600 photos resized to 960 px (/tmp/probe-avif,
//! `nice cargo build --release && target/release/probe-avif`, 2 shared cores): WebP q75 15–100 KB
//! in 60–113 ms; AVIF (ravif, q60, speed 6/8) 10–60 KB, about 40 % smaller, in 1.5–3.1 s, 20–30× slower.
//! Through `process` on the same photos: WebP 960 px 15–111 KB, JPEG fallback (q75) 44–140 KB.

use std::io::Cursor;

use fast_image_resize::images::{Image, ImageRef};
use fast_image_resize::{PixelType, ResizeAlg, ResizeOptions, Resizer};
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use image::{DynamicImage, ImageDecoder, ImageEncoder, ImageError, ImageReader, Limits};
use moxcms::{ColorProfile, Layout, Transform8BitExecutor, TransformOptions};
use std::sync::Arc;

/// The widths made, narrowest first: a phone; the usual phone (390 px at pixel ratio 2 needs
/// 716 px of the text column: 720 fits it, and weighs about half of 960); a laptop; a large
/// screen at pixel ratio 2.
pub const WIDTHS: [u32; 4] = [480, 720, 960, 1600];
/// A source over this is refused.
pub const MAX_BYTES: u64 = 30 * 1024 * 1024;
/// A source whose width × height is over this is refused, before it is decoded.
pub const MAX_PIXELS: u64 = 60_000_000;
const WEBP_QUALITY: f32 = 75.0;
const JPEG_QUALITY: u8 = 75;
/// Every setting the outputs depend on: part of the cache key, so changing one encodes again.
pub const SETTINGS: &str =
    "raster v4; colours converted to sRGB (moxcms 0.8); widths 480,720,960,1600 and the source's own below 1600; resize Lanczos3 (fast_image_resize 6); \
     webp libwebp-sys 0.9 lossy q75 method 4; jpeg image 0.25 q75; png image 0.25 best adaptive; \
     fallback middle width";

/// An output's file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Format {
    Webp,
    Jpeg,
    Png,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Webp => "webp",
            Format::Jpeg => "jpg",
            Format::Png => "png",
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            Format::Webp => "image/webp",
            Format::Jpeg => "image/jpeg",
            Format::Png => "image/png",
        }
    }
}

/// One published file.
#[derive(Debug, Clone)]
pub struct EncodedFile {
    pub width: u32,
    pub height: u32,
    pub format: Format,
    pub bytes: Vec<u8>,
}

/// Every file made from one source.
#[derive(Debug, Clone)]
pub struct Encoded {
    /// The picture's size once its EXIF orientation is applied.
    pub width: u32,
    pub height: u32,
    /// The WebP files, narrowest first.
    pub modern: Vec<EncodedFile>,
    /// One JPEG (opaque source) or PNG (source with any transparent pixel), at the middle width
    /// (960, or the widest made when the source is narrower).
    pub fallback: EncodedFile,
}

/// Why a picture cannot be published, in words an editor can act on.
#[derive(Debug, thiserror::Error)]
pub enum RasterError {
    #[error(
        "this picture is {}, over the limit of {}: export it smaller (for example 3000 pixels wide)",
        megabytes(*bytes),
        megabytes(*limit)
    )]
    TooLarge { bytes: u64, limit: u64 },
    #[error(
        "this picture is {width} × {height} pixels, over the limit of {} megapixels: export it smaller (for example 3000 pixels wide)",
        limit / 1_000_000
    )]
    TooManyPixels { width: u32, height: u32, limit: u64 },
    #[error(
        "this picture is in a format the build does not read ({found}): save it as JPEG or PNG"
    )]
    Format { found: String },
    #[error("this picture's file is cut short (an incomplete copy or download): copy it again")]
    Truncated,
    #[error(
        "this file cannot be read as a picture ({0}): open it in an image editor and save it again as JPEG or PNG"
    )]
    Unreadable(String),
    #[error("this picture could not be encoded ({0}): report it to the site's maintainers")]
    Encode(String),
}

fn megabytes(bytes: u64) -> String {
    let mb = bytes as f64 / (1024.0 * 1024.0);
    if mb.fract() == 0.0 {
        format!("{mb:.0} MB")
    } else {
        format!("{mb:.1} MB")
    }
}

/// The formats `process` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Jpeg,
    Png,
    Webp,
}

/// What the first bytes say the file is: one of the formats read, or the name of another.
fn sniff(bytes: &[u8]) -> Result<Source, String> {
    let starts = |magic: &[u8]| bytes.starts_with(magic);
    if starts(&[0xFF, 0xD8, 0xFF]) {
        return Ok(Source::Jpeg);
    }
    if starts(b"\x89PNG\r\n\x1a\n") {
        return Ok(Source::Png);
    }
    if starts(b"RIFF") && bytes.get(8..12) == Some(b"WEBP") {
        return Ok(Source::Webp);
    }
    if bytes.get(4..8) == Some(b"ftyp") {
        return Err(iso_brand(bytes).to_string());
    }
    let other = if starts(b"GIF87a") || starts(b"GIF89a") {
        "GIF"
    } else if starts(b"II*\0") || starts(b"MM\0*") {
        "TIFF"
    } else if starts(b"BM") {
        "BMP"
    } else if starts(&[0, 0, 1, 0]) {
        "ICO"
    } else if starts(b"%PDF") {
        "PDF"
    } else if starts(b"8BPS") {
        "PSD"
    } else {
        "unknown"
    };
    Err(other.to_string())
}

/// HEIC/HEIF or AVIF, from an ISO media file's major and compatible brands.
fn iso_brand(bytes: &[u8]) -> &'static str {
    let size = bytes
        .get(0..4)
        .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize)
        .unwrap_or(0);
    let end = size.clamp(12, bytes.len().max(12)).min(bytes.len());
    let brands: Vec<&[u8]> = bytes
        .get(8..end)
        .unwrap_or_default()
        .chunks_exact(4)
        .enumerate()
        // Skip the minor version, which follows the major brand.
        .filter(|(i, _)| *i != 1)
        .map(|(_, b)| b)
        .collect();
    let has = |names: &[&[u8]]| brands.iter().any(|b| names.contains(b));
    if has(&[b"avif", b"avis"]) {
        "AVIF"
    } else if has(&[b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis"]) {
        "HEIC"
    } else if has(&[b"mif1", b"msf1"]) {
        "HEIF"
    } else {
        "MP4 or another ISO media format"
    }
}

/// Whether the file ends before its format's end marker, which decoders may not report.
fn cut_short(source: Source, bytes: &[u8]) -> bool {
    match source {
        // No EOI marker after the scan starts. Phones may append data after it (a motion
        // photo's video), so it need not be last; inside the scan, FF D9 can only be EOI.
        Source::Jpeg => first_scan(bytes)
            .is_none_or(|scan| !bytes[scan..].windows(2).any(|w| w == [0xFF, 0xD9])),
        Source::Png => !bytes.windows(4).rev().take(64).any(|w| w == b"IEND"),
        Source::Webp => {
            let size = u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]) as usize;
            bytes.len() < size.saturating_add(8)
        }
    }
}

/// Where a JPEG's first scan (SOS) starts, walking the segments before it.
fn first_scan(bytes: &[u8]) -> Option<usize> {
    let mut at = 2;
    loop {
        let marker = *bytes.get(at + 1)?;
        if bytes[at] != 0xFF {
            return None;
        }
        if marker == 0xFF {
            // Fill bytes before a marker.
            at += 1;
            continue;
        }
        if marker == 0xDA {
            return Some(at);
        }
        let length = u16::from_be_bytes([*bytes.get(at + 2)?, *bytes.get(at + 3)?]) as usize;
        at += 2 + length;
    }
}

/// Decodes `bytes` (JPEG, PNG or WebP), applies the EXIF orientation, and encodes the widths of
/// WIDTHS that are at most the source's width, and the source's own when narrower than the
/// widest ([`widths_for`]),
/// as WebP (libwebp, lossy) plus the fallback, in sRGB (a source's colour profile, a phone's
/// Display P3, is converted). Nothing of the source's metadata is written (EXIF, GPS, XMP, ICC,
/// comments).
pub fn process(bytes: &[u8]) -> Result<Encoded, RasterError> {
    let (picture, profile) = decode(bytes)?;
    let (width, height) = (picture.width(), picture.height());
    let transparent = has_transparency(&picture);
    let pixels = if transparent {
        Pixels::Rgba(picture.into_rgba8().into_raw())
    } else {
        Pixels::Rgb(picture.into_rgb8().into_raw())
    };
    // Converted after resizing, on the few pixels published rather than the source's many.
    let layout = if transparent {
        Layout::Rgba
    } else {
        Layout::Rgb
    };
    let to_srgb = profile.as_ref().and_then(|p| to_srgb(p, layout));
    let widths = widths_for(width);
    let mut resizer = Resizer::new();
    let mut modern = Vec::with_capacity(widths.len());
    let mut fallback = None;
    let fallback_width = widths
        .iter()
        .copied()
        .filter(|w| *w <= 960)
        .max()
        .unwrap_or(width);
    for &w in &widths {
        let h = scaled_height(width, height, w);
        let mut resized = pixels.resized(&mut resizer, width, height, w, h)?;
        if let Some(transform) = &to_srgb {
            resized.convert(transform.as_ref())?;
        }
        modern.push(EncodedFile {
            width: w,
            height: h,
            format: Format::Webp,
            bytes: resized.webp(w, h)?,
        });
        if w == fallback_width {
            fallback = Some(resized.fallback(w, h)?);
        }
    }
    let fallback = fallback.ok_or_else(|| RasterError::Encode("no fallback width".into()))?;
    Ok(Encoded {
        width,
        height,
        modern,
        fallback,
    })
}

/// The widths made for a source `width` pixels wide: those of [`WIDTHS`] it is wider than,
/// and its own when it is narrower than the widest and more than a tenth wider than the last
/// one made (a 1,200-pixel photo keeps its 1,200 pixels for large screens).
fn widths_for(width: u32) -> Vec<u32> {
    let mut widths: Vec<u32> = WIDTHS.iter().copied().filter(|w| *w <= width).collect();
    let largest = widths.last().copied().unwrap_or(0);
    if largest < WIDTHS[WIDTHS.len() - 1] && u64::from(width) * 10 > u64::from(largest) * 11 {
        widths.push(width);
    }
    widths
}

fn scaled_height(width: u32, height: u32, to: u32) -> u32 {
    let h = (u64::from(height) * u64::from(to) + u64::from(width) / 2) / u64::from(width);
    (h as u32).max(1)
}

/// The picture, upright, after the size checks, and its colour profile if it has one.
fn decode(bytes: &[u8]) -> Result<(DynamicImage, Option<ColorProfile>), RasterError> {
    let length = bytes.len() as u64;
    if length > MAX_BYTES {
        return Err(RasterError::TooLarge {
            bytes: length,
            limit: MAX_BYTES,
        });
    }
    let source = sniff(bytes).map_err(|found| RasterError::Format { found })?;
    let format = match source {
        Source::Jpeg => image::ImageFormat::Jpeg,
        Source::Png => image::ImageFormat::Png,
        Source::Webp => image::ImageFormat::WebP,
    };
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    // The pixel count is checked below from the header; these bound what a lying header can make
    // the decoder allocate.
    limits.max_image_width = Some(100_000);
    limits.max_image_height = Some(100_000);
    limits.max_alloc = Some(MAX_PIXELS * 4 + 64 * 1024 * 1024);
    reader.limits(limits);
    let mut decoder = reader
        .into_decoder()
        .map_err(|e| decode_error(e, source, bytes))?;
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(RasterError::TooManyPixels {
            width,
            height,
            limit: MAX_PIXELS,
        });
    }
    let orientation = decoder
        .orientation()
        .map_err(|e| decode_error(e, source, bytes))?;
    // A profile that cannot be read is left out: the pixels are then taken as sRGB.
    let profile = decoder
        .icc_profile()
        .ok()
        .flatten()
        .and_then(|icc| ColorProfile::new_from_slice(&icc).ok());
    let mut picture =
        DynamicImage::from_decoder(decoder).map_err(|e| decode_error(e, source, bytes))?;
    if cut_short(source, bytes) {
        return Err(RasterError::Truncated);
    }
    picture.apply_orientation(orientation);
    Ok((picture, profile))
}

/// The conversion of pixels in `profile`'s colour space to sRGB, which the published files
/// are in (they carry no profile), for pixels of `layout`.
fn to_srgb(profile: &ColorProfile, layout: Layout) -> Option<Arc<Transform8BitExecutor>> {
    profile
        .create_transform_8bit(
            layout,
            &ColorProfile::new_srgb(),
            layout,
            TransformOptions::default(),
        )
        .ok()
}

fn decode_error(error: ImageError, source: Source, bytes: &[u8]) -> RasterError {
    if cut_short(source, bytes) {
        return RasterError::Truncated;
    }
    match error {
        ImageError::IoError(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            RasterError::Truncated
        }
        other => RasterError::Unreadable(other.to_string()),
    }
}

fn has_transparency(picture: &DynamicImage) -> bool {
    if !picture.color().has_alpha() {
        return false;
    }
    match picture {
        DynamicImage::ImageRgba8(p) => p.pixels().any(|p| p.0[3] < 255),
        DynamicImage::ImageLumaA8(p) => p.pixels().any(|p| p.0[1] < 255),
        other => other.to_rgba8().pixels().any(|p| p.0[3] < 255),
    }
}

/// 8-bit pixels, with alpha only when a pixel is transparent.
enum Pixels {
    Rgb(Vec<u8>),
    Rgba(Vec<u8>),
}

impl Pixels {
    fn resized(
        &self,
        resizer: &mut Resizer,
        width: u32,
        height: u32,
        to_width: u32,
        to_height: u32,
    ) -> Result<Pixels, RasterError> {
        let (buffer, kind) = match self {
            Pixels::Rgb(b) => (b, PixelType::U8x3),
            Pixels::Rgba(b) => (b, PixelType::U8x4),
        };
        if (to_width, to_height) == (width, height) {
            return Ok(self.same(buffer.clone()));
        }
        let source = ImageRef::new(width, height, buffer, kind)
            .map_err(|e| RasterError::Encode(e.to_string()))?;
        let mut target = Image::new(to_width, to_height, kind);
        // Alpha is premultiplied while resizing (the default), so transparent edges keep no halo.
        let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(
            fast_image_resize::FilterType::Lanczos3,
        ));
        resizer
            .resize(&source, &mut target, &options)
            .map_err(|e| RasterError::Encode(e.to_string()))?;
        Ok(self.same(target.into_vec()))
    }

    /// The pixels converted to another colour space.
    fn convert(&mut self, transform: &Transform8BitExecutor) -> Result<(), RasterError> {
        let buffer = match self {
            Pixels::Rgb(b) | Pixels::Rgba(b) => b,
        };
        let mut converted = vec![0; buffer.len()];
        transform
            .transform(buffer, &mut converted)
            .map_err(|e| RasterError::Encode(format!("colour conversion: {e}")))?;
        *buffer = converted;
        Ok(())
    }

    fn same(&self, buffer: Vec<u8>) -> Pixels {
        match self {
            Pixels::Rgb(_) => Pixels::Rgb(buffer),
            Pixels::Rgba(_) => Pixels::Rgba(buffer),
        }
    }

    fn webp(&self, width: u32, height: u32) -> Result<Vec<u8>, RasterError> {
        let encoder = match self {
            Pixels::Rgb(b) => webp::Encoder::from_rgb(b, width, height),
            Pixels::Rgba(b) => webp::Encoder::from_rgba(b, width, height),
        };
        // libwebp's defaults otherwise (method 4); the result holds no metadata chunk.
        Ok(encoder.encode(WEBP_QUALITY).to_vec())
    }

    fn fallback(&self, width: u32, height: u32) -> Result<EncodedFile, RasterError> {
        let mut bytes = Vec::new();
        let format = match self {
            Pixels::Rgb(b) => {
                JpegEncoder::new_with_quality(&mut bytes, JPEG_QUALITY)
                    .write_image(b, width, height, image::ExtendedColorType::Rgb8)
                    .map_err(|e| RasterError::Encode(e.to_string()))?;
                Format::Jpeg
            }
            Pixels::Rgba(b) => {
                PngEncoder::new_with_quality(
                    &mut bytes,
                    CompressionType::Best,
                    FilterType::Adaptive,
                )
                .write_image(b, width, height, image::ExtendedColorType::Rgba8)
                .map_err(|e| RasterError::Encode(e.to_string()))?;
                Format::Png
            }
        };
        Ok(EncodedFile {
            width,
            height,
            format,
            bytes,
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use image::{Rgb, RgbImage, Rgba, RgbaImage};

    /// A photo-like picture: the left half red, the right half blue, with some grain.
    pub(crate) fn photo(width: u32, height: u32) -> RgbImage {
        RgbImage::from_fn(width, height, |x, y| {
            let grain = ((x * 7 + y * 13) % 32) as u8;
            if x < width / 2 {
                Rgb([220 - grain, 30 + grain, 30])
            } else {
                Rgb([30, 30 + grain, 220 - grain])
            }
        })
    }

    pub(crate) fn jpeg(picture: &RgbImage) -> Vec<u8> {
        let mut bytes = Vec::new();
        JpegEncoder::new_with_quality(&mut bytes, 90)
            .encode_image(picture)
            .unwrap();
        bytes
    }

    fn png_rgba(picture: &RgbaImage) -> Vec<u8> {
        let mut bytes = Vec::new();
        PngEncoder::new(&mut bytes)
            .write_image(
                picture.as_raw(),
                picture.width(),
                picture.height(),
                image::ExtendedColorType::Rgba8,
            )
            .unwrap();
        bytes
    }

    /// An APP1 Exif segment: Orientation 6 (turn 90° clockwise) and a GPS IFD with a latitude.
    fn exif_segment() -> Vec<u8> {
        let mut tiff = Vec::new();
        tiff.extend_from_slice(b"II*\0");
        tiff.extend_from_slice(&8u32.to_le_bytes());
        // IFD0 at 8: two entries, then the next IFD's offset (none).
        tiff.extend_from_slice(&2u16.to_le_bytes());
        tiff.extend_from_slice(&[0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0]);
        tiff.extend_from_slice(&[0x25, 0x88, 4, 0, 1, 0, 0, 0]);
        tiff.extend_from_slice(&38u32.to_le_bytes());
        tiff.extend_from_slice(&0u32.to_le_bytes());
        // GPS IFD at 38: GPSLatitudeRef "N".
        tiff.extend_from_slice(&1u16.to_le_bytes());
        tiff.extend_from_slice(&[0x01, 0x00, 2, 0, 2, 0, 0, 0, b'N', 0, 0, 0]);
        tiff.extend_from_slice(&0u32.to_le_bytes());
        let mut segment = vec![0xFF, 0xE1];
        segment.extend_from_slice(&((tiff.len() + 8) as u16).to_be_bytes());
        segment.extend_from_slice(b"Exif\0\0");
        segment.extend_from_slice(&tiff);
        segment
    }

    /// `jpeg` with the Exif segment and a comment inserted after SOI.
    pub(crate) fn phone_jpeg(picture: &RgbImage) -> Vec<u8> {
        let plain = jpeg(picture);
        let mut bytes = plain[..2].to_vec();
        bytes.extend_from_slice(&exif_segment());
        let comment = b"taken at 12 rue des Pins";
        bytes.extend_from_slice(&[0xFF, 0xFE]);
        bytes.extend_from_slice(&((comment.len() + 2) as u16).to_be_bytes());
        bytes.extend_from_slice(comment);
        bytes.extend_from_slice(&plain[2..]);
        bytes
    }

    fn jpeg_markers(bytes: &[u8]) -> Vec<u8> {
        assert_eq!(&bytes[..2], &[0xFF, 0xD8]);
        let mut markers = Vec::new();
        let mut at = 2;
        while at + 4 <= bytes.len() {
            assert_eq!(bytes[at], 0xFF, "a segment starts at {at}");
            let marker = bytes[at + 1];
            markers.push(marker);
            if marker == 0xDA {
                break;
            }
            let length = u16::from_be_bytes([bytes[at + 2], bytes[at + 3]]) as usize;
            at += 2 + length;
        }
        markers
    }

    fn webp_chunks(bytes: &[u8]) -> Vec<String> {
        assert_eq!(&bytes[..4], b"RIFF");
        assert_eq!(&bytes[8..12], b"WEBP");
        let mut chunks = Vec::new();
        let mut at = 12;
        while at + 8 <= bytes.len() {
            chunks.push(String::from_utf8_lossy(&bytes[at..at + 4]).into_owned());
            let size = u32::from_le_bytes(bytes[at + 4..at + 8].try_into().unwrap()) as usize;
            at += 8 + size + size % 2;
        }
        chunks
    }

    fn png_chunks(bytes: &[u8]) -> Vec<String> {
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
        let mut chunks = Vec::new();
        let mut at = 8;
        while at + 8 <= bytes.len() {
            let length = u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
            chunks.push(String::from_utf8_lossy(&bytes[at + 4..at + 8]).into_owned());
            at += 12 + length;
        }
        chunks
    }

    fn assert_no_metadata(file: &EncodedFile) {
        match file.format {
            Format::Webp => {
                let chunks = webp_chunks(&file.bytes);
                for bad in ["EXIF", "XMP ", "ICCP"] {
                    assert!(!chunks.iter().any(|c| c == bad), "{bad} in {chunks:?}");
                }
            }
            Format::Jpeg => {
                let markers = jpeg_markers(&file.bytes);
                // APP1 (Exif, XMP) … APP15 and COM; APP0 (JFIF) says nothing of the source.
                assert!(
                    !markers
                        .iter()
                        .any(|m| (0xE1..=0xEF).contains(m) || *m == 0xFE),
                    "{markers:02X?}"
                );
            }
            Format::Png => {
                let chunks = png_chunks(&file.bytes);
                for bad in ["eXIf", "tEXt", "iTXt", "zTXt", "iCCP"] {
                    assert!(!chunks.iter().any(|c| c == bad), "{bad} in {chunks:?}");
                }
            }
        }
        assert!(
            !file.bytes.windows(4).any(|w| w == b"Exif" || w == b"rue "),
            "no trace of the source's Exif or comment"
        );
    }

    fn decoded(file: &EncodedFile) -> image::RgbImage {
        image::load_from_memory(&file.bytes).unwrap().to_rgb8()
    }

    #[test]
    fn a_phone_photo_is_turned_upright_as_its_exif_says_and_published_without_its_metadata() {
        // Stored 2000 × 1000, shown 1000 × 2000: the red left half becomes the top.
        let source = phone_jpeg(&photo(2000, 1000));
        assert!(source.windows(4).any(|w| w == b"Exif"));
        let encoded = process(&source).unwrap();
        assert_eq!((encoded.width, encoded.height), (1000, 2000));
        let sizes: Vec<_> = encoded.modern.iter().map(|f| (f.width, f.height)).collect();
        assert_eq!(sizes, [(480, 960), (720, 1440), (960, 1920)]);
        let fallback = &encoded.fallback;
        assert_eq!(
            (fallback.format, fallback.width, fallback.height),
            (Format::Jpeg, 960, 1920)
        );
        for file in encoded.modern.iter().chain([fallback]) {
            assert_no_metadata(file);
            let pixels = decoded(file);
            assert_eq!((pixels.width(), pixels.height()), (file.width, file.height));
            let top = pixels.get_pixel(file.width / 2, file.height / 8).0;
            let bottom = pixels.get_pixel(file.width / 2, file.height * 7 / 8).0;
            assert!(top[0] > 150 && top[2] < 100, "top is red: {top:?}");
            assert!(
                bottom[2] > 150 && bottom[0] < 100,
                "bottom is blue: {bottom:?}"
            );
        }
    }

    #[test]
    fn the_widths_made_are_never_wider_than_the_source() {
        assert_eq!(widths_for(4000), [480, 720, 960, 1600]);
        assert_eq!(widths_for(1600), [480, 720, 960, 1600]);
        assert_eq!(widths_for(1599), [480, 720, 960, 1599]);
        assert_eq!(widths_for(1000), [480, 720, 960], "within a tenth of 960");
        assert_eq!(widths_for(700), [480, 700]);
        assert_eq!(widths_for(480), [480]);
        let encoded = process(&jpeg(&photo(1700, 1000))).unwrap();
        let widths: Vec<_> = encoded.modern.iter().map(|f| f.width).collect();
        assert_eq!(widths, [480, 720, 960, 1600]);
        assert_eq!(encoded.modern[3].height, 941);
        assert_eq!(encoded.fallback.width, 960);
    }

    #[test]
    fn a_source_narrower_than_the_narrowest_width_gives_one_file_at_its_own_size() {
        let encoded = process(&jpeg(&photo(300, 200))).unwrap();
        assert_eq!(encoded.modern.len(), 1);
        assert_eq!(
            (encoded.modern[0].width, encoded.modern[0].height),
            (300, 200)
        );
        assert_eq!(
            (encoded.fallback.width, encoded.fallback.height),
            (300, 200)
        );
        assert_eq!(decoded(&encoded.modern[0]).dimensions(), (300, 200));
    }

    #[test]
    fn a_picture_with_transparent_pixels_falls_back_to_png_and_an_opaque_one_to_jpeg() {
        let mut logo = RgbaImage::from_pixel(600, 300, Rgba([0, 90, 160, 255]));
        for (x, y) in (0..100).flat_map(|x| (0..100).map(move |y| (x, y))) {
            logo.put_pixel(x, y, Rgba([0, 0, 0, 0]));
        }
        let encoded = process(&png_rgba(&logo)).unwrap();
        assert_eq!(encoded.fallback.format, Format::Png);
        assert_eq!(encoded.fallback.width, 600, "its own width, under 960");
        assert_no_metadata(&encoded.fallback);
        assert_no_metadata(&encoded.modern[0]);
        let back = image::load_from_memory(&encoded.fallback.bytes)
            .unwrap()
            .to_rgba8();
        assert_eq!(back.get_pixel(10, 10).0[3], 0, "still transparent");
        assert_eq!(back.get_pixel(400, 200).0[3], 255, "still opaque");

        let opaque = RgbaImage::from_pixel(600, 300, Rgba([0, 90, 160, 255]));
        assert_eq!(
            process(&png_rgba(&opaque)).unwrap().fallback.format,
            Format::Jpeg
        );
    }

    #[test]
    fn a_webp_source_is_read() {
        let source = webp::Encoder::from_rgb(photo(500, 300).as_raw(), 500, 300)
            .encode(90.0)
            .to_vec();
        let encoded = process(&source).unwrap();
        assert_eq!((encoded.width, encoded.height), (500, 300));
    }

    #[test]
    fn a_jpeg_cut_short_is_reported_as_truncated() {
        let whole = jpeg(&photo(800, 600));
        let cut = &whole[..whole.len() / 2];
        assert!(
            matches!(process(cut), Err(RasterError::Truncated)),
            "{:?}",
            process(cut).err()
        );
    }

    #[test]
    fn a_jpeg_with_data_after_its_end_like_a_motion_photo_is_read() {
        let mut bytes = phone_jpeg(&photo(600, 400));
        bytes.extend_from_slice(b"....ftypmp42 and a short video");
        assert_eq!(process(&bytes).unwrap().width, 400);
    }

    #[test]
    fn a_png_cut_short_is_reported_as_truncated() {
        let whole = png_rgba(&RgbaImage::from_pixel(300, 300, Rgba([1, 2, 3, 128])));
        let cut = &whole[..whole.len() - 20];
        assert!(
            matches!(process(cut), Err(RasterError::Truncated)),
            "{:?}",
            process(cut).err()
        );
    }

    #[test]
    fn formats_the_build_does_not_read_are_named_from_their_first_bytes() {
        let iso = |major: &[u8; 4], compatible: &[u8; 4]| {
            let mut b = vec![0, 0, 0, 20];
            b.extend_from_slice(b"ftyp");
            b.extend_from_slice(major);
            b.extend_from_slice(&[0, 0, 0, 0]);
            b.extend_from_slice(compatible);
            b.extend_from_slice(&[0; 40]);
            b
        };
        let found = |bytes: &[u8]| match process(bytes) {
            Err(RasterError::Format { found }) => found,
            other => panic!("{other:?}"),
        };
        assert_eq!(found(&iso(b"heic", b"mif1")), "HEIC");
        assert_eq!(found(&iso(b"mif1", b"heic")), "HEIC");
        assert_eq!(found(&iso(b"avif", b"mif1")), "AVIF");
        assert_eq!(found(b"GIF89a\x01\x00\x01\x00 and the rest"), "GIF");
        assert_eq!(found(b"II*\0\x08\0\0\0 and the rest"), "TIFF");
        assert_eq!(found(b"BM and the rest of a bitmap"), "BMP");
        assert_eq!(found(b"just some text"), "unknown");
        let message = process(&iso(b"heic", b"mif1")).unwrap_err().to_string();
        assert_eq!(
            message,
            "this picture is in a format the build does not read (HEIC): save it as JPEG or PNG"
        );
    }

    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut chunk = (data.len() as u32).to_be_bytes().to_vec();
        chunk.extend_from_slice(kind);
        chunk.extend_from_slice(data);
        let crc = crc32(&chunk[4..]);
        chunk.extend_from_slice(&crc.to_be_bytes());
        chunk
    }

    #[test]
    fn a_picture_of_too_many_pixels_is_refused_from_its_header_before_it_is_decoded() {
        // A header saying 8000 × 9000 and no real pixel data: decoding it would fail otherwise.
        let mut header = 8000u32.to_be_bytes().to_vec();
        header.extend_from_slice(&9000u32.to_be_bytes());
        header.extend_from_slice(&[8, 2, 0, 0, 0]);
        let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
        bytes.extend(png_chunk(b"IHDR", &header));
        bytes.extend(png_chunk(b"IDAT", &[0x78, 0x9C, 1, 2, 3]));
        bytes.extend(png_chunk(b"IEND", &[]));
        let error = process(&bytes).unwrap_err();
        assert!(
            matches!(
                error,
                RasterError::TooManyPixels {
                    width: 8000,
                    height: 9000,
                    ..
                }
            ),
            "{error:?}"
        );
        assert_eq!(
            error.to_string(),
            "this picture is 8000 × 9000 pixels, over the limit of 60 megapixels: export it smaller (for example 3000 pixels wide)"
        );
    }

    #[test]
    fn a_file_over_the_size_limit_is_refused_saying_the_limit() {
        let bytes = vec![0u8; MAX_BYTES as usize + 1024 * 1024];
        let error = process(&bytes).unwrap_err();
        assert!(matches!(error, RasterError::TooLarge { .. }));
        assert_eq!(
            error.to_string(),
            "this picture is 31 MB, over the limit of 30 MB: export it smaller (for example 3000 pixels wide)"
        );
    }

    #[test]
    fn garbage_after_a_jpeg_header_is_unreadable_or_truncated_never_a_picture() {
        let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 4, 0, 0];
        bytes.extend_from_slice(&[0x55; 200]);
        bytes.extend_from_slice(&[0xFF, 0xD9]);
        assert!(matches!(
            process(&bytes),
            Err(RasterError::Unreadable(_) | RasterError::Truncated)
        ));
    }

    #[test]
    fn a_photo_in_display_p3_is_published_in_srgb_with_its_colours() {
        let p3 = ColorProfile::new_display_p3().encode().unwrap();
        let orange = [200, 100, 50];
        let source = image::RgbImage::from_pixel(600, 400, image::Rgb(orange));
        let mut bytes = Vec::new();
        let mut encoder = JpegEncoder::new_with_quality(&mut bytes, 95);
        encoder.set_icc_profile(p3.clone()).unwrap();
        encoder
            .write_image(source.as_raw(), 600, 400, image::ExtendedColorType::Rgb8)
            .unwrap();
        let mut expected = [0u8; 3];
        to_srgb(&ColorProfile::new_from_slice(&p3).unwrap(), Layout::Rgb)
            .unwrap()
            .transform(&orange, &mut expected)
            .unwrap();
        assert!(
            expected[0] > orange[0] + 8,
            "P3's orange is a deeper red in sRGB: {expected:?}"
        );
        let encoded = process(&bytes).unwrap();
        for file in encoded.modern.iter().chain([&encoded.fallback]) {
            let shown = decoded(file).get_pixel(file.width / 2, file.height / 2).0;
            for (got, want) in shown.iter().zip(expected) {
                assert!(got.abs_diff(want) <= 4, "{shown:?}, not {expected:?}");
            }
            assert_no_metadata(file);
        }
    }
}
