//! The video addresses a page may show as a video (YouTube, Vimeo): the page links the video
//! and loads its player only when the visitor asks, from the player address made here.

/// Who serves a video.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    YouTube,
    Vimeo,
}

/// A video of a provider, as its address names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Video {
    pub provider: Provider,
    pub id: String,
    /// An unlisted Vimeo video's key (`vimeo.com/ID/KEY`), without which its player refuses.
    pub key: Option<String>,
}

impl Video {
    /// The video an address names: `https://www.youtube.com/watch?v=ID`, `https://youtu.be/ID`,
    /// `…/shorts/ID`, `…/embed/ID`, `…/live/ID`, `https://vimeo.com/ID` (or `ID/KEY`),
    /// `https://player.vimeo.com/video/ID`. `None` for any other address.
    pub fn parse(address: &str) -> Option<Video> {
        let rest = address
            .strip_prefix("https://")
            .or_else(|| address.strip_prefix("http://"))?;
        let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
        let host = host.to_ascii_lowercase();
        let (path, query) = path.split_once('?').unwrap_or((path, ""));
        let path = path.split('#').next().unwrap_or_default();
        let query = query.split('#').next().unwrap_or_default();
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        match host.trim_start_matches("www.").trim_start_matches("m.") {
            "youtube.com" | "youtube-nocookie.com" => {
                let id = match segments.as_slice() {
                    ["watch"] => query.split('&').find_map(|pair| pair.strip_prefix("v="))?,
                    ["shorts" | "embed" | "live", id] => id,
                    _ => return None,
                };
                Self::youtube(id)
            }
            "youtu.be" => match segments.as_slice() {
                [id] => Self::youtube(id),
                _ => None,
            },
            "vimeo.com" => match segments.as_slice() {
                [id] => Self::vimeo(id, None),
                [id, key] => Self::vimeo(id, Some(key)),
                _ => None,
            },
            "player.vimeo.com" => match segments.as_slice() {
                ["video", id] => {
                    let key = query.split('&').find_map(|pair| pair.strip_prefix("h="));
                    Self::vimeo(id, key)
                }
                _ => None,
            },
            _ => None,
        }
    }

    fn youtube(id: &str) -> Option<Video> {
        let valid = id.len() == 11
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        valid.then(|| Video {
            provider: Provider::YouTube,
            id: id.to_string(),
            key: None,
        })
    }

    fn vimeo(id: &str, key: Option<&str>) -> Option<Video> {
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        let hex = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit());
        (digits(id) && key.is_none_or(hex)).then(|| Video {
            provider: Provider::Vimeo,
            id: id.to_string(),
            key: key.map(str::to_string),
        })
    }

    /// The provider's name, as the page shows it.
    pub fn provider_name(&self) -> &'static str {
        match self.provider {
            Provider::YouTube => "YouTube",
            Provider::Vimeo => "Vimeo",
        }
    }

    /// The video's own page at its provider: where the link leads without JavaScript.
    pub fn page_url(&self) -> String {
        match (self.provider, &self.key) {
            (Provider::YouTube, _) => format!("https://www.youtube.com/watch?v={}", self.id),
            (Provider::Vimeo, None) => format!("https://vimeo.com/{}", self.id),
            (Provider::Vimeo, Some(key)) => format!("https://vimeo.com/{}/{key}", self.id),
        }
    }

    /// The player loaded after the click: YouTube's without cookies until it plays, Vimeo's
    /// with its "do not track" setting.
    pub fn player_url(&self) -> String {
        match (self.provider, &self.key) {
            (Provider::YouTube, _) => format!(
                "https://www.youtube-nocookie.com/embed/{}?autoplay=1",
                self.id
            ),
            (Provider::Vimeo, None) => {
                format!(
                    "https://player.vimeo.com/video/{}?dnt=1&autoplay=1",
                    self.id
                )
            }
            (Provider::Vimeo, Some(key)) => format!(
                "https://player.vimeo.com/video/{}?h={key}&dnt=1&autoplay=1",
                self.id
            ),
        }
    }
}

/// The hosts of the players [`Video::player_url`] loads: the pages' Content-Security-Policy
/// allows frames from these and no other.
pub const PLAYER_ORIGINS: [&str; 2] = [
    "https://www.youtube-nocookie.com",
    "https://player.vimeo.com",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_youtube_address_form_names_the_same_video() {
        for address in [
            "https://www.youtube.com/watch?v=aqz-KE-bpKQ",
            "https://youtube.com/watch?feature=share&v=aqz-KE-bpKQ&t=30",
            "https://m.youtube.com/watch?v=aqz-KE-bpKQ",
            "https://youtu.be/aqz-KE-bpKQ?si=abc",
            "https://www.youtube.com/shorts/aqz-KE-bpKQ",
            "https://www.youtube.com/embed/aqz-KE-bpKQ",
            "https://www.youtube-nocookie.com/embed/aqz-KE-bpKQ",
        ] {
            let video = Video::parse(address).unwrap_or_else(|| panic!("{address}"));
            assert_eq!(video.provider, Provider::YouTube);
            assert_eq!(video.id, "aqz-KE-bpKQ", "{address}");
            assert_eq!(
                video.player_url(),
                "https://www.youtube-nocookie.com/embed/aqz-KE-bpKQ?autoplay=1"
            );
        }
    }

    #[test]
    fn vimeo_addresses_keep_an_unlisted_videos_key() {
        let public = Video::parse("https://vimeo.com/76979871").expect("vimeo");
        assert_eq!(
            public.player_url(),
            "https://player.vimeo.com/video/76979871?dnt=1&autoplay=1"
        );
        let unlisted = Video::parse("https://vimeo.com/76979871/8f2c1a9b3d").expect("unlisted");
        assert_eq!(unlisted.page_url(), "https://vimeo.com/76979871/8f2c1a9b3d");
        assert!(unlisted.player_url().contains("?h=8f2c1a9b3d&"));
    }

    #[test]
    fn other_addresses_are_not_videos() {
        for address in [
            "https://www.youtube.com/@cisss",
            "https://www.youtube.com/watch?v=short",
            "https://www.youtube.com/watch?list=PL123",
            "https://vimeo.com/channels/staffpicks",
            "https://bit.ly/CapsulesEclaireur",
            "https://evil.example/youtube.com/watch?v=aqz-KE-bpKQ",
            "youtube.com/watch?v=aqz-KE-bpKQ",
        ] {
            assert_eq!(Video::parse(address), None, "{address}");
        }
    }
}
