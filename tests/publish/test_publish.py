"""`eclaireurs publish` against emulated AWS (moto's server): what a region's web person
sees after each content change, and what ends up online."""

from __future__ import annotations

import base64
import hashlib
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
    return aws.run_publish(binary, stack.name, site["content"], site["bootstrap"], *extra, env=env)


def ok(result):
    assert result.returncode == 0, f"publish failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def summary(stdout: str) -> dict[str, str]:
    line = next(l for l in stdout.splitlines() if l.startswith(("Published:", "Would publish:")))
    found = re.search(r"(\d+) uploaded, (\d+) deleted, (\d+) unchanged; function (\w+); "
                      r"invalidation (\S+); (\d+) AWS requests", line)
    assert found, line
    keys = ["uploaded", "deleted", "unchanged", "function", "invalidation", "requests"]
    return dict(zip(keys, found.groups()))


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
    assert facts["function"] == "updated", "the function gets the catalog of these pages"
    assert facts["invalidation"] == "none", "nothing was cached before"
    assert re.search(r"^The site: https://\S+/$", out, re.M), out
    assert re.search(r"^warning: base_url in .*config\.yaml is https://\S+, but the stack's site "
                     r"is https://\S+\.cloudfront\.net", out, re.M), \
        "the copy's base_url is not the emulated distribution's address: publish says so"


def test_the_function_gets_the_catalog_of_the_published_pages_in_its_zip(binary, stack, site):
    ok(publish(binary, stack, site))
    deployed = aws.code_sha256(stack.function)
    package = site["out"].parent / "function.zip"
    result = aws.subprocess.run(
        [str(binary), "package", "--content", str(site["content"]), "--out", str(site["out"]),
         "--bootstrap", str(site["bootstrap"]), "--zip", str(package)],
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert base64.b64encode(hashlib.sha256(package.read_bytes()).digest()).decode() == deployed, \
        "the deployed code is byte for byte the zip `eclaireurs package` makes for sam deploy"
    with zipfile.ZipFile(package) as archive:
        assert sorted(archive.namelist()) == ["bootstrap", "catalog.json"]
        catalog = json.loads((site["out"] / ".eclaireurs-catalog.json").read_text())
        assert json.loads(archive.read("catalog.json"))["version"] == catalog["version"]
        assert archive.read("bootstrap") == site["bootstrap"].read_bytes()


def test_a_second_publish_of_the_same_site_sends_nothing(binary, stack, site):
    ok(publish(binary, stack, site))
    before = aws.invalidations(stack.distribution)
    sha = aws.code_sha256(stack.function)
    facts = summary(ok(publish(binary, stack, site)))
    assert facts["uploaded"] == "0" and facts["deleted"] == "0"
    assert facts["function"] == "unchanged" and facts["invalidation"] == "none"
    assert aws.invalidations(stack.distribution) == before
    assert aws.code_sha256(stack.function) == sha


def test_one_edited_page_is_one_upload_and_one_invalidated_path(binary, stack, site):
    ok(publish(binary, stack, site))
    sha = aws.code_sha256(stack.function)
    edit(site["content"] / "regions/bas-saint-laurent/fr/roles.md", "\n\n", "\n\nUn mot de plus.\n\n")
    facts = summary(ok(publish(binary, stack, site)))
    assert facts["uploaded"] == "1" and facts["deleted"] == "0"
    assert facts["function"] == "unchanged", "page text is not in the catalog"
    assert aws.code_sha256(stack.function) == sha
    [invalidation] = aws.invalidations(stack.distribution)
    assert invalidation["Id"] == facts["invalidation"]
    assert invalidation["InvalidationBatch"]["Paths"]["Items"] == [
        "/fr/bas-saint-laurent/roles/index.html"
    ]
    body = aws.client("s3").get_object(Bucket=stack.bucket,
                                       Key="fr/bas-saint-laurent/roles/index.html")["Body"].read()
    assert "Un mot de plus." in body.decode()


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


def test_broken_content_publishes_nothing_and_says_where(binary, stack, site):
    sha = aws.code_sha256(stack.function)
    edit(site["content"] / "regions/bas-saint-laurent/fr/roles.md", "title:", "titre:")
    result = publish(binary, stack, site)
    assert result.returncode != 0
    assert re.search(r"regions/bas-saint-laurent/fr/roles\.md:\d+", result.stderr), result.stderr
    assert "Nothing was published." in result.stderr
    assert aws.objects(stack.bucket) == {}
    assert aws.code_sha256(stack.function) == sha
    assert aws.invalidations(stack.distribution) == []


def test_the_function_is_updated_only_when_the_catalog_changes(binary, stack, site):
    ok(publish(binary, stack, site))
    first = aws.code_sha256(stack.function)
    assert summary(ok(publish(binary, stack, site)))["function"] == "unchanged"
    edit(site["content"] / "forms/registration.yaml", "fr: Prénom", "fr: Votre prénom")
    out = ok(publish(binary, stack, site))
    assert summary(out)["function"] == "updated"
    assert aws.code_sha256(stack.function) != first
    assert summary(ok(publish(binary, stack, site)))["function"] == "unchanged"


def test_dry_run_prints_the_plan_and_changes_nothing(binary, stack, site):
    ok(publish(binary, stack, site))
    edit(site["content"] / "regions/bas-saint-laurent/fr/roles.md", "\n\n", "\n\nAutre mot.\n\n")
    sha = aws.code_sha256(stack.function)
    out = ok(publish(binary, stack, site, "--dry-run"))
    assert "upload  fr/bas-saint-laurent/roles/index.html" in out, out
    assert "invalidation: /fr/bas-saint-laurent/roles/index.html" in out, out
    assert summary(out)["uploaded"] == "1"
    assert summary(out)["invalidation"] == "planned", out
    assert aws.invalidations(stack.distribution) == []
    assert aws.code_sha256(stack.function) == sha
    body = aws.client("s3").get_object(Bucket=stack.bucket,
                                       Key="fr/bas-saint-laurent/roles/index.html")["Body"].read()
    assert "Autre mot." not in body.decode()


def one_sentence(result):
    assert result.returncode != 0
    text = result.stderr
    assert "panicked" not in text and "RUST_BACKTRACE" not in text, text
    assert "Error {" not in text and "SdkError" not in text, "no debug dump: " + text
    errors = [l for l in text.splitlines() if l.startswith("error: ")]
    assert len(errors) == 1, text
    return errors[0]


def test_a_wrong_stack_name_is_one_clear_sentence(binary, site):
    result = aws.run_publish(binary, "no-such-stack", site["content"], site["bootstrap"])
    message = one_sentence(result)
    assert "no stack named `no-such-stack` in ca-central-1" in message, message
    assert "Nothing was published." in result.stderr, result.stderr


def test_missing_credentials_are_one_clear_sentence(binary, site):
    env = aws.publish_env()
    del env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"]
    message = one_sentence(aws.run_publish(binary, "eclaireurs", site["content"],
                                           site["bootstrap"], env=env))
    assert "no AWS credentials" in message, message


def test_a_missing_function_program_stops_before_any_upload(binary, stack, site):
    site["bootstrap"].unlink()
    message = one_sentence(publish(binary, stack, site))
    assert "scripts/package-function" in message, message
    assert aws.objects(stack.bucket) == {}


class Loader(yaml.SafeLoader):
    """Reads template.yaml with its CloudFormation tags (!Ref, !Sub…) as plain values."""


Loader.add_multi_constructor("!", lambda loader, suffix, node: None)


# The outputs publish reads (the first four) and the ones the README and the tests' stand-in
# stack name: the contract between template.yaml and `eclaireurs publish`.
OUTPUTS = ["SiteBucket", "DistributionId", "FunctionName", "SiteUrl",
           "DistributionDomain", "PublisherPolicyArn"]


def test_the_real_template_has_the_outputs_publish_reads():
    template = yaml.load((aws.REPO / "template.yaml").read_text(), Loader=Loader)
    for name in OUTPUTS:
        assert name in template["Outputs"], f"template.yaml has no output {name}"
    code = template["Resources"]["SubmissionFunction"]["Properties"]["CodeUri"]
    assert code == "target/lambda/eclaireurs-function.zip", "sam deploy uploads the package zip"
    expanded = os.environ.get("TEMPLATE_JSON")
    if expanded and Path(expanded).is_file():
        # After the SAM transform too: what CloudFormation actually deploys.
        deployed = json.loads(Path(expanded).read_text())
        for name in OUTPUTS:
            assert name in deployed["Outputs"], f"the transformed template has no output {name}"
