"""Pictures, documents and videos, end to end: a fixture region is built with the real program
and what it publishes is read back (Pillow, the bytes, the pages' HTML).

    tests/.venv/bin/python -m pytest -q -p no:cacheprovider tests/media

The program is target/debug/eclaireurs (or $ECLAIREURS_BIN, or $CARGO_TARGET_DIR/debug/…):
`cargo build -p eclaireurs` first (tests/run does).
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import struct
import subprocess
import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))

import fixture  # noqa: E402
from fixture import REGION, SECRET  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
LANGS = ("fr", "en")
WIDTHS = (480, 720, 960, 1600)
PHOTO_STORED = (fixture.PHOTO_SHOWN[1], fixture.PHOTO_SHOWN[0])
HASHED = re.compile(r"^/assets/images/(?P<stem>[a-z0-9-]+?)(?:-(?P<width>\d+))?\.(?P<hash>[0-9a-f]{10})\.(?P<ext>webp|jpg|png|svg)$")


# --- the program and the fixture ---------------------------------------------------------


def program() -> Path:
    if os.environ.get("ECLAIREURS_BIN"):
        return Path(os.environ["ECLAIREURS_BIN"])
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    return target / "debug" / "eclaireurs"


@pytest.fixture(scope="session")
def binary() -> Path:
    path = program()
    if not path.is_file():
        pytest.fail(f"{path} is missing: build it first (cargo build -p eclaireurs), or set ECLAIREURS_BIN")
    return path


def run(binary: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(binary), *args], capture_output=True, text=True, timeout=600)


def make_fixture(out: Path, *flags: str) -> Path:
    done = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("make-fixture")), *flags, str(out)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, f"make-fixture failed:\n{done.stdout}{done.stderr}"
    return out


@dataclass
class Built:
    content: Path
    out: Path
    build: subprocess.CompletedProcess[str]

    def page(self, lang: str) -> "Node":
        path = self.out / lang / "bas-saint-laurent" / "photos" / "index.html"
        assert path.is_file(), f"the photos page was not published at {path}"
        return parse_html(path.read_text(encoding="utf-8"))

    def file(self, url: str) -> Path:
        assert url.startswith("/"), url
        path = self.out / url.lstrip("/")
        assert path.is_file(), f"{url} is linked but not published"
        return path


@pytest.fixture(scope="session")
def good(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_fixture(tmp_path_factory.mktemp("media") / "content")


@pytest.fixture(scope="session")
def built(binary: Path, good: Path) -> Built:
    content = good
    out = good.parent / "public"
    done = run(binary, "build", "--content", str(content), "--out", str(out))
    assert done.returncode == 0, f"the build of the fixture failed:\n{done.stdout}{done.stderr}"
    return Built(content, out, done)


@pytest.fixture(scope="session")
def bad(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_fixture(tmp_path_factory.mktemp("media-bad") / "content", "--bad")


# --- a small HTML tree -------------------------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str | None]
    parent: "Node | None" = None
    children: list["Node | str"] = field(default_factory=list)

    def iter(self):
        for child in self.children:
            if isinstance(child, Node):
                yield child
                yield from child.iter()

    def find_all(self, tag: str, **attrs: str) -> list["Node"]:
        return [n for n in self.iter() if n.tag == tag and all(n.has(k.rstrip("_"), v) for k, v in attrs.items())]

    def find(self, tag: str, **attrs: str) -> "Node | None":
        found = self.find_all(tag, **attrs)
        return found[0] if found else None

    def has(self, name: str, value: str) -> bool:
        if name == "class":
            return value in (self.attrs.get("class") or "").split()
        return self.attrs.get(name) == value

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def classes(self) -> list[str]:
        return (self.attrs.get("class") or "").split()


class TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs), self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Node(tag, dict(attrs), self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse_html(text: str) -> Node:
    builder = TreeBuilder()
    builder.feed(text)
    builder.close()
    return builder.root


def plain(text: str) -> str:
    """Text as a reader sees it: no-break and narrow no-break spaces are spaces, a typographic
    apostrophe is an apostrophe (the typography module sets them)."""
    text = text.replace("\u00a0", " ").replace("\u202f", " ").replace("\u2019", "'")
    return re.sub(r"\s+", " ", text).strip()


def srcset(value: str | None) -> list[tuple[str, int]]:
    assert value, "no srcset"
    out = []
    for item in value.split(","):
        url, descriptor = item.split()
        assert descriptor.endswith("w"), item
        out.append((url, int(descriptor[:-1])))
    return out


# --- what the page shows -----------------------------------------------------------------


@dataclass
class Picture:
    node: Node
    webp: list[tuple[str, int]]
    sizes: str
    img: Node

    def is_video_still(self) -> bool:
        return any("video-link" in a.classes() for a in self.node.ancestors())


def content_pictures(page: Node) -> list[Picture]:
    """The <picture>s in <main>, in page order (the video stills included)."""
    main = page.find("main")
    assert main is not None, "no <main>"
    found = []
    for pic in main.find_all("picture"):
        sources = pic.find_all("source")
        assert len(sources) == 1, f"one <source> per <picture>, found {len(sources)}"
        source = sources[0]
        assert source.attrs.get("type") == "image/webp", source.attrs
        img = pic.find("img")
        assert img is not None, "a <picture> without its <img>"
        found.append(Picture(pic, srcset(source.attrs.get("srcset")), source.attrs.get("sizes") or "", img))
    return found


def photo_and_diagram(built: Built, lang: str) -> tuple[Picture, Picture]:
    pictures = [p for p in content_pictures(built.page(lang)) if not p.is_video_still()]
    assert len(pictures) == 2, f"{lang}: the photo and the diagram, found {len(pictures)} pictures"
    return pictures[0], pictures[1]


def published(url: str) -> re.Match[str]:
    m = HASHED.match(url)
    assert m, f"{url} is not /assets/images/<name>-<width>.<hash10>.<ext>"
    return m


# --- the source carries what must not be published ---------------------------------------


def test_the_fixture_photo_is_a_phone_photo_with_orientation_gps_xmp_and_comment(good: Path):
    source = good / REGION / "static" / "eclaireurs.jpg"
    assert 2_500_000 < source.stat().st_size < 4_500_000, source.stat().st_size
    with Image.open(source) as im:
        assert im.size == PHOTO_STORED
        exif = im.getexif()
        assert exif[0x0112] == 6
        assert exif.get_ifd(0x8825)[2] == fixture.GPS_LATITUDE
        assert {"exif", "xmp", "comment", "icc_profile"} <= set(im.info)
    assert SECRET.encode() in source.read_bytes()


# --- published widths, formats, orientation ----------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_the_photo_is_published_in_webp_at_480_720_960_and_1600_turned_upright(built: Built, lang: str):
    photo, _ = photo_and_diagram(built, lang)
    assert [w for _, w in photo.webp] == list(WIDTHS)
    for url, width in photo.webp:
        m = published(url)
        assert (m["stem"], m["ext"], int(m["width"])) == ("eclaireurs", "webp", width)
        with Image.open(built.file(url)) as im:
            assert im.format == "WEBP"
            # Portrait: the EXIF orientation was applied before resizing.
            assert im.size == (width, round(width * fixture.PHOTO_SHOWN[1] / fixture.PHOTO_SHOWN[0])), url


@pytest.mark.parametrize("lang", LANGS)
def test_the_photo_falls_back_to_a_960_px_jpeg(built: Built, lang: str):
    photo, _ = photo_and_diagram(built, lang)
    src = photo.img.attrs.get("src") or ""
    m = published(src)
    assert (m["stem"], m["ext"], m["width"]) == ("eclaireurs", "jpg", "960"), src
    with Image.open(built.file(src)) as im:
        assert im.format == "JPEG"
        assert im.size == (960, 1280)


def test_the_orientation_is_applied_the_marker_corner_is_top_left_in_every_output(built: Built):
    photo, _ = photo_and_diagram(built, "fr")
    urls = [u for u, _ in photo.webp] + [photo.img.attrs["src"]]
    for url in urls:
        with Image.open(built.file(url)) as im:
            rgb = im.convert("RGB")
            w, h = rgb.size
            inset = max(3, w // 100)
            corners = {
                "top-left": (inset, inset),
                "top-right": (w - 1 - inset, inset),
                "bottom-left": (inset, h - 1 - inset),
                "bottom-right": (w - 1 - inset, h - 1 - inset),
            }
            colours = {name: rgb.getpixel(xy) for name, xy in corners.items()}
            assert fixture.near(colours["top-left"], fixture.MARKER_COLOUR), f"{url}: {colours}"
            for name in ("top-right", "bottom-left", "bottom-right"):
                assert not fixture.near(colours[name], fixture.MARKER_COLOUR), f"{url}: marker at {name}"


@pytest.mark.parametrize("lang", LANGS)
def test_the_transparent_png_is_published_in_webp_no_wider_than_its_source_and_falls_back_to_png(
    built: Built, lang: str
):
    _, diagram = photo_and_diagram(built, lang)
    source_width = fixture.PNG_SIZE[0]
    widths = [w for _, w in diagram.webp]
    standard = [w for w in WIDTHS if w <= source_width]
    # 480, 720 and 960, and the source's own width (1200) as the largest; never wider.
    assert widths in (standard, standard + [source_width]), widths
    for url, width in diagram.webp:
        m = published(url)
        assert (m["stem"], m["ext"]) == ("schema", "webp")
        with Image.open(built.file(url)) as im:
            assert im.format == "WEBP"
            assert im.size == (width, round(width * fixture.PNG_SIZE[1] / fixture.PNG_SIZE[0]))
            assert im.mode == "RGBA", f"{url}: the transparency was lost ({im.mode})"
            assert im.getpixel((2, 2))[3] == 0, "the corner is transparent"
    src = diagram.img.attrs.get("src") or ""
    m = published(src)
    assert (m["stem"], m["ext"]) == ("schema", "png"), src
    with Image.open(built.file(src)) as im:
        assert im.format == "PNG" and im.width == 960
        assert im.convert("RGBA").getpixel((2, 2))[3] == 0, "the fallback keeps the transparency"


def test_published_names_carry_the_hash_of_their_bytes(built: Built):
    images = sorted((built.out / "assets" / "images").iterdir())
    assert images, "nothing under /assets/images/"
    for path in images:
        m = published(f"/assets/images/{path.name}")
        assert m["hash"] == hashlib.sha256(path.read_bytes()).hexdigest()[:10], path.name


# --- no metadata left --------------------------------------------------------------------


def jpeg_segments(data: bytes) -> list[tuple[int, bytes]]:
    """(marker, payload) of a JPEG's segments up to the start of the scan."""
    assert data[:2] == b"\xff\xd8", "not a JPEG"
    i, out = 2, []
    while i < len(data):
        assert data[i] == 0xFF, f"bad marker at {i}"
        marker = data[i + 1]
        if marker == 0xDA:  # start of scan: entropy-coded data follows
            break
        (length,) = struct.unpack(">H", data[i + 2 : i + 4])
        out.append((marker, data[i + 4 : i + 2 + length]))
        i += 2 + length
    return out


def riff_chunks(data: bytes) -> list[str]:
    assert data[:4] == b"RIFF" and data[8:12] == b"WEBP", "not a WebP"
    i, out = 12, []
    while i + 8 <= len(data):
        name = data[i : i + 4].decode("latin-1")
        (size,) = struct.unpack("<I", data[i + 4 : i + 8])
        out.append(name)
        i += 8 + size + (size & 1)
    return out


def png_chunks(data: bytes) -> list[str]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    i, out = 8, []
    while i + 8 <= len(data):
        (size,) = struct.unpack(">I", data[i : i + 4])
        out.append(data[i + 4 : i + 8].decode("latin-1"))
        i += 12 + size
    return out


def published_rasters(built: Built) -> list[Path]:
    found = [p for p in (built.out / "assets" / "images").iterdir() if p.suffix in (".webp", ".jpg", ".png")]
    stems = {published(f"/assets/images/{p.name}")["stem"] for p in found}
    assert {"eclaireurs", "schema"} <= stems, stems
    return sorted(found)


def test_no_metadata_is_left_in_any_published_picture(built: Built):
    for path in published_rasters(built):
        data = path.read_bytes()
        with Image.open(io.BytesIO(data)) as im:
            im.load()
            left = {"exif", "xmp", "icc_profile", "comment", "XML:com.adobe.xmp"} & set(im.info)
            assert not left, f"{path.name} keeps {left}"
            assert len(im.getexif()) == 0, f"{path.name} keeps EXIF tags {dict(im.getexif())}"
            assert not getattr(im, "text", {}), f"{path.name} keeps text {im.text}"
        assert SECRET.encode() not in data, f"{path.name} holds the source's metadata"
        assert b"<x:xmpmeta" not in data and b"ns.adobe.com/xap" not in data, f"{path.name} holds XMP"
        assert b"Exif\x00\x00" not in data, f"{path.name} holds an EXIF block"
        if path.suffix == ".jpg":
            markers = {m for m, _ in jpeg_segments(data)}
            # APP1 (EXIF, XMP), APP2 (ICC), APP13 (IPTC), COM (comment).
            assert not markers & {0xE1, 0xE2, 0xED, 0xFE}, f"{path.name}: markers {sorted(hex(m) for m in markers)}"
            headers = b"".join(p for _, p in jpeg_segments(data))
            assert b"GPS" not in headers, f"{path.name} holds GPS data"
        elif path.suffix == ".webp":
            chunks = riff_chunks(data)
            assert set(chunks) <= {"VP8 ", "VP8L", "VP8X", "ALPH"}, f"{path.name}: chunks {chunks}"
        else:
            chunks = png_chunks(data)
            allowed = {"IHDR", "PLTE", "tRNS", "IDAT", "IEND", "sRGB", "gAMA", "cHRM", "pHYs", "sBIT", "bKGD"}
            assert set(chunks) <= allowed, f"{path.name}: chunks {chunks}"


def test_the_photo_weighs_at_most_about_150_kb_at_960_px(built: Built):
    photo, _ = photo_and_diagram(built, "fr")
    sizes = {w: built.file(u).stat().st_size for u, w in photo.webp}
    fallback = built.file(photo.img.attrs["src"]).stat().st_size
    print(f"\nphoto 4032×3024 {built.content.joinpath(REGION, 'static/eclaireurs.jpg').stat().st_size} bytes → "
          + ", ".join(f"{w} px WebP {s} bytes" for w, s in sizes.items()) + f", 960 px JPEG {fallback} bytes")
    assert sizes[960] <= 150_000, sizes
    assert sizes[480] < sizes[720] < sizes[960] < sizes[1600]


# --- the SVG logo ------------------------------------------------------------------------


def header_logo(built: Built, lang: str, page: str) -> Node:
    path = built.out / lang / "bas-saint-laurent" / page / "index.html"
    header = parse_html(path.read_text(encoding="utf-8")).find("header", class_="site-header")
    assert header is not None, f"{path}: no site header"
    logos = [img for img in header.find_all("img") if "/assets/images/logo" in (img.attrs.get("src") or "")]
    assert len(logos) == 1, f"{path}: the region's logo in the header, found {len(logos)}"
    return logos[0]


@pytest.mark.parametrize("lang", LANGS)
def test_the_region_logo_is_in_the_header_described_in_the_page_language(built: Built, lang: str):
    for page in ("", "photos"):
        logo = header_logo(built, lang, page)
        assert logo.attrs.get("alt") == fixture.LOGO_ALT[lang]
        m = published(logo.attrs["src"])
        assert (m["stem"], m["ext"], m["width"]) == ("logo", "svg", None)
        assert (logo.attrs.get("width"), logo.attrs.get("height")) == ("240", "80")
        assert "loading" not in logo.attrs, "the header's logo is on the first screen"


def test_the_svg_is_published_byte_for_byte(built: Built):
    logo = header_logo(built, "fr", "photos")
    source = built.content / REGION / "static" / "logo.svg"
    assert built.file(logo.attrs["src"]).read_bytes() == source.read_bytes()


# --- the pictures' markup ----------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_pictures_have_srcset_sizes_dimensions_and_descriptions(built: Built, lang: str):
    photo, diagram = photo_and_diagram(built, lang)
    for pic in (photo, diagram):
        assert pic.sizes, "no sizes"
        largest_url, largest = pic.webp[-1]
        with Image.open(built.file(largest_url)) as im:
            assert (pic.img.attrs.get("width"), pic.img.attrs.get("height")) == (str(im.width), str(im.height))
        assert pic.img.attrs.get("src"), "no src"
    assert photo.img.attrs.get("alt") == fixture.PHOTO_ALT[lang]
    assert diagram.img.attrs.get("alt") == "", "a decorative picture has alt=\"\""


@pytest.mark.parametrize("lang", LANGS)
def test_only_pictures_below_the_first_screen_load_lazily(built: Built, lang: str):
    photo, diagram = photo_and_diagram(built, lang)
    assert "loading" not in photo.img.attrs, "the first picture is on the first screen"
    assert photo.img.attrs.get("fetchpriority") == "high"
    assert diagram.img.attrs.get("loading") == "lazy"
    assert "fetchpriority" not in diagram.img.attrs


# --- documents ---------------------------------------------------------------------------

DOCUMENT_TEXT = {"fr": "Dépliant (PDF, 1,5 ko)", "en": "Leaflet (PDF, 2.5 KB)"}


@pytest.mark.parametrize("lang", LANGS)
def test_a_document_link_says_its_kind_and_size_and_leads_to_the_same_bytes(built: Built, lang: str):
    name, file = fixture.DOCUMENT[lang]
    links = [a for a in built.page(lang).find("main").find_all("a") if "/assets/documents/" in (a.attrs.get("href") or "")]
    assert len(links) == 1, f"{lang}: one document link, found {len(links)}"
    link = links[0]
    assert plain(link.text()) == DOCUMENT_TEXT[lang]
    href = link.attrs["href"]
    stem = Path(file).stem
    m = re.fullmatch(rf"/assets/documents/{stem}\.([0-9a-f]{{10}})\.pdf", href)
    assert m, href
    published_bytes = built.file(href).read_bytes()
    assert published_bytes == (built.content / REGION / lang / file).read_bytes()
    assert m[1] == hashlib.sha256(published_bytes).hexdigest()[:10]


# --- videos ------------------------------------------------------------------------------


def video_links(built: Built, lang: str) -> list[Node]:
    page = built.page(lang)
    figures = page.find_all("figure", class_="video")
    assert len(figures) == 2, f"{lang}: two video figures, found {len(figures)}"
    links = []
    for figure in figures:
        found = figure.find_all("a", class_="video-link")
        assert len(found) == 1
        links.append(found[0])
        note = figure.find("figcaption", class_="video-note")
        assert note is not None and plain(note.text()), "a note says what a click does"
        privacy = "/fr/confidentialite/" if lang == "fr" else "/en/privacy/"
        assert any((a.attrs.get("href") or "").startswith(privacy) for a in note.find_all("a")), (
            "the note links to the privacy notice"
        )
    return links


@pytest.mark.parametrize("lang", LANGS)
def test_a_youtube_line_becomes_a_link_with_its_still_title_and_a_nocookie_player(built: Built, lang: str):
    youtube, _ = video_links(built, lang)
    title = fixture.VIDEO_TITLES[lang][0]
    assert youtube.attrs["href"] == fixture.YOUTUBE
    player = youtube.attrs.get("data-video-player") or ""
    assert player.startswith(f"https://www.youtube-nocookie.com/embed/{fixture.YOUTUBE_ID}"), player
    assert plain(youtube.attrs.get("data-video-title") or "") == plain(title)
    # The visible title (after words for screen readers only, such as "Lire la vidéo :").
    assert plain(youtube.find("span", class_="video-title").text()).endswith(plain(title))
    assert youtube.find("span", class_="video-play") is not None
    stills = [n for n in youtube.iter() if "video-still" in n.classes()]
    assert len(stills) == 1, "one still"
    still = stills[0] if stills[0].tag == "picture" else stills[0].find("picture")
    assert still is not None, "the region's own still, a <picture>"
    for url, _ in srcset(still.find("source").attrs.get("srcset")):
        assert published(url)["stem"] == "eclaireurs"
    assert still.find("img").attrs.get("loading") == "lazy"


@pytest.mark.parametrize("lang", LANGS)
def test_a_vimeo_line_becomes_a_link_with_a_neutral_still_and_a_do_not_track_player(built: Built, lang: str):
    _, vimeo = video_links(built, lang)
    title = fixture.VIDEO_TITLES[lang][1]
    assert vimeo.attrs["href"] == fixture.VIMEO
    player = vimeo.attrs.get("data-video-player") or ""
    assert player.startswith(f"https://player.vimeo.com/video/{fixture.VIMEO_ID}?"), player
    assert "dnt=1" in player
    assert plain(vimeo.find("span", class_="video-title").text()).endswith(plain(title))
    still = [n for n in vimeo.iter() if "video-still" in n.classes()]
    assert len(still) == 1, "a still, the build's neutral one"
    assert still[0].find("picture") is None and still[0].find("img") is None, "neutral: nothing fetched"


@pytest.mark.parametrize("lang", LANGS)
def test_nothing_on_the_page_comes_from_the_video_sites(built: Built, lang: str):
    page = built.page(lang)
    for node in page.iter():
        for name in ("src", "srcset", "poster", "data-src"):
            value = node.attrs.get(name) or ""
            assert not re.search(r"https?://", value), f"<{node.tag} {name}={value!r}>: fetched from another host"
        if node.tag == "link":
            assert (node.attrs.get("href") or "").startswith("/") or node.attrs.get("rel") in (
                "canonical",
                "alternate",
            ), node.attrs
    scripts = [s.attrs.get("src") or "" for s in page.find_all("script")]
    video_js = [s for s in page.find_all("script") if re.fullmatch(r"/assets/video\.[0-9a-f]{10}\.js", s.attrs.get("src") or "")]
    assert len(video_js) == 1, f"the click-to-load script, once: {scripts}"
    assert "defer" in video_js[0].attrs


def test_pages_without_a_video_do_not_load_the_video_script(built: Built):
    path = built.out / "fr" / "bas-saint-laurent" / "objectifs" / "index.html"
    assert "/assets/video." not in path.read_text(encoding="utf-8")


# --- the cache ---------------------------------------------------------------------------


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_mtime_ns, p.stat().st_size) for p in folder.rglob("*") if p.is_file()}


def test_a_second_build_encodes_nothing_again(binary: Path, built: Built, tmp_path: Path):
    cache = built.content / ".cache" / "media"
    assert cache.is_dir(), f"no cache folder {cache}"
    entries = [d for d in cache.iterdir() if d.is_dir()]
    assert len(entries) >= 2, f"an entry for the photo and one for the diagram: {entries}"
    assert all((d / "outputs.json").is_file() for d in entries)
    before = snapshot(cache)
    out = tmp_path / "again"
    done = run(binary, "build", "--content", str(built.content), "--out", str(out))
    assert done.returncode == 0, done.stdout + done.stderr
    assert snapshot(cache) == before, "the second build wrote into the cache (it encoded again)"
    first = {p.name for p in (built.out / "assets" / "images").iterdir()}
    again = {p.name for p in (out / "assets" / "images").iterdir()}
    assert again == first, "the same published names"


# --- the mistakes --------------------------------------------------------------------------


def line_of(path: Path, needle: str) -> int:
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return n
    raise AssertionError(f"{needle!r} not in {path}")


BAD_CASES = {
    # what the page line holds: what the error must say (a pattern, case ignored)
    "![](eclaireurs.jpg)": r"description",
    "(script.svg)": r"script",
    "(tronquee.jpg)": r"cut short|truncated|incomplete|damaged",
    "(iphone.jpg)": r"HEIC",
    "(absente.jpg)": r"absente\.jpg",
    "(geante.png)": r"\b60\b.*(megapixel|mégapixel|million|MP\b)",  # the limit
}


def messages_at(lines: list[str], file: str, line_number: int) -> list[str]:
    """The lines that locate something at that line of that file: `file:line`, `file:line:column`
    or `file, line N` (as in "shown by …/page.md, line 12")."""
    at = re.compile(re.escape(file) + rf"(?::{line_number}(?::\d+)?(?=[:\s)]|$)|, line {line_number}\b)")
    return [line for line in lines if at.search(line)]


def test_check_finds_each_mistake_at_its_line(binary: Path, bad: Path):
    done = run(binary, "check", "--content", str(bad))
    output = done.stdout + done.stderr
    assert done.returncode == 1, f"check exit code {done.returncode}:\n{output}"
    page = bad / REGION / "fr" / "images-a-corriger.md"
    lines = output.splitlines()
    for needle, pattern in BAD_CASES.items():
        n = line_of(page, needle)
        said = messages_at(lines, "images-a-corriger.md", n)
        assert said, f"nothing located at images-a-corriger.md line {n} for {needle}:\n{output}"
        # The message, without the paths (a temporary folder's name could hold anything).
        words = " ".join(re.sub(r"/\S+", "", m) for m in said)
        assert re.search(pattern, words, re.IGNORECASE), f"line {n}: expected /{pattern}/ in {said}"
    svg = bad / REGION / "static" / "script.svg"
    n = line_of(svg, "<script")
    said = messages_at(lines, "script.svg", n)
    assert any("script" in re.sub(r"/\S+", "", m) for m in said), f"the SVG's own line {n}:\n{output}"
    print("\n" + output)


def test_build_refuses_the_mistakes_and_publishes_nothing(binary: Path, bad: Path, tmp_path: Path):
    out = tmp_path / "public"
    done = run(binary, "build", "--content", str(bad), "--out", str(out))
    assert done.returncode == 1, done.stdout + done.stderr
    assert not out.exists() or not any(out.iterdir()), "nothing is published"
