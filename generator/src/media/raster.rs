//! STUB (lead's placeholder until the media helper's module lands).
pub const WIDTHS: [u32; 3] = [480, 960, 1600];
pub const MAX_BYTES: u64 = 30 * 1024 * 1024;
pub const MAX_PIXELS: u64 = 60_000_000;
pub const SETTINGS: &str = "stub";
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
#[derive(Debug, Clone)]
pub struct EncodedFile {
    pub width: u32,
    pub height: u32,
    pub format: Format,
    pub bytes: Vec<u8>,
}
#[derive(Debug, Clone)]
pub struct Encoded {
    pub width: u32,
    pub height: u32,
    pub modern: Vec<EncodedFile>,
    pub fallback: EncodedFile,
}
#[derive(Debug, thiserror::Error)]
pub enum RasterError {
    #[error("unreadable: {0}")]
    Unreadable(String),
}
pub fn process(bytes: &[u8]) -> Result<Encoded, RasterError> {
    let img = image::load_from_memory(bytes).map_err(|e| RasterError::Unreadable(e.to_string()))?;
    let (w, h) = (img.width(), img.height());
    let mut out = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .map_err(|e| RasterError::Unreadable(e.to_string()))?;
    let f = EncodedFile {
        width: w,
        height: h,
        format: Format::Png,
        bytes: out,
    };
    Ok(Encoded {
        width: w,
        height: h,
        modern: vec![f.clone()],
        fallback: f,
    })
}
