//! STUB
use super::raster::{self, Encoded, RasterError};
use std::path::Path;
/// The folder of the content folder the cache is in.
pub const DIR: &str = ".cache";
pub struct Cache;
impl Cache {
    pub fn in_content(_content: &Path) -> Cache {
        Cache
    }
    pub fn none() -> Cache {
        Cache
    }
    pub fn raster(&self, bytes: &[u8]) -> Result<Encoded, RasterError> {
        raster::process(bytes)
    }
    pub fn encoded(&self) -> usize {
        0
    }
    pub fn reused(&self) -> usize {
        0
    }
}
