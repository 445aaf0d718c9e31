"""`eclaireurs publish` against emulated AWS (moto's server): what a region's web person
sees after each content change, and what ends up online."""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import zipfile
from pathlib import Path

import yaml

import emulated_aws as aws

PAGE_CACHE = "public, max-age=0, s-maxage=300, must-revalidate"
ASSET_CACHE = "public, max-age=31536000, immutable"


def publish(binary, stack, site, *extra, env=None):
    return aws.run_publish(binary, stack.name, site["content"], *extra, env=env)


def ok(result):
    assert result.returncode == 0, f"publish failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def summary(stdout: str) -> dict:
    """The summary line's facts."""
    line = next(l for l in stdout.splitlines() if l.startswith(("Published:", "Would publish:")))
    found = re.search(r"(\d+) uploaded, (\d+) deleted, (\d+) unchanged; catalog: (updated|unchanged); "
                      r"invalidation (\S+); (\d+) AWS requests", line)
    assert found, line
    keys = ["uploaded", "deleted", "unchanged", "catalog", "invalidation", "requests"]
    return dict(zip(keys, found.groups()))


def package(binary, site) -> bytes:
    """The zip `eclaireurs package` makes for sam deploy from the same content."""
    zip_path = site["out"].parent / "function.zip"
    result = aws.subprocess.run(
        [str(binary), "package", "--content", str(site["content"]), "--out", str(site["out"]),
         "--bootstrap", str(site["bootstrap"]), "--zip", str(zip_path)],
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return zip_path.read_bytes()


def built_catalog(binary, site) -> bytes:
    """The catalog `eclaireurs build` makes from the same content, byte for byte."""
    return (build(binary, site) / ".eclaireurs-catalog.json").read_bytes()


def build(binary, site) -> Path:
    """The same site built into a folder by `eclaireurs build`, to compare with what is online."""
    result = aws.subprocess.run([str(binary), "build", "--content", str(site["content"]),
                                 "--out", str(site["out"])], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return site["out"]


def built_files(out: Path) -> set[str]:
    return {
        p.relative_to(out).as_posix()
        for p in out.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(out).parts)
    }


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_first_publish_puts_every_file_online_with_its_type_and_cache_policy(binary, stack, site):
    out = ok(publish(binary, stack, site))
    online = aws.objects(stack.bucket)
    expected = built_files(build(binary, site))
    assert set(online) == expected, "every built file, and nothing else"
    assert not [k for k in online if "/." in f"/{k}"], "no dot file (marker, catalog) goes online"
    assert aws.CATALOG_KEY not in online, "the catalog is not a page of the site"
    s3 = aws.client("s3")
    for key, content_type, cache in [
        ("fr/bas-saint-laurent/index.html", "text/html; charset=utf-8", PAGE_CACHE),
        ("404.html", "text/html; charset=utf-8", PAGE_CACHE),
        ("sitemap.xml", "application/xml; charset=utf-8", PAGE_CACHE),
        ("robots.txt", "text/plain; charset=utf-8", PAGE_CACHE),
    ]:
        head = s3.head_object(Bucket=stack.bucket, Key=key)
        assert head["ContentType"] == content_type, key
        assert head["CacheControl"] == cache, key
    assets = [k for k in online if k.startswith("assets/")]
    assert {a.rsplit(".", 1)[1] for a in assets} == {"css", "js", "svg"}
    for key in assets:
        head = s3.head_object(Bucket=stack.bucket, Key=key)
        assert head["CacheControl"] == ASSET_CACHE, key
        assert head["ContentType"].endswith("; charset=utf-8"), key
    # Every address of the sitemap is a page online: `/fr/x/` is served from `fr/x/index.html`.
    sitemap = s3.get_object(Bucket=stack.bucket, Key="sitemap.xml")["Body"].read().decode()
    addresses = re.findall(r"<loc>https?://[^/]+(/[^<]*)</loc>", sitemap)
    assert len(addresses) > 30
    for address in addresses:
        key = address.lstrip("/") + ("index.html" if address.endswith("/") else "")
        assert key in online, f"{address} has no page online"
    page = s3.get_object(Bucket=stack.bucket, Key="fr/bas-saint-laurent/index.html")
    assert page["Body"].read() == (site["out"] / "fr/bas-saint-laurent/index.html").read_bytes()
    facts = summary(out)
    assert facts["uploaded"] == str(len(expected)) and facts["deleted"] == "0"
    assert facts["catalog"] == "updated", "the functions get the catalog of these pages"
    assert facts["invalidation"] == "none", "nothing was cached before"
    assert re.search(r"^The site: https://\S+/$", out, re.M), out
    assert re.search(r"^warning: base_url in .*config\.yaml is https://\S+, but the stack's site "
                     r"is https://\S+\.cloudfront\.net", out, re.M), \
        "the copy's base_url is not the emulated distribution's address: publish says so"


def test_the_first_publish_puts_the_catalog_of_the_published_pages_into_the_catalog_bucket(
        binary, stack, site):
    assert aws.catalog_online(stack) is None, "a stack just deployed has no catalog object"
    out = ok(publish(binary, stack, site))
    catalog = built_catalog(binary, site)
    assert aws.catalog_online(stack) == catalog, "byte for byte the catalog the build makes"
    head = aws.client("s3").head_object(Bucket=stack.catalog_bucket, Key=aws.CATALOG_KEY)
    assert head["ContentType"] == "application/json"
    assert head["ETag"].strip('"') == hashlib.md5(catalog).hexdigest()
    version = json.loads(catalog)["version"]
    assert f"Put the catalog {version} into the bucket `{stack.catalog_bucket}`." in out, out
    page = aws.client("s3").get_object(Bucket=stack.bucket,
                                       Key="fr/bas-saint-laurent/devenir-eclaireur/index.html")
    assert f'value="{version}"' in page["Body"].read().decode(), \
        "the form online posts the version of this catalog"
    lines = out.splitlines()
    put = next(i for i, l in enumerate(lines) if l.startswith("Put the catalog "))
    uploaded = next(i for i, l in enumerate(lines) if l.startswith("Uploaded "))
    assert put < uploaded, out
    # The package sam deploy ships carries the same catalog (the functions' fallback).
    with zipfile.ZipFile(io.BytesIO(package(binary, site))) as archive:
        assert sorted(archive.namelist()) == ["bootstrap", "catalog.json"]
        assert archive.read("catalog.json") == catalog


def test_a_second_publish_of_the_same_site_sends_nothing(binary, stack, site):
    ok(publish(binary, stack, site))
    before = aws.invalidations(stack.distribution)
    with aws.Recording() as recording:
        out = ok(publish(binary, stack, site))
    facts = summary(out)
    assert facts["uploaded"] == "0" and facts["deleted"] == "0"
    assert facts["catalog"] == "unchanged"
    assert facts["invalidation"] == "none"
    assert "Put the catalog" not in out, out
    assert aws.invalidations(stack.distribution) == before
    assert len(aws.catalog_versions(stack)) == 1, "no new version of the catalog"
    sent = recording.list()
    assert len(sent) == int(facts["requests"]), "the recorder saw each of publish's requests"
    assert sorted(iam_action(r, stack) for r in sent) == [
        ("cloudformation:DescribeStacks", "AWS::StackId"),
        ("s3:GetObject", "CatalogBucket/catalog.json"),
    ], "only reads: the stack and the catalog's HEAD; the record spares the site's listing"


NOTHING_CHANGED = re.compile(
    r"^Nothing changed since this computer's last publish \(\d{4}-\d\d-\d\d \d\d:\d\d UTC\): "
    r"nothing sent\. To compare every file online again, run `publish --full`\.$", re.M)


def test_an_unchanged_publish_builds_nothing_and_still_says_what_to_fix(binary, stack, site):
    ok(publish(binary, stack, site))
    out = ok(publish(binary, stack, site))
    assert NOTHING_CHANGED.match(out), out
    assert "Built " not in out, out
    facts = summary(out)
    assert facts["uploaded"] == "0" and facts["deleted"] == "0" and facts["catalog"] == "unchanged"
    warnings = [l for l in out.splitlines()
                if l.startswith("warning: ") and "the region shows the forms" in l]
    assert len(warnings) == 3, "said at every publish, built or not:\n" + out


def change_by_hand(stack) -> tuple[str, bytes]:
    """A page changed and robots.txt removed online, as by hand in the AWS console: the key
    of the page and its right bytes."""
    key = "fr/bas-saint-laurent/roles/index.html"
    right = aws.client("s3").get_object(Bucket=stack.bucket, Key=key)["Body"].read()
    aws.client("s3").put_object(Bucket=stack.bucket, Key=key, Body=b"changed by hand")
    aws.client("s3").delete_object(Bucket=stack.bucket, Key="robots.txt")
    return key, right


def test_a_file_changed_online_is_put_back_by_full_though_the_content_did_not_change(
        binary, stack, site):
    ok(publish(binary, stack, site))
    key, right = change_by_hand(stack)
    with aws.Recording() as recording:
        out = ok(publish(binary, stack, site, "--full"))
    assert "Built " in out, "what is online is not what the last publish left: built again"
    assert ("s3:ListBucket", "SiteBucket") in {iam_action(r, stack) for r in recording.list()}
    facts = summary(out)
    assert facts["uploaded"] == "2", out
    assert aws.client("s3").get_object(Bucket=stack.bucket, Key=key)["Body"].read() == right
    assert "robots.txt" in aws.objects(stack.bucket)
    assert NOTHING_CHANGED.match(ok(publish(binary, stack, site)))
    # `--full` with nothing changed anywhere: it lists, and the listing is the record's.
    out = ok(publish(binary, stack, site, "--full"))
    assert out.startswith("Nothing to build: "), out
    assert summary(out)["uploaded"] == "0", out


def test_an_unchanged_publish_trusts_its_record_and_leaves_a_hand_change_until_full(
        binary, stack, site):
    ok(publish(binary, stack, site))
    key, right = change_by_hand(stack)
    before = aws.invalidations(stack.distribution)
    with aws.Recording() as recording:
        out = ok(publish(binary, stack, site))
    assert NOTHING_CHANGED.match(out), out
    assert "Built " not in out, out
    facts = summary(out)
    assert facts["uploaded"] == "0" and facts["deleted"] == "0", out
    assert facts["catalog"] == "unchanged" and facts["invalidation"] == "none", out
    assert sorted(iam_action(r, stack) for r in recording.list()) == [
        ("cloudformation:DescribeStacks", "AWS::StackId"),
        ("s3:GetObject", "CatalogBucket/catalog.json"),
    ], "no listing of the site's bucket, nothing sent"
    assert aws.client("s3").get_object(Bucket=stack.bucket, Key=key)["Body"].read() == \
        b"changed by hand", "the hand change stays: the record is trusted"
    assert "robots.txt" not in aws.objects(stack.bucket)
    assert aws.invalidations(stack.distribution) == before
    # A dry run trusts it too, and says the same.
    assert NOTHING_CHANGED.match(ok(publish(binary, stack, site, "--dry-run")))
    # `--full` compares every file and puts both back.
    out = ok(publish(binary, stack, site, "--full"))
    assert summary(out)["uploaded"] == "2", out
    assert aws.client("s3").get_object(Bucket=stack.bucket, Key=key)["Body"].read() == right
    assert "robots.txt" in aws.objects(stack.bucket)


def test_any_content_change_compares_every_file_again(binary, stack, site):
    ok(publish(binary, stack, site))
    key, right = change_by_hand(stack)
    edit(site["content"] / "regions/saguenay-lac-saint-jean/fr/roles.md", "\n\n",
         "\n\nUn mot de plus.\n\n")
    out = ok(publish(binary, stack, site))
    facts = summary(out)
    assert facts["uploaded"] == "3", "the edited page, and the two files changed by hand"
    assert aws.client("s3").get_object(Bucket=stack.bucket, Key=key)["Body"].read() == right
    assert "robots.txt" in aws.objects(stack.bucket)


def test_a_catalog_changed_elsewhere_makes_publish_compare_every_file(binary, stack, site):
    # Another computer published a change to a form (so a new catalog) and its pages.
    ok(publish(binary, stack, site))
    ours = aws.catalog_online(stack)
    key, right = change_by_hand(stack)
    aws.client("s3").put_object(Bucket=stack.catalog_bucket, Key=aws.CATALOG_KEY,
                                Body=ours + b"\n",
                                ContentType="application/json")
    with aws.Recording() as recording:
        out = ok(publish(binary, stack, site))
    assert not NOTHING_CHANGED.search(out), out
    assert ("s3:ListBucket", "SiteBucket") in {iam_action(r, stack) for r in recording.list()}
    facts = summary(out)
    assert facts["catalog"] == "updated" and facts["uploaded"] == "2", out
    assert aws.catalog_online(stack) == ours
    assert aws.client("s3").get_object(Bucket=stack.bucket, Key=key)["Body"].read() == right
    assert NOTHING_CHANGED.match(ok(publish(binary, stack, site)))


def test_one_edited_page_is_one_upload_and_one_invalidated_path(binary, stack, site):
    ok(publish(binary, stack, site))
    edit(site["content"] / "regions/bas-saint-laurent/fr/roles.md", "\n\n", "\n\nUn mot de plus.\n\n")
    facts = summary(ok(publish(binary, stack, site)))
    assert facts["uploaded"] == "1" and facts["deleted"] == "0"
    assert facts["catalog"] == "unchanged", "page text is not in the catalog"
    assert len(aws.catalog_versions(stack)) == 1
    [invalidation] = aws.invalidations(stack.distribution)
    assert invalidation["Id"] == facts["invalidation"]
    assert invalidation["InvalidationBatch"]["Paths"]["Items"] == [
        "/fr/bas-saint-laurent/roles/index.html"
    ]
    body = aws.client("s3").get_object(Bucket=stack.bucket,
                                       Key="fr/bas-saint-laurent/roles/index.html")["Body"].read()
    assert "Un mot de plus." in body.decode()


def test_pictures_and_documents_go_online_once_with_their_type_and_a_years_cache(binary, stack,
                                                                               site):
    from PIL import Image

    region = site["content"] / "regions/bas-saint-laurent"
    (region / "static").mkdir()
    photo = Image.linear_gradient("L").resize((1200, 800)).convert("RGB")
    photo.save(region / "static/groupe.jpg", quality=90)
    (region / "fr/depliant.pdf").write_bytes(b"%PDF-1.4\n% a leaflet\n%%EOF\n")
    roles = region / "fr/roles.md"
    edit(roles, "Les éclaireurs ont quatre rôles.\n",
         "Les éclaireurs ont quatre rôles.\n\n![Des éclaireurs réunis](groupe.jpg)\n\n"
         "Le [Dépliant](depliant.pdf).\n")
    ok(publish(binary, stack, site))
    online = aws.objects(stack.bucket)
    s3 = aws.client("s3")
    images = sorted(k for k in online if k.startswith("assets/images/"))
    assert sorted(re.sub(r"\.[0-9a-f]{10}\.", ".", k) for k in images) == [
        "assets/images/groupe-1200.webp", "assets/images/groupe-480.webp",
        "assets/images/groupe-720.webp", "assets/images/groupe-960.jpg",
        "assets/images/groupe-960.webp"], images
    [document] = [k for k in online if k.startswith("assets/documents/")]
    for key, content_type in [(k, "image/webp") for k in images if k.endswith(".webp")] + [
            (k, "image/jpeg") for k in images if k.endswith(".jpg")] + [
            (document, "application/pdf")]:
        head = s3.head_object(Bucket=stack.bucket, Key=key)
        assert head["ContentType"] == content_type, key
        assert head["CacheControl"] == ASSET_CACHE, key
    page = s3.get_object(Bucket=stack.bucket,
                         Key="fr/bas-saint-laurent/roles/index.html")["Body"].read().decode()
    for key in images + [document]:
        assert f"/{key}" in page, key
    # A text edit of the page: the page goes again, its pictures and document do not.
    edit(roles, "Le [Dépliant]", "Lisez le [Dépliant]")
    facts = summary(ok(publish(binary, stack, site)))
    assert facts["uploaded"] == "1" and facts["deleted"] == "0", facts
    # A new photo under the same name: new published names, the old ones removed.
    Image.linear_gradient("L").rotate(90).resize((1200, 800)).convert("RGB").save(
        region / "static/groupe.jpg", quality=90)
    facts = summary(ok(publish(binary, stack, site)))
    assert facts["uploaded"] == "6" and facts["deleted"] == "5", facts


def test_a_removed_page_is_deleted_after_the_uploads(binary, stack, site):
    extra = site["content"] / "regions/bas-saint-laurent/fr/annonce.md"
    extra.write_text("---\ntitle: Une annonce\ndescription: Une annonce.\nmenu: false\n---\nBientôt.\n", encoding="utf-8")
    ok(publish(binary, stack, site))
    assert "fr/bas-saint-laurent/annonce/index.html" in aws.objects(stack.bucket)
    extra.unlink()
    out = ok(publish(binary, stack, site))
    facts = summary(out)
    assert facts["deleted"] == "1"
    assert facts["uploaded"] == "1", "the sitemap, which listed the page"
    assert "fr/bas-saint-laurent/annonce/index.html" not in aws.objects(stack.bucket)
    lines = out.splitlines()
    uploaded = next(i for i, l in enumerate(lines) if l.startswith("Uploaded "))
    deleted = next(i for i, l in enumerate(lines) if l.startswith("Deleted "))
    assert uploaded < deleted, out
    [invalidation] = aws.invalidations(stack.distribution)
    assert sorted(invalidation["InvalidationBatch"]["Paths"]["Items"]) == [
        "/fr/bas-saint-laurent/annonce/index.html",
        "/sitemap.xml",
    ]


def test_a_page_made_a_draft_is_taken_offline_and_the_contacts_to_name_are_printed(binary, stack,
                                                                                   site):
    out = ok(publish(binary, stack, site))
    # Nobody is named to answer in the real regions yet: said on every publish, not a stop.
    warnings = [l for l in out.splitlines()
                if l.startswith("warning: ") and "the region shows the forms" in l]
    assert len(warnings) == 3, out
    assert "regions/bas-saint-laurent/region.yaml: the region shows the forms" in warnings[0], out
    assert "`contact.phone`, `contact.voicemail` or `contact.email`" in warnings[0], out
    assert "`privacy_officer.title`" in warnings[1], out
    assert "regions/saguenay-lac-saint-jean/region.yaml" in warnings[2], out
    assert "en/bas-saint-laurent/objectives/index.html" in aws.objects(stack.bucket)
    edit(site["content"] / "regions/bas-saint-laurent/en/objectives.md", "---\n", "---\ndraft: true\n")
    out = ok(publish(binary, stack, site))
    assert re.search(r"^note: .*regions/bas-saint-laurent/en/objectives\.md: a draft page", out,
                     re.MULTILINE), out
    assert summary(out)["deleted"] == "1", out
    online = aws.objects(stack.bucket)
    assert "en/bas-saint-laurent/objectives/index.html" not in online
    sitemap = aws.client("s3").get_object(Bucket=stack.bucket, Key="sitemap.xml")["Body"].read()
    assert b"/en/bas-saint-laurent/objectives/" not in sitemap


def test_a_publish_stopped_half_way_is_completed_by_running_it_again(binary, stack, site):
    ok(publish(binary, stack, site))
    edit(site["content"] / "regions/bas-saint-laurent/fr/roles.md", "\n\n", "\n\nPremier ajout.\n\n")
    edit(site["content"] / "regions/saguenay-lac-saint-jean/fr/roles.md", "\n\n",
         "\n\nSecond ajout.\n\n")
    out = build(binary, site)
    # As if the first of the two uploads went through and the publish then stopped.
    first = "fr/bas-saint-laurent/roles/index.html"
    aws.client("s3").put_object(Bucket=stack.bucket, Key=first, Body=(out / first).read_bytes())
    facts = summary(ok(publish(binary, stack, site)))
    assert facts["uploaded"] == "1", "what is already online is not sent again"
    online = aws.objects(stack.bucket)
    for key in built_files(out):
        assert online[key]["ETag"].strip('"') == hashlib.md5((out / key).read_bytes()).hexdigest(), key
    [invalidation] = aws.invalidations(stack.distribution)
    assert invalidation["InvalidationBatch"]["Paths"]["Items"] == [
        "/fr/saguenay-lac-saint-jean/roles/index.html"
    ], "the page uploaded before the stop is forgotten by the CDN within its 5 minutes"


def test_a_publish_stopped_after_the_catalog_sends_only_the_pages_when_run_again(binary, stack,
                                                                                  site):
    ok(publish(binary, stack, site))
    edit(site["content"] / "forms/registration.yaml", "fr: Prénom", "fr: Votre prénom")
    catalog = built_catalog(binary, site)
    # As if the catalog went up and the publish stopped before the pages.
    aws.client("s3").put_object(Bucket=stack.catalog_bucket, Key=aws.CATALOG_KEY, Body=catalog,
                                ContentType="application/json")
    out = ok(publish(binary, stack, site))
    facts = summary(out)
    assert facts["catalog"] == "unchanged", out
    assert int(facts["uploaded"]) > 0, "the form's pages still had to go up"
    assert len(aws.catalog_versions(stack)) == 2, "the first publish's, and the one before the stop"
    assert aws.catalog_online(stack) == catalog
    assert "Votre prénom" in aws.client("s3").get_object(
        Bucket=stack.bucket, Key="fr/bas-saint-laurent/devenir-eclaireur/index.html")["Body"].read().decode()


def test_broken_content_publishes_nothing_and_says_where(binary, stack, site):
    edit(site["content"] / "regions/bas-saint-laurent/fr/roles.md", "title:", "titre:")
    result = publish(binary, stack, site)
    assert result.returncode != 0
    assert re.search(r"regions/bas-saint-laurent/fr/roles\.md:\d+", result.stderr), result.stderr
    assert "Nothing was published." in result.stderr
    assert aws.objects(stack.bucket) == {}
    assert aws.catalog_versions(stack) == [], "no catalog either"
    assert aws.invalidations(stack.distribution) == []


def test_a_catalog_the_functions_would_refuse_never_leaves_the_editors_machine(binary, stack,
                                                                                site):
    ok(publish(binary, stack, site))
    before = aws.catalog_online(stack)
    pages = {k: v["ETag"] for k, v in aws.objects(stack.bucket).items()}
    # Past the model's cap: the function would take bodies far larger than it should.
    edit(site["content"] / "forms/need-report.yaml", "max_length: 4000", "max_length: 400000")
    result = publish(binary, stack, site)
    assert result.returncode != 0
    assert "max_length" in result.stderr and "forms/need-report.yaml" in result.stderr, \
        result.stderr
    assert "Nothing was published." in result.stderr, result.stderr
    assert aws.catalog_online(stack) == before and len(aws.catalog_versions(stack)) == 1
    assert {k: v["ETag"] for k, v in aws.objects(stack.bucket).items()} == pages


def s3_writes(recording, stack) -> list[str]:
    """The buckets' objects publish wrote, in the order moto received them: `catalog` for the
    catalog, the key for a site file."""
    writes = []
    for request in recording.list():
        if request["service"] != "s3" or request["method"] != "PUT":
            continue
        path = request["path"].split("?", 1)[0]
        if path == f"/{stack.catalog_bucket}/{aws.CATALOG_KEY}":
            writes.append("catalog")
        elif path.startswith(f"/{stack.bucket}/"):
            writes.append(path.removeprefix(f"/{stack.bucket}/"))
        else:
            raise AssertionError(f"a write outside the stack's buckets: {request}")
    return writes


def test_a_changed_form_definition_puts_the_catalog_once_and_before_any_page(binary, stack, site):
    ok(publish(binary, stack, site))
    first = aws.catalog_online(stack)
    assert summary(ok(publish(binary, stack, site)))["catalog"] == "unchanged"
    edit(site["content"] / "forms/registration.yaml", "fr: Prénom", "fr: Votre prénom")
    with aws.Recording() as recording:
        out = ok(publish(binary, stack, site))
    facts = summary(out)
    assert facts["catalog"] == "updated", out
    writes = s3_writes(recording, stack)
    assert writes.count("catalog") == 1, writes
    pages = [w for w in writes if w.endswith(".html")]
    assert pages, f"the form's pages changed too: {writes}"
    assert writes[0] == "catalog", f"the catalog goes up before any file of the site: {writes}"
    assert len(writes) == int(facts["uploaded"]) + 1, (writes, facts)
    catalog = built_catalog(binary, site)
    assert aws.catalog_online(stack) == catalog != first
    assert len(aws.catalog_versions(stack)) == 2, "the bucket keeps the previous one"
    assert summary(ok(publish(binary, stack, site)))["catalog"] == "unchanged"


def test_a_catalog_the_publisher_may_not_head_is_put_all_the_same(binary, stack, site):
    # The real PublisherPolicy has no s3:ListBucket on the catalog's bucket: S3 then answers
    # the HEAD of a catalog not yet there (a stack just deployed) with 403, not 404.
    catalog = f"/{stack.catalog_bucket}/{aws.CATALOG_KEY}"
    with aws.Refusing({("HEAD", catalog): 403}) as s3:
        out = ok(publish(binary, stack, site, env=aws.publish_env(AWS_ENDPOINT_URL_S3=s3)))
    assert summary(out)["catalog"] == "updated", out
    assert aws.catalog_online(stack) == built_catalog(binary, site)


def test_a_refused_catalog_stops_the_publish_before_any_page(binary, stack, site):
    catalog = f"/{stack.catalog_bucket}/{aws.CATALOG_KEY}"
    with aws.Refusing({("PUT", catalog): 403}) as s3:
        result = publish(binary, stack, site, env=aws.publish_env(AWS_ENDPOINT_URL_S3=s3))
    message = one_sentence(result)
    assert message.startswith(f"error: putting the catalog into the bucket `{stack.catalog_bucket}` "
                              f"(output CatalogBucket of the stack `{stack.name}`): "), message
    assert "(AccessDenied)" in message and "PublisherPolicyArn" in message, message
    assert "The publish stopped" in result.stderr, result.stderr
    assert aws.objects(stack.bucket) == {}, "no page went up before the functions' catalog"
    assert aws.catalog_versions(stack) == []
    assert aws.invalidations(stack.distribution) == []


def test_dry_run_prints_the_plan_and_changes_nothing(binary, stack, site):
    ok(publish(binary, stack, site))
    edit(site["content"] / "regions/bas-saint-laurent/fr/roles.md", "\n\n", "\n\nAutre mot.\n\n")
    out = ok(publish(binary, stack, site, "--dry-run"))
    assert "upload  fr/bas-saint-laurent/roles/index.html" in out, out
    assert "invalidation: /fr/bas-saint-laurent/roles/index.html" in out, out
    assert "  catalog: unchanged" in out, out
    facts = summary(out)
    assert facts["uploaded"] == "1" and facts["catalog"] == "unchanged"
    assert facts["invalidation"] == "planned", out
    assert aws.invalidations(stack.distribution) == []
    body = aws.client("s3").get_object(Bucket=stack.bucket,
                                       Key="fr/bas-saint-laurent/roles/index.html")["Body"].read()
    assert "Autre mot." not in body.decode()


def test_dry_run_lists_the_new_catalog_first_and_sends_nothing(binary, stack, site):
    ok(publish(binary, stack, site))
    before = aws.catalog_online(stack)
    edit(site["content"] / "forms/registration.yaml", "fr: Prénom", "fr: Votre prénom")
    with aws.Recording() as recording:
        out = ok(publish(binary, stack, site, "--dry-run"))
    size = len(built_catalog(binary, site))
    lines = out.splitlines()
    plan = lines[lines.index("Dry run: nothing is changed. The plan:") + 1:]
    assert plan[0] == (f"  catalog catalog.json ({size} bytes) into the bucket "
                       f"`{stack.catalog_bucket}`, before any page"), out
    assert plan[1].startswith("  upload  "), out
    assert summary(out)["catalog"] == "updated", out
    assert lines[-2].startswith("Would publish:"), out
    assert {iam_action(r, stack)[0] for r in recording.list()} == {
        "cloudformation:DescribeStacks", "s3:ListBucket", "s3:GetObject"}, "a dry run only reads"
    assert aws.catalog_online(stack) == before
    assert len(aws.catalog_versions(stack)) == 1


def test_a_dry_run_on_a_new_stack_leaves_both_buckets_empty(binary, stack, site):
    out = ok(publish(binary, stack, site, "--dry-run"))
    assert "  catalog catalog.json (" in out, out
    assert summary(out)["catalog"] == "updated"
    assert aws.objects(stack.bucket) == {}
    assert aws.catalog_versions(stack) == []


def test_a_stack_without_the_rate_limit_is_warned_at_every_publish_until_it_has_one(binary, site):
    stack = aws.deploy_stack("open", web_acl="")
    warning = (f"warning: the stack `{stack.name}` has an empty WebAclArn, so the per-address "
               "rate limit on /api/ is off")
    for args in [(), (), ("--dry-run",)]:
        out = ok(publish(binary, stack, site, *args))
        lines = [l for l in out.splitlines() if "WebAclArn" in l]
        assert len(lines) == 1 and lines[0].startswith(warning), out
        assert "waf.yaml" in lines[0] and '"Going live"' in lines[0], lines[0]
    # The administrator deploys waf.yaml and gives its ARN to `sam deploy`.
    aws.client("cloudformation").update_stack(
        StackName=stack.name, UsePreviousTemplate=True,
        Parameters=[{"ParameterKey": "WebAclArn", "ParameterValue": aws.WEB_ACL}])
    out = ok(publish(binary, stack, site))
    assert "WebAclArn" not in out and "rate limit" not in out, out


def test_a_stack_without_the_web_acl_parameter_at_all_is_warned_too(binary, site):
    stack = aws.deploy_stack("older", web_acl=None)
    out = ok(publish(binary, stack, site))
    assert f"warning: the stack `{stack.name}` has an empty WebAclArn" in out, out


def one_sentence(result):
    assert result.returncode != 0
    text = result.stderr
    assert "panicked" not in text and "RUST_BACKTRACE" not in text, text
    assert "Error {" not in text and "SdkError" not in text, "no debug dump: " + text
    errors = [l for l in text.splitlines() if l.startswith("error: ")]
    assert len(errors) == 1, text
    return errors[0]


def test_a_wrong_stack_name_is_one_clear_sentence(binary, site):
    result = aws.run_publish(binary, "no-such-stack", site["content"])
    message = one_sentence(result)
    assert "no stack named `no-such-stack` in ca-central-1" in message, message
    assert "Nothing was published." in result.stderr, result.stderr


def test_a_stack_from_before_the_catalog_bucket_is_told_to_update_first_and_gets_nothing(binary,
                                                                                          site):
    stack = aws.deploy_stack("old", without=("CatalogBucket",))
    result = publish(binary, stack, site)
    message = one_sentence(result)
    assert message.startswith(f"error: the stack `{stack.name}` has no output `CatalogBucket`: "
                              "it was deployed before the catalog moved out of the function's "
                              "package: update the stack with `sam deploy` first"), message
    assert "Nothing was published." in result.stderr, result.stderr
    assert aws.objects(stack.bucket) == {}
    assert aws.catalog_versions(stack) == []
    assert aws.invalidations(stack.distribution) == []


def test_missing_credentials_are_one_clear_sentence(binary, site):
    env = aws.publish_env()
    del env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"]
    message = one_sentence(aws.run_publish(binary, "eclaireurs", site["content"], env=env))
    assert "no AWS credentials" in message, message


def test_publish_takes_no_function_program_any_more(binary, stack, site):
    result = publish(binary, stack, site, "--bootstrap", str(site["bootstrap"]))
    assert result.returncode != 0
    assert "--bootstrap" in result.stderr, result.stderr
    assert aws.objects(stack.bucket) == {}


class Loader(yaml.SafeLoader):
    """Reads template.yaml with its CloudFormation tags as text: `!GetAtt X.Arn` as
    "X.Arn", `!Sub "${X.Arn}/k"` as "${X.Arn}/k", `!Ref X` as "X"; other tags as their
    YAML value (a list or a mapping)."""


def _tag(loader, suffix, node):
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_mapping(node, deep=True)


Loader.add_multi_constructor("!", _tag)


def real_template() -> dict:
    return yaml.load((aws.REPO / "template.yaml").read_text(), Loader=Loader)


# The outputs publish reads (the first four) and the ones the README and the tests' stand-in
# stack name: the contract between template.yaml and `eclaireurs publish`.
OUTPUTS = ["SiteBucket", "DistributionId", "SiteUrl", "CatalogBucket", "DistributionDomain",
           "PublisherPolicyArn"]


def test_the_real_template_has_the_outputs_publish_reads():
    template = real_template()
    for name in OUTPUTS:
        assert name in template["Outputs"], f"template.yaml has no output {name}"
    assert template["Parameters"]["WebAclArn"]["Default"] == "", \
        "publish warns on the WebAclArn parameter left empty"
    assert template["Resources"]["CatalogBucket"]["Type"] == "AWS::S3::Bucket"
    # sam deploy still ships the package zip: the code, and the catalog it falls back on.
    for function in ["SubmissionFunction", "NotificationFunction"]:
        code = template["Resources"][function]["Properties"]["CodeUri"]
        assert code == "target/lambda/eclaireurs-function.zip", \
            f"sam deploy uploads the package zip for {function}"
    expanded = os.environ.get("TEMPLATE_JSON")
    if expanded and Path(expanded).is_file():
        # After the SAM transform too: what CloudFormation actually deploys.
        deployed = json.loads(Path(expanded).read_text())
        for name in OUTPUTS:
            assert name in deployed["Outputs"], f"the transformed template has no output {name}"


def iam_action(request, stack) -> tuple[str, str]:
    """The IAM action a request of publish needs, and the resource it is on (a logical id of
    template.yaml, or the stack)."""
    service, method = request["service"], request["method"]
    path, _, query = request["path"].partition("?")
    if service == "cloudformation":
        return "cloudformation:DescribeStacks", "AWS::StackId"
    if service == "cloudfront":
        assert method == "POST" and path.endswith("/invalidation"), request
        return "cloudfront:CreateInvalidation", "SiteDistribution"
    assert service == "s3", request
    bucket, _, key = path.lstrip("/").partition("/")
    logical = {stack.bucket: "SiteBucket", stack.catalog_bucket: "CatalogBucket"}[bucket]
    if not key:
        if method == "GET":
            return "s3:ListBucket", logical
        assert method == "POST" and "delete" in query, request
        return "s3:DeleteObject", logical + "/*"
    key = key if logical == "CatalogBucket" else "*"
    return {"GET": "s3:GetObject", "HEAD": "s3:GetObject", "PUT": "s3:PutObject",
            "DELETE": "s3:DeleteObject"}[method], f"{logical}/{key}"


def as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def allows(statement: dict, action: str, resource: str) -> bool:
    """Whether an Allow statement of the template grants `action` on `resource`, as
    `iam_action` names it ("SiteBucket" the bucket, "SiteBucket/*" or
    "CatalogBucket/catalog.json" objects), read in the !GetAtt/!Sub text of its Resource."""
    if action not in as_list(statement["Action"]):
        return False
    logical, _, key = resource.partition("/")
    for each in map(str, as_list(statement["Resource"])):
        if logical not in each:
            continue
        objects = each.split(logical, 1)[1].partition("/")[2]  # "" for the bucket itself
        if objects == key or (key and objects == "*"):
            return True
    return False


def test_publish_makes_no_lambda_call_only_what_the_publisher_policy_allows(binary, stack, site):
    with aws.Recording() as recording:
        ok(publish(binary, stack, site))
        extra = site["content"] / "regions/bas-saint-laurent/fr/annonce.md"
        extra.write_text("---\ntitle: Une annonce\ndescription: Une annonce.\nmenu: false\n---\n"
                         "Bientôt.\n", encoding="utf-8")
        edit(site["content"] / "forms/registration.yaml", "fr: Prénom", "fr: Votre prénom")
        ok(publish(binary, stack, site))
        extra.unlink()
        ok(publish(binary, stack, site))
    requests = recording.list()
    services = {r["service"] for r in requests}
    assert services == {"cloudformation", "s3", "cloudfront"}, services
    needed = {iam_action(r, stack) for r in requests}
    assert ("s3:PutObject", "CatalogBucket/catalog.json") in needed, needed
    assert ("s3:DeleteObject", "SiteBucket/*") in needed, needed
    policy = real_template()["Resources"]["PublisherPolicy"]["Properties"]["PolicyDocument"]
    statements = policy["Statement"]
    granted = [s for s in statements if s["Effect"] == "Allow"]
    for action, resource in sorted(needed):
        assert any(allows(s, action, resource) for s in granted), \
            f"PublisherPolicy does not allow {action} on {resource}"
    for statement in granted:
        assert not [a for a in as_list(statement["Action"]) if a.lower().startswith("lambda:")], \
            f"PublisherPolicy grants Lambda: {statement}"


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _post_need_report(port: int, description: str) -> tuple[int, dict]:
    import urllib.error
    import urllib.request

    body = json.dumps({"region": "bas-saint-laurent", "language": "fr", "description": description,
                       "consent": True, "website": ""}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}/api/need-reports", data=body,
                                     headers={"Content-Type": "application/json",
                                              "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_a_changed_form_definition_reaches_the_running_function_with_no_code_update(
        binary, stack, site, tmp_path):
    """The function reads its catalog from the stack's bucket while it runs: what `publish`
    puts there is what it validates with next, and nobody touched its code."""
    import subprocess
    import time
    import urllib.request

    function = Path(os.environ.get("ECLAIREURS_FUNCTION_BIN", binary.parent / "eclaireurs-function"))
    assert function.is_file(), f"{function} is missing: build it first (cargo build -p eclaireurs-function)"
    ok(publish(binary, stack, site))
    port = _free_port()
    env = aws.publish_env(CATALOG_BUCKET=stack.catalog_bucket, CATALOG_TTL_SECONDS="0",
                          CONTENT_DIR=str(site["content"]), DATA_DIR=str(tmp_path / "data"),
                          AWS_REGION=aws.REGION)
    server = subprocess.Popen([str(function), "--listen", f"127.0.0.1:{port}"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2):
                    break
            except OSError:
                assert server.poll() is None, f"the function stopped: {server.stderr.read()}"
                assert time.monotonic() < deadline, "the function did not answer within 30 s"
                time.sleep(0.2)
        status, answer = _post_need_report(port, "Pas de halte-répit à Rimouski.")
        assert status == 201, answer

        form = site["content"] / "forms" / "need-report.yaml"
        text = form.read_text(encoding="utf-8")
        assert "    min_length: 10\n" in text
        form.write_text(text.replace("    min_length: 10\n", "    min_length: 40\n", 1),
                        encoding="utf-8")
        assert summary(ok(publish(binary, stack, site)))["catalog"] == "updated"

        status, answer = _post_need_report(port, "Pas de transport à Matane, le soir.")
        assert status == 422, answer
        assert [(e["field"], e["code"]) for e in answer["errors"]] == [("description", "too_short")]
    finally:
        server.terminate()
        server.wait(timeout=10)
