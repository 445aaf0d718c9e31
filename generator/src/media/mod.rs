//! Pictures, documents and videos on the pages.

pub mod cache;
pub mod raster;
pub mod svg;
