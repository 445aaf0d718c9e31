//! `sitemap.xml`, with the other language of each page as an `xhtml:link` alternate, and
//! `robots.txt`, which points to it.

use std::fmt::Write;

use eclaireurs_model::{Lang, Site};

use crate::links::LinkIndex;

pub fn sitemap(site: &Site, links: &LinkIndex) -> String {
    let base = escape(&site.config.base_url);
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset \
         xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" \
         xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">\n",
    );
    let _ = writeln!(xml, "  <url><loc>{base}/</loc></url>");
    for page in site.all_pages().filter(|p| !site.is_thanks_page(p)) {
        let url = page.url();
        let _ = write!(xml, "  <url>\n    <loc>{base}{}</loc>\n", escape(url));
        let region = page.region.as_deref();
        if links.url(region, &page.key, page.lang.other()).is_some() {
            for lang in Lang::ALL {
                if let Some(alt) = links.url(region, &page.key, lang) {
                    let _ = writeln!(
                        xml,
                        "    <xhtml:link rel=\"alternate\" hreflang=\"{lang}\" href=\"{base}{}\"/>",
                        escape(alt)
                    );
                }
            }
        }
        xml.push_str("  </url>\n");
    }
    xml.push_str("</urlset>\n");
    xml
}

pub fn robots(site: &Site) -> String {
    format!(
        "User-agent: *\nAllow: /\nDisallow: /api/\n\nSitemap: {}/sitemap.xml\n",
        site.config.base_url
    )
}

/// XML escaping of an address, in one pass (most have nothing to escape).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn addresses_are_escaped_for_xml() {
        assert_eq!(
            super::escape("/fr/a?b=1&c=\"<>\""),
            "/fr/a?b=1&amp;c=&quot;&lt;&gt;&quot;"
        );
        assert_eq!(super::escape("/fr/région/"), "/fr/région/");
    }
}
