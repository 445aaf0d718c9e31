"""`eclaireurs publish` against emulated AWS (moto's server): what a region's web person
sees after each content change, and what ends up online."""

from __future__ import annotations

import base64
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
    return aws.run_publish(binary, stack.name, site["content"], site["bootstrap"], *extra, env=env)


def ok(result):
    assert result.returncode == 0, f"publish failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def summary(stdout: str) -> dict:
    """The summary line's facts; `functions` maps each function's name to what was done."""
    line = next(l for l in stdout.splitlines() if l.startswith(("Published:", "Would publish:")))
    found = re.search(r"(\d+) uploaded, (\d+) deleted, (\d+) unchanged; functions: ([^;]+); "
                      r"invalidation (\S+); (\d+) AWS requests", line)
    assert found, line
    keys = ["uploaded", "deleted", "unchanged", "functions", "invalidation", "requests"]
    facts = dict(zip(keys, found.groups()))
    facts["functions"] = dict(item.rsplit(" ", 1) for item in facts["functions"].split(", "))
    return facts


def functions(facts: dict, stack) -> list[str]:
    """What the summary says was done with the API function, then the notification function."""
    assert sorted(facts["functions"]) == sorted(stack.functions), facts["functions"]
    return [facts["functions"][name] for name in stack.functions]


def package(binary, site) -> bytes:
    """The zip `eclaireurs package` makes for sam deploy from the same content."""
    zip_path = site["out"].parent / "function.zip"
    result = aws.subprocess.run(
        [str(binary), "package", "--content", str(site["content"]), "--out", str(site["out"]),
         "--bootstrap", str(site["bootstrap"]), "--zip", str(zip_path)],
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return zip_path.read_bytes()


def code_sha256_of(data: bytes) -> str:
    """What Lambda reports as CodeSha256 for a package."""
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


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
    assert functions(facts, stack) == ["updated", "updated"], \
        "both functions get the catalog of these pages"
    assert facts["invalidation"] == "none", "nothing was cached before"
    assert re.search(r"^The site: https://\S+/$", out, re.M), out
    assert re.search(r"^warning: base_url in .*config\.yaml is https://\S+, but the stack's site "
                     r"is https://\S+\.cloudfront\.net", out, re.M), \
        "the copy's base_url is not the emulated distribution's address: publish says so"


def test_both_functions_get_the_catalog_of_the_published_pages_in_the_package_zip(binary, stack,
                                                                                   site):
    out = ok(publish(binary, stack, site))
    zipped = package(binary, site)
    for name in stack.functions:
        assert aws.code_sha256(name) == code_sha256_of(zipped), \
            f"{name} runs byte for byte the zip `eclaireurs package` makes for sam deploy"
        assert re.search(rf"^Updated the function `{name}` \(new catalog \S+\)\.$", out, re.M), out
    # Publish sends code only: each function keeps the Handler sam deploy gave it.
    assert aws.handler(stack.function) == "bootstrap"
    assert aws.handler(stack.notification_function) == "notifications"
    lines = out.splitlines()
    updated = max(i for i, l in enumerate(lines) if l.startswith("Updated the function "))
    uploaded = next(i for i, l in enumerate(lines) if l.startswith("Uploaded "))
    assert updated < uploaded, "both functions have the new catalog before any page is sent"
    with zipfile.ZipFile(io.BytesIO(zipped)) as archive:
        assert sorted(archive.namelist()) == ["bootstrap", "catalog.json"]
        catalog = json.loads((site["out"] / ".eclaireurs-catalog.json").read_text())
        assert json.loads(archive.read("catalog.json"))["version"] == catalog["version"]
        assert archive.read("bootstrap") == site["bootstrap"].read_bytes()


def test_a_second_publish_of_the_same_site_sends_nothing(binary, stack, site):
    ok(publish(binary, stack, site))
    before = aws.invalidations(stack.distribution)
    shas = aws.code_sha256s(stack)
    out = ok(publish(binary, stack, site))
    facts = summary(out)
    assert facts["uploaded"] == "0" and facts["deleted"] == "0"
    assert functions(facts, stack) == ["unchanged", "unchanged"], "neither function is updated"
    assert facts["invalidation"] == "none"
    assert "Updated the function" not in out, out
    assert aws.invalidations(stack.distribution) == before
    assert aws.code_sha256s(stack) == shas


def test_one_edited_page_is_one_upload_and_one_invalidated_path(binary, stack, site):
    ok(publish(binary, stack, site))
    shas = aws.code_sha256s(stack)
    edit(site["content"] / "regions/bas-saint-laurent/fr/roles.md", "\n\n", "\n\nUn mot de plus.\n\n")
    facts = summary(ok(publish(binary, stack, site)))
    assert facts["uploaded"] == "1" and facts["deleted"] == "0"
    assert functions(facts, stack) == ["unchanged", "unchanged"], "page text is not in the catalog"
    assert aws.code_sha256s(stack) == shas
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


def test_broken_content_publishes_nothing_and_says_where(binary, stack, site):
    shas = aws.code_sha256s(stack)
    edit(site["content"] / "regions/bas-saint-laurent/fr/roles.md", "title:", "titre:")
    result = publish(binary, stack, site)
    assert result.returncode != 0
    assert re.search(r"regions/bas-saint-laurent/fr/roles\.md:\d+", result.stderr), result.stderr
    assert "Nothing was published." in result.stderr
    assert aws.objects(stack.bucket) == {}
    assert aws.code_sha256s(stack) == shas
    assert aws.invalidations(stack.distribution) == []


def test_both_functions_are_updated_only_when_the_catalog_changes(binary, stack, site):
    ok(publish(binary, stack, site))
    first = aws.code_sha256s(stack)
    assert functions(summary(ok(publish(binary, stack, site))), stack) == ["unchanged", "unchanged"]
    edit(site["content"] / "forms/registration.yaml", "fr: Prénom", "fr: Votre prénom")
    out = ok(publish(binary, stack, site))
    assert functions(summary(out), stack) == ["updated", "updated"]
    zipped = package(binary, site)
    for name in stack.functions:
        assert aws.code_sha256(name) != first[name], name
        assert aws.code_sha256(name) == code_sha256_of(zipped), f"{name} runs the new package"
    assert functions(summary(ok(publish(binary, stack, site))), stack) == ["unchanged", "unchanged"]


def test_a_publish_stopped_between_the_two_functions_updates_only_the_other(binary, stack, site):
    ok(publish(binary, stack, site))
    edit(site["content"] / "forms/registration.yaml", "fr: Prénom", "fr: Votre prénom")
    zipped = package(binary, site)
    # As if the API function's update went through and the publish then stopped.
    aws.client("lambda").update_function_code(FunctionName=stack.function, ZipFile=zipped)
    before = aws.code_sha256(stack.function)
    out = ok(publish(binary, stack, site))
    assert functions(summary(out), stack) == ["unchanged", "updated"], out
    assert f"The function `{stack.function}` is up to date." in out, out
    assert f"Updated the function `{stack.notification_function}`" in out, out
    assert f"Updated the function `{stack.function}`" not in out, out
    assert aws.code_sha256(stack.function) == before
    assert aws.code_sha256(stack.notification_function) == code_sha256_of(zipped)


def test_dry_run_prints_the_plan_and_changes_nothing(binary, stack, site):
    ok(publish(binary, stack, site))
    edit(site["content"] / "regions/bas-saint-laurent/fr/roles.md", "\n\n", "\n\nAutre mot.\n\n")
    shas = aws.code_sha256s(stack)
    out = ok(publish(binary, stack, site, "--dry-run"))
    assert "upload  fr/bas-saint-laurent/roles/index.html" in out, out
    assert "invalidation: /fr/bas-saint-laurent/roles/index.html" in out, out
    for name in stack.functions:
        assert f"  function `{name}`: unchanged" in out, out
    assert summary(out)["uploaded"] == "1"
    assert summary(out)["invalidation"] == "planned", out
    assert aws.invalidations(stack.distribution) == []
    assert aws.code_sha256s(stack) == shas
    body = aws.client("s3").get_object(Bucket=stack.bucket,
                                       Key="fr/bas-saint-laurent/roles/index.html")["Body"].read()
    assert "Autre mot." not in body.decode()


def test_dry_run_shows_both_functions_it_would_update_and_updates_neither(binary, stack, site):
    shas = aws.code_sha256s(stack)
    out = ok(publish(binary, stack, site, "--dry-run"))
    for name in stack.functions:
        assert f"  function `{name}`: would be updated (its catalog or program changed)" in out, out
    assert functions(summary(out), stack) == ["updated", "updated"], out
    assert out.splitlines()[-2].startswith("Would publish:"), out
    assert aws.code_sha256s(stack) == shas
    assert aws.objects(stack.bucket) == {}


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


def test_a_stack_without_the_notification_function_is_told_to_update_and_gets_nothing(binary,
                                                                                       site):
    stack = aws.deploy_stack("old", without=("NotificationFunctionName",))
    shas = aws.code_sha256s(stack)
    result = publish(binary, stack, site)
    message = one_sentence(result)
    assert f"the stack `{stack.name}` has no output `NotificationFunctionName`" in message, message
    assert "current template.yaml (`sam deploy`)" in message, message
    assert "Nothing was published." in result.stderr, result.stderr
    assert aws.objects(stack.bucket) == {}
    assert aws.code_sha256s(stack) == shas, "neither function was touched"
    assert aws.invalidations(stack.distribution) == []


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


# The outputs publish reads (the first five) and the ones the README and the tests' stand-in
# stack name: the contract between template.yaml and `eclaireurs publish`.
OUTPUTS = ["SiteBucket", "DistributionId", "FunctionName", "NotificationFunctionName", "SiteUrl",
           "DistributionDomain", "PublisherPolicyArn"]


def test_the_real_template_has_the_outputs_publish_reads():
    template = yaml.load((aws.REPO / "template.yaml").read_text(), Loader=Loader)
    for name in OUTPUTS:
        assert name in template["Outputs"], f"template.yaml has no output {name}"
    # publish sends one package to both functions: both must run the package's zip.
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
