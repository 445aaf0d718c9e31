//! Pictures, documents and videos on a region's pages, as editors write them: what is
//! published, and what is refused, said where it is written.

mod common;

use std::io::Cursor;

use common::Fixture;
use eclaireurs::build::Pictures;

const ROLES_FR: &str = "regions/bas-saint-laurent/fr/roles.md";
const ROLES_EN: &str = "regions/bas-saint-laurent/en/roles.md";
const STATIC: &str = "regions/bas-saint-laurent/static";
const INTRO_FR: &str = "Les éclaireurs ont quatre rôles.\n";
const INTRO_EN: &str = "Éclaireurs have four roles.\n";

/// A JPEG of `width` × `height` pixels: a gradient, so it encodes like a picture.
fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, ((x + y) % 256) as u8])
    });
    let mut bytes = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut Cursor::new(&mut bytes), image::ImageFormat::Jpeg)
        .expect("encode");
    bytes
}

fn write_bytes(fixture: &Fixture, rel: &str, bytes: &[u8]) {
    let path = fixture.path(rel);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, bytes).expect("write");
}

/// The real site with `markdown` added after the first line of the French roles page, whose
/// line that is 9.
fn with_fr(markdown: &str) -> Fixture {
    let fixture = Fixture::real();
    fixture.edit(ROLES_FR, INTRO_FR, &format!("{INTRO_FR}{markdown}"));
    fixture
}

fn intro_en() -> &'static str {
    INTRO_EN
}

#[test]
fn a_picture_beside_the_page_is_published_in_widths_with_its_size_and_description() {
    let fixture = with_fr("\n![Des éclaireurs à Rimouski](groupe.jpg)\n");
    write_bytes(
        &fixture,
        "regions/bas-saint-laurent/fr/groupe.jpg",
        &jpeg(1200, 800),
    );
    let report = fixture.build().expect("builds");
    assert_eq!(
        report.pictures,
        Pictures {
            encoded: 1,
            reused: 0
        }
    );
    let html = fixture.output("/fr/bas-saint-laurent/roles/");
    assert!(
        html.contains(r#"alt="Des éclaireurs à Rimouski""#),
        "{html}"
    );
    assert!(
        html.contains("<picture><source type=\"image/webp\" srcset=\"/assets/images/groupe-480."),
        "{html}"
    );
    assert!(
        html.contains(r#" 960w""#) || html.contains(" 960w,"),
        "{html}"
    );
    assert!(
        !html.contains("1600w"),
        "never wider than the source: {html}"
    );
    assert!(
        html.contains(" 720w, /assets/images/groupe-960.")
            && html.contains(" 960w, /assets/images/groupe-1200."),
        "its own width for large screens: {html}"
    );
    assert!(html.contains(r#"width="1200" height="800""#), "{html}");
    // The page's first picture, before any heading: not lazy.
    assert!(html.contains(r#"fetchpriority="high""#), "{html}");
    let images: Vec<String> = std::fs::read_dir(fixture.out().join("assets/images"))
        .expect("images published")
        .map(|e| e.expect("entry").file_name().to_string_lossy().to_string())
        .collect();
    assert!(
        images
            .iter()
            .any(|n| n.starts_with("groupe-480.") && n.ends_with(".webp")),
        "{images:?}"
    );
    assert!(
        images
            .iter()
            .any(|n| n.starts_with("groupe-960.") && n.ends_with(".jpg")),
        "a JPEG for browsers without WebP: {images:?}"
    );
}

#[test]
fn a_rebuild_takes_every_picture_from_the_cache() {
    let fixture = with_fr("\n![Des éclaireurs à Rimouski](groupe.jpg)\n");
    write_bytes(&fixture, &format!("{STATIC}/groupe.jpg"), &jpeg(700, 500));
    fixture.build().expect("builds");
    // Another page's text changes: the site is built again, the picture is not encoded again.
    fixture.edit(
        ROLES_EN,
        intro_en(),
        "Éclaireurs have four roles, and more.\n",
    );
    let report = fixture.build().expect("builds again");
    assert_eq!(
        report.pictures,
        Pictures {
            encoded: 0,
            reused: 1
        }
    );
}

#[test]
fn a_picture_without_a_description_is_refused_at_its_line() {
    let fixture = with_fr("\n![](groupe.jpg)\n");
    write_bytes(&fixture, &format!("{STATIC}/groupe.jpg"), &jpeg(600, 400));
    let error = fixture.build_error();
    assert!(
        error.contains(&format!("{ROLES_FR}:10:1:"))
            && error.contains("has no description")
            && error.contains("![décoratif](groupe.jpg)"),
        "{error}"
    );
}

#[test]
fn a_decorative_picture_is_published_with_an_empty_description() {
    let fixture = with_fr("\n![décoratif](groupe.jpg)\n");
    write_bytes(&fixture, &format!("{STATIC}/groupe.jpg"), &jpeg(600, 400));
    fixture.build().expect("builds");
    let html = fixture.output("/fr/bas-saint-laurent/roles/");
    assert!(html.contains(r#"alt="""#), "{html}");
    assert!(!html.contains("décoratif"), "{html}");
}

#[test]
fn a_missing_picture_says_where_it_was_looked_for() {
    let fixture = with_fr("\n![Un groupe](absente.jpg)\n");
    let error = fixture.build_error();
    assert!(
        error.contains(&format!("{ROLES_FR}:10:1:"))
            && error.contains("there is no file `absente.jpg`")
            && error.contains("regions/bas-saint-laurent/static/absente.jpg"),
        "{error}"
    );
}

#[test]
fn a_picture_the_build_does_not_read_is_refused_with_the_formats_it_reads() {
    let fixture = with_fr("\n![Un groupe](groupe.gif)\n");
    write_bytes(&fixture, &format!("{STATIC}/groupe.gif"), b"GIF89a");
    let error = fixture.build_error();
    assert!(
        error.contains(&format!("{ROLES_FR}:10:1:")) && error.contains("JPEG, PNG, WebP or SVG"),
        "{error}"
    );
}

#[test]
fn a_damaged_picture_is_refused_naming_its_file_and_the_page_that_shows_it() {
    let fixture = with_fr("\n![Un groupe](groupe.jpg)\n");
    let mut bytes = jpeg(800, 600);
    bytes.truncate(bytes.len() / 2);
    write_bytes(&fixture, &format!("{STATIC}/groupe.jpg"), &bytes);
    let error = fixture.build_error();
    assert!(
        error.contains("groupe.jpg") && error.contains("shown by"),
        "{error}"
    );
    assert!(error.contains(&format!("{ROLES_FR}:10:1:")), "{error}");
}

#[test]
fn an_svg_with_a_script_is_refused_at_the_scripts_line() {
    let fixture = with_fr("\n![Le logo](logo.svg)\n");
    fixture.write(
        &format!("{STATIC}/logo.svg"),
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\">\n<rect width=\"10\" height=\"10\"/>\n<script>alert(1)</script>\n</svg>\n",
    );
    let error = fixture.build_error();
    assert!(
        error.contains(&format!("{STATIC}/logo.svg:3:")) && error.contains("shown by"),
        "{error}"
    );
}

#[test]
fn a_clean_svg_is_published_as_it_is_with_its_size() {
    let svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 200 60\"><rect width=\"200\" height=\"60\"/></svg>\n";
    let fixture = with_fr("\n![Le logo du CISSS](logo.svg)\n");
    fixture.write(&format!("{STATIC}/logo.svg"), svg);
    fixture.build().expect("builds");
    let html = fixture.output("/fr/bas-saint-laurent/roles/");
    let src = html
        .split("<img src=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("an img");
    assert!(
        src.starts_with("/assets/images/logo.") && src.ends_with(".svg"),
        "{src}"
    );
    assert!(html.contains(r#"width="200" height="60""#), "{html}");
    assert_eq!(fixture.output(src), svg, "the same bytes");
}

#[test]
fn a_document_link_names_its_kind_and_size_in_the_pages_language() {
    let fixture = with_fr("\nLisez le [Dépliant](depliant.pdf).\n");
    fixture.edit(
        ROLES_EN,
        intro_en(),
        &format!("{}\nRead the [Leaflet](/depliant.pdf).\n", intro_en()),
    );
    let pdf = vec![b'%'; 1_258_291];
    write_bytes(&fixture, "regions/bas-saint-laurent/fr/depliant.pdf", &pdf);
    write_bytes(&fixture, "static/depliant.pdf", &pdf);
    fixture.build().expect("builds");
    let fr = common::plain(&fixture.output("/fr/bas-saint-laurent/roles/"));
    assert!(fr.contains(">Dépliant (PDF, 1,2 Mo)</a>"), "{fr}");
    let href = fr
        .split("<a href=\"/assets/documents/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the document's link");
    assert!(
        href.starts_with("depliant.") && href.ends_with(".pdf"),
        "{href}"
    );
    let published =
        std::fs::read(fixture.out().join("assets/documents").join(href)).expect("published");
    assert_eq!(published, pdf);
    let en = common::plain(&fixture.output("/en/bas-saint-laurent/roles/"));
    assert!(en.contains(">Leaflet (PDF, 1.2 MB)</a>"), "{en}");
}

#[test]
fn a_document_over_the_limit_is_refused_at_its_link() {
    let fixture = with_fr("\nLisez le [Rapport](rapport.pdf).\n");
    let path = fixture.path("regions/bas-saint-laurent/fr/rapport.pdf");
    let file = std::fs::File::create(&path).expect("create");
    file.set_len(eclaireurs::media::MAX_DOCUMENT_BYTES + 1)
        .expect("size");
    let error = fixture.build_error();
    assert!(
        error.contains(&format!("{ROLES_FR}:10:")) && error.contains("over the limit of 20 MB"),
        "{error}"
    );
}

#[test]
fn a_video_line_becomes_a_still_that_links_the_video_and_names_it() {
    let fixture = with_fr(
        "\n[Capsule 1 : le rôle de l'éclaireur](https://www.youtube.com/watch?v=aqz-KE-bpKQ)\n",
    );
    fixture.build().expect("builds");
    let html = common::plain(&fixture.output("/fr/bas-saint-laurent/roles/"));
    assert!(
        html.contains(r#"<a class="video-link" href="https://www.youtube.com/watch?v=aqz-KE-bpKQ" data-video-player="https://www.youtube-nocookie.com/embed/aqz-KE-bpKQ?autoplay=1""#),
        "{html}"
    );
    assert!(
        html.contains("Capsule 1 : le rôle de l'éclaireur</span></a>"),
        "{html}"
    );
    assert!(
        html.contains("/confidentialite/#videos"),
        "the notice says what a click means: {html}"
    );
    assert!(html.contains("<script src=\"/assets/video."), "{html}");
    let other = fixture.output("/fr/bas-saint-laurent/");
    assert!(
        !other.contains("video."),
        "a page without a video loads no video script"
    );
}

#[test]
fn a_video_without_a_title_is_refused() {
    let fixture = with_fr("\n<https://youtu.be/aqz-KE-bpKQ>\n");
    let error = fixture.build_error();
    assert!(
        error.contains(&format!("{ROLES_FR}:10:1:")) && error.contains("give the video a title"),
        "{error}"
    );
}

#[test]
fn the_privacy_notice_explains_videos_where_their_notes_link() {
    let fixture = Fixture::real();
    fixture.build().expect("builds");
    for url in ["/fr/confidentialite/", "/en/privacy/"] {
        let html = fixture.output(url);
        assert!(html.contains("id=\"videos\""), "{url}");
        assert!(html.contains("youtube-nocookie.com"), "{url}");
    }
}

#[test]
fn a_regions_logo_is_shown_in_the_header_of_its_pages() {
    let fixture = Fixture::real();
    fixture.write(
        &format!("{STATIC}/logo.svg"),
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 300 100\"><rect width=\"300\" height=\"100\"/></svg>",
    );
    let region = fixture.read("regions/bas-saint-laurent/region.yaml");
    fixture.write(
        "regions/bas-saint-laurent/region.yaml",
        &format!("{region}logo:\n  file: logo.svg\n  alt: {{ fr: CISSS du Bas-Saint-Laurent, en: CISSS du Bas-Saint-Laurent }}\n"),
    );
    fixture.build().expect("builds");
    for url in ["/fr/bas-saint-laurent/", "/en/bas-saint-laurent/roles/"] {
        let html = fixture.output(url);
        assert!(
            html.contains("<p class=\"region-logo\"><img src=\"/assets/images/logo.")
                && html.contains(r#"alt="CISSS du Bas-Saint-Laurent""#),
            "{url}: {html}"
        );
    }
    let other = fixture.output("/fr/saguenay-lac-saint-jean/");
    assert!(!other.contains("region-logo"), "another region has none");
}

#[test]
fn a_logo_that_is_not_there_is_refused_at_its_line() {
    let fixture = Fixture::real();
    let region = fixture.read("regions/bas-saint-laurent/region.yaml");
    let line = region.lines().count() + 1;
    fixture.write(
        "regions/bas-saint-laurent/region.yaml",
        &format!("{region}logo:\n  file: logo.png\n  alt: {{ fr: Logo, en: Logo }}\n"),
    );
    let error = fixture.build_error();
    assert!(
        error.contains(&format!("regions/bas-saint-laurent/region.yaml:{line}:"))
            && error.contains("there is no file `logo.png`"),
        "{error}"
    );
}

#[test]
fn pictures_and_documents_may_sit_beside_pages_but_other_files_may_not() {
    let fixture = Fixture::real();
    write_bytes(
        &fixture,
        "regions/bas-saint-laurent/fr/photo.jpg",
        &jpeg(10, 10),
    );
    write_bytes(
        &fixture,
        "regions/bas-saint-laurent/fr/depliant.pdf",
        b"%PDF",
    );
    fixture.build().expect("unused files beside pages are fine");
    write_bytes(
        &fixture,
        "regions/bas-saint-laurent/fr/photo.heic",
        b"....ftypheic",
    );
    let error = fixture.build_error();
    assert!(
        error.contains("regions/bas-saint-laurent/fr/photo.heic")
            && error.contains("pictures (.jpg, .jpeg, .png, .webp, .svg)"),
        "{error}"
    );
}

#[test]
fn the_pages_policy_allows_the_players_frames_and_no_other() {
    let template = std::fs::read_to_string(common::repo().join("template.yaml")).expect("read");
    let policy = template
        .split("ContentSecurityPolicy: >-")
        .nth(1)
        .and_then(|rest| rest.split("Override").next())
        .expect("the policy");
    let policy = policy.split_whitespace().collect::<Vec<_>>().join(" ");
    let frames = policy
        .split(';')
        .map(str::trim)
        .find_map(|d| d.strip_prefix("frame-src "))
        .expect("a frame-src directive");
    let mut allowed: Vec<&str> = frames.split(' ').collect();
    allowed.sort_unstable();
    let mut players = eclaireurs_model::video::PLAYER_ORIGINS.to_vec();
    players.sort_unstable();
    assert_eq!(allowed, players);
}

/// `jpeg` with an EXIF segment (orientation `orientation`, a GPS pointer) after its start.
fn jpeg_with_exif(orientation: u16) -> Vec<u8> {
    let mut tiff = b"II*\0\x08\0\0\0".to_vec();
    tiff.extend_from_slice(&2u16.to_le_bytes());
    tiff.extend_from_slice(&[0x12, 0x01, 3, 0, 1, 0, 0, 0]);
    tiff.extend_from_slice(&orientation.to_le_bytes());
    tiff.extend_from_slice(&[0, 0]);
    tiff.extend_from_slice(&[0x25, 0x88, 4, 0, 1, 0, 0, 0, 0, 0, 0, 0]);
    tiff.extend_from_slice(&[0, 0, 0, 0]);
    let mut data = b"Exif\0\0".to_vec();
    data.extend_from_slice(&tiff);
    let mut bytes = jpeg(64, 48);
    let mut segment = vec![0xFF, 0xE1];
    segment.extend_from_slice(&u16::try_from(data.len() + 2).expect("small").to_be_bytes());
    segment.extend_from_slice(&data);
    bytes.splice(2..2, segment);
    bytes
}

#[test]
fn a_photo_of_the_static_folder_is_published_without_its_exif_data() {
    let fixture = Fixture::real();
    let photo = jpeg_with_exif(1);
    write_bytes(&fixture, "static/photo.jpg", &photo);
    fixture.build().expect("builds");
    let published = std::fs::read(fixture.out().join("photo.jpg")).expect("published");
    assert!(!published.windows(4).any(|w| w == b"Exif"), "no EXIF left");
    assert_eq!(
        published,
        jpeg(64, 48),
        "the picture's own bytes, as they were"
    );
}

#[test]
fn a_photo_of_the_static_folder_turned_by_its_exif_is_refused() {
    let fixture = Fixture::real();
    write_bytes(&fixture, "static/photo.jpg", &jpeg_with_exif(6));
    let error = fixture.build_error();
    assert!(
        error.contains("static/photo.jpg") && error.contains("stored turned"),
        "{error}"
    );
}

#[test]
fn the_preview_encodes_again_only_the_picture_that_changed_and_keeps_them_on_a_text_edit() {
    use eclaireurs::build::{Preview, Rebuilt};
    let fixture =
        with_fr("\n![Un groupe](un.jpg)\n\nEt un autre :\n\n![Un autre groupe](deux.jpg)\n");
    write_bytes(&fixture, &format!("{STATIC}/un.jpg"), &jpeg(640, 480));
    write_bytes(&fixture, &format!("{STATIC}/deux.jpg"), &jpeg(600, 400));
    let mut preview = Preview::new(&fixture.content(), &fixture.out(), "");
    let pictures = |rebuilt: Rebuilt| match rebuilt {
        Rebuilt::Site(report) => report.pictures,
        Rebuilt::Pages(pages) => panic!("only pages were rebuilt: {pages:?}"),
    };
    let first = pictures(preview.rebuild(&[]).expect("builds"));
    assert_eq!(
        first,
        Pictures {
            encoded: 2,
            reused: 0
        }
    );
    let before = fixture.output("/fr/bas-saint-laurent/roles/");
    let changed = fixture.path(&format!("{STATIC}/deux.jpg"));
    std::fs::write(&changed, jpeg(800, 400)).expect("write");
    let second = pictures(preview.rebuild(&[changed]).expect("rebuilds"));
    assert_eq!(
        second,
        Pictures {
            encoded: 1,
            reused: 1
        }
    );
    let after = fixture.output("/fr/bas-saint-laurent/roles/");
    assert_ne!(before, after, "the page shows the new picture");
    assert!(after.contains(r#"width="800" height="400""#), "{after}");
    // A text edit re-renders the page alone, its pictures still shown.
    fixture.edit(ROLES_FR, "Et un autre :", "Et encore un autre :");
    match preview
        .rebuild(&[fixture.path(ROLES_FR)])
        .expect("rebuilds")
    {
        Rebuilt::Pages(pages) => assert_eq!(pages, ["/fr/bas-saint-laurent/roles/"]),
        Rebuilt::Site(_) => panic!("a text edit rebuilds the page alone"),
    }
    let edited = fixture.output("/fr/bas-saint-laurent/roles/");
    assert!(
        edited.contains("Et encore un autre") && edited.contains("<picture>"),
        "{edited}"
    );
}
