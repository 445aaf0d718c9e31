//! The markup of pictures and videos: a picture as `<picture>` with its widths for the browser
//! to choose from and its size reserved, a video as a still that links the video and whose
//! player `assets/video.js` loads only when the visitor clicks.

use eclaireurs_model::html::escape;
use eclaireurs_model::video::Video;
use eclaireurs_model::{Lang, Strings};

use crate::media::Picture;

/// How wide a picture of the text is shown: the text column (`--measure`, 52rem, less the
/// 1rem padding on each side, in style.css) or the screen, less that padding.
pub const TEXT_SIZES: &str = "(min-width: 52rem) 50rem, calc(100vw - 2rem)";
/// A region's logo in the header is at most 12rem wide (style.css, `.region-logo img`).
pub const LOGO_SIZES: &str = "12rem";

/// How a picture loads: at once (it is on the first screen) or when the reader nears it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Loading {
    /// On the first screen: fetched first, never delayed.
    First,
    Lazy,
}

/// A picture's markup; `alt` is its description as published (empty for a decorative one).
pub fn picture(picture: &Picture, alt: &str, loading: Loading, sizes: &str) -> String {
    let (width, height) = picture.size();
    let loading = match loading {
        Loading::First => r#" fetchpriority="high""#,
        Loading::Lazy => r#" loading="lazy""#,
    };
    let alt = escape(alt);
    match picture {
        Picture::Svg(file) => format!(
            r#"<img src="{}" width="{width}" height="{height}" alt="{alt}"{loading} decoding="async">"#,
            file.url
        ),
        Picture::Raster { modern, fallback } => {
            let srcset: Vec<String> = modern
                .iter()
                .map(|p| format!("{} {}w", p.url, p.width))
                .collect();
            format!(
                r#"<picture><source type="image/webp" srcset="{}" sizes="{sizes}"><img src="{}" width="{width}" height="{height}" alt="{alt}"{loading} decoding="async"></picture>"#,
                srcset.join(", "),
                fallback.url,
            )
        }
    }
}

/// What a video's markup says, in the page's language.
pub struct VideoText<'a> {
    pub strings: &'a Strings,
    pub lang: Lang,
    /// The privacy notice's part about videos, if the site has a notice.
    pub privacy_url: Option<String>,
}

/// A video's markup: its still (`still`, already marked up, or a neutral one drawn by the
/// stylesheet), a play sign and its title, all one link to the video at its provider; a note
/// says that the player loads only on a click, and what that click means.
pub fn video(video: &Video, title: &str, still: Option<String>, text: &VideoText) -> String {
    let provider = video.provider_name();
    let get = |key: &str| text.strings.get(text.lang, key).unwrap_or_default();
    let note = escape(&get("media.video_note").replace("{provider}", provider));
    let privacy = match &text.privacy_url {
        Some(url) => format!(
            r#" <a href="{}">{}</a>"#,
            escape(url),
            escape(get("media.video_privacy"))
        ),
        None => String::new(),
    };
    let still = still.unwrap_or_else(|| {
        r#"<span class="video-still video-still-neutral" aria-hidden="true"></span>"#.to_string()
    });
    let title = escape(title);
    format!(
        r#"<figure class="video"><a class="video-link" href="{page}" data-video-player="{player}" data-video-title="{title}">{still}<span class="video-play" aria-hidden="true"></span><span class="video-title"><span class="visually-hidden">{play} </span>{title}</span></a><figcaption class="video-note">{note}{privacy}</figcaption></figure>"#,
        page = escape(&video.page_url()),
        player = escape(&video.player_url()),
        play = escape(get("media.video_play")),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::Published;

    fn file(url: &str, width: u32, height: u32) -> Published {
        Published {
            url: url.into(),
            width,
            height,
            bytes: Vec::new(),
        }
    }

    #[test]
    fn a_photo_offers_its_widths_and_reserves_its_size() {
        let photo = Picture::Raster {
            modern: vec![
                file("/assets/images/a-480.1.webp", 480, 360),
                file("/assets/images/a-960.2.webp", 960, 720),
            ],
            fallback: file("/assets/images/a-960.3.jpg", 960, 720),
        };
        let html = picture(&photo, "Des \"éclaireurs\"", Loading::Lazy, TEXT_SIZES);
        assert_eq!(
            html,
            "<picture><source type=\"image/webp\" srcset=\"/assets/images/a-480.1.webp 480w, \
             /assets/images/a-960.2.webp 960w\" sizes=\"(min-width: 52rem) 50rem, calc(100vw - \
             2rem)\"><img src=\"/assets/images/a-960.3.jpg\" width=\"960\" height=\"720\" \
             alt=\"Des &quot;éclaireurs&quot;\" loading=\"lazy\" decoding=\"async\"></picture>"
        );
        let first = picture(&photo, "", Loading::First, TEXT_SIZES);
        assert!(first.contains(r#"alt="" fetchpriority="high""#), "{first}");
        assert!(!first.contains("lazy"), "{first}");
    }
}
