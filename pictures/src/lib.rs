//! The pictures of the pages, made ready to publish: photos and drawings decoded, turned
//! straight, resized and encoded (WebP, with a JPEG or PNG for old browsers) with nothing of
//! what the file said about itself ([`raster`]), kept between builds ([`cache`]); SVG
//! drawings checked to hold nothing that runs or fetches anything ([`svg`]).
//!
//! A crate of its own so that it is compiled optimized even in debug builds (see the
//! workspace's `Cargo.toml`): `serve` and the tests encode photos, which unoptimized code does
//! ten times slower.

pub mod cache;
pub mod raster;
pub mod svg;
