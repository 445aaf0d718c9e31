"""A deployed eclaireurs stack, as `eclaireurs publish` sees it, in moto's emulated AWS.

moto's CloudFormation does not create CloudFront distributions or REST APIs, so the stack
here is the part publish reads: a CloudFormation stack that creates the site's bucket and the
catalog's (private, versioned), has the parameter WebAclArn and the outputs of template.yaml
that publish and the README name (SiteBucket, DistributionId, SiteUrl, CatalogBucket,
DistributionDomain, PublisherPolicyArn), with a CloudFront distribution made beside it
through its own API. There is no Lambda function at all: publish must never need one.
Shared by the tests and the benchmark.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import subprocess
import tempfile
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

import boto3

REPO = Path(__file__).resolve().parents[2]
REGION = "ca-central-1"
CATALOG_KEY = "catalog.json"
WEB_ACL = "arn:aws:wafv2:us-east-1:123456789012:global/webacl/eclaireurs-api/0a1b2c3d"


def endpoint() -> str:
    url = os.environ.get("MOTO_ENDPOINT")
    if not url:
        raise RuntimeError(
            "MOTO_ENDPOINT is not set: start moto's server first "
            '(eval "$(tests/moto-server start)"); tests/run does it'
        )
    return url


def client(service: str):
    return boto3.client(
        service,
        region_name=REGION,
        endpoint_url=endpoint(),
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


CACHE_HOME = tempfile.mkdtemp(prefix="eclaireurs-publish-cache-")
atexit.register(shutil.rmtree, CACHE_HOME, True)


def publish_env(**extra: str) -> dict[str, str]:
    """The environment of a publish pointed at moto, with throw-away credentials. Every
    service goes to moto (AWS_ENDPOINT_URL), so a request to one publish must not use would
    be seen there, not sent to AWS."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    url = endpoint()
    env.update(
        AWS_ENDPOINT_URL=url,
        AWS_ENDPOINT_URL_S3=url,
        AWS_ENDPOINT_URL_CLOUDFRONT=url,
        AWS_ENDPOINT_URL_CLOUDFORMATION=url,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        # Never ask an instance metadata service for credentials: there is none here.
        AWS_EC2_METADATA_DISABLED="true",
        AWS_CONFIG_FILE="/dev/null",
        AWS_SHARED_CREDENTIALS_FILE="/dev/null",
        NO_COLOR="1",
        # Publish's record of the last publish (kept to skip an unchanged build): here, not
        # in the home folder of whoever runs the tests.
        XDG_CACHE_HOME=CACHE_HOME,
    )
    env.update(extra)
    return env


@dataclass
class Stack:
    name: str
    bucket: str
    distribution: str
    catalog_bucket: str


def deploy_stack(label: str = "site", without: tuple[str, ...] = (),
                 web_acl: str | None = WEB_ACL) -> Stack:
    """A fresh stack with empty buckets and a distribution. `without` names outputs left out
    (a stack deployed from an older template.yaml); `web_acl` is the WebAclArn parameter
    ("" as `sam deploy` leaves it without waf.yaml, None for no such parameter at all)."""
    suffix = uuid.uuid4().hex[:10]
    name = f"eclaireurs-{label}-{suffix}"
    bucket = f"eclaireurs-site-{suffix}"
    catalog_bucket = f"eclaireurs-catalog-{suffix}"
    distribution = client("cloudfront").create_distribution(
        DistributionConfig={
            "CallerReference": suffix,
            "Comment": name,
            "Enabled": True,
            "Origins": {
                "Quantity": 1,
                "Items": [
                    {
                        "Id": "site",
                        "DomainName": f"{bucket}.s3.{REGION}.amazonaws.com",
                        "S3OriginConfig": {"OriginAccessIdentity": ""},
                    }
                ],
            },
            "DefaultCacheBehavior": {
                "TargetOriginId": "site",
                "ViewerProtocolPolicy": "redirect-to-https",
                "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
            },
        }
    )["Distribution"]
    encrypted = {"ServerSideEncryptionConfiguration": [
        {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]}
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Parameters": {"WebAclArn": {"Type": "String", "Default": ""}},
        "Resources": {
            "SiteBucket": {"Type": "AWS::S3::Bucket",
                           "Properties": {"BucketName": bucket, "BucketEncryption": encrypted}},
            "CatalogBucket": {"Type": "AWS::S3::Bucket", "Properties": {
                "BucketName": catalog_bucket,
                "BucketEncryption": encrypted,
                "VersioningConfiguration": {"Status": "Enabled"},
            }},
        },
        "Outputs": {
            "SiteUrl": {"Value": f"https://{distribution['DomainName']}"},
            "SiteBucket": {"Value": {"Ref": "SiteBucket"}},
            "DistributionId": {"Value": distribution["Id"]},
            "DistributionDomain": {"Value": distribution["DomainName"]},
            "CatalogBucket": {"Value": {"Ref": "CatalogBucket"}},
            "PublisherPolicyArn": {"Value": f"arn:aws:iam::123456789012:policy/{name}-publisher"},
        },
    }
    for output in without:
        del template["Outputs"][output]
    parameters = []
    if web_acl is None:
        del template["Parameters"]
    else:
        parameters = [{"ParameterKey": "WebAclArn", "ParameterValue": web_acl}]
    client("cloudformation").create_stack(StackName=name, TemplateBody=json.dumps(template),
                                          Parameters=parameters)
    # moto's CloudFormation leaves VersioningConfiguration out; S3's own API does it.
    client("s3").put_bucket_versioning(Bucket=catalog_bucket,
                                       VersioningConfiguration={"Status": "Enabled"})
    return Stack(name=name, bucket=bucket, distribution=distribution["Id"],
                 catalog_bucket=catalog_bucket)


def copy_site(into: Path) -> Path:
    """A copy of the real content and theme (the content names its theme as ../themes/default)."""
    shutil.copytree(REPO / "content", into / "content")
    shutil.copytree(REPO / "themes", into / "themes")
    return into / "content"


def objects(bucket: str) -> dict[str, dict]:
    s3 = client("s3")
    found = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            found[item["Key"]] = item
    return found


def catalog_versions(stack: Stack) -> list[dict]:
    """Every version of the catalog's object, newest first (the bucket is versioned)."""
    listed = client("s3").list_object_versions(Bucket=stack.catalog_bucket, Prefix=CATALOG_KEY)
    return [v for v in listed.get("Versions", []) if v["Key"] == CATALOG_KEY]


def catalog_online(stack: Stack) -> bytes | None:
    versions = catalog_versions(stack)
    if not versions:
        return None
    return client("s3").get_object(Bucket=stack.catalog_bucket, Key=CATALOG_KEY)["Body"].read()


def invalidations(distribution: str) -> list[dict]:
    cloudfront = client("cloudfront")
    listed = cloudfront.list_invalidations(DistributionId=distribution)["InvalidationList"]
    result = []
    for item in listed.get("Items", []):
        full = cloudfront.get_invalidation(DistributionId=distribution, Id=item["Id"])
        result.append(full["Invalidation"])
    return result


class Recording:
    """Every request moto's server receives while in the `with` block, in the order it
    received them (moto's recorder; `list()` after the block). Requests made one after the
    other by publish are in that order; concurrent ones in any."""

    def __enter__(self) -> "Recording":
        self._call("reset-recording")
        self._call("start-recording")
        return self

    def __exit__(self, *exc) -> None:
        self._call("stop-recording")

    @staticmethod
    def _call(action: str) -> str:
        method = "GET" if action == "download-recording" else "POST"
        request = urllib.request.Request(f"{endpoint()}/moto-api/recorder/{action}",
                                         method=method, data=None if method == "GET" else b"")
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.read().decode("utf-8")

    def list(self) -> list[dict]:
        """Each request as {service, method, path, headers}: the service from the signature's
        credential scope (`…/ca-central-1/s3/aws4_request`)."""
        text = self._call("download-recording")
        decoder = json.JSONDecoder()
        requests, at = [], 0
        # Read object after object, not line by line: moto's threads append each entry
        # whole, but a large one's newline may land after another thread's entry.
        while True:
            while at < len(text) and text[at].isspace():
                at += 1
            if at >= len(text):
                break
            entry, at = decoder.raw_decode(text, at)
            headers = {k.lower(): v for k, v in entry["headers"].items()}
            scope = headers.get("authorization", "").split("Credential=", 1)[-1].split(",")[0]
            parts = scope.split("/")
            service = parts[3] if len(parts) > 3 else ""
            path = entry["url"].split("://", 1)[-1]
            path = "/" + path.split("/", 1)[1] if "/" in path else "/"
            requests.append({"service": service, "method": entry["method"], "path": path,
                             "headers": headers})
        return requests


def run_publish(binary: Path, stack: str, content: Path, *extra: str,
                env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(binary), "publish", "--stack", stack, "--content", str(content), *extra],
        env=env if env is not None else publish_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )


class Refusing:
    """An S3 endpoint in front of moto that answers some requests as S3 does when IAM
    refuses them (moto enforces no policy), and passes every other one through unchanged:
    `with Refusing({("HEAD", "/bucket/key"): 403}) as url:`, then AWS_ENDPOINT_URL_S3=url.
    A refused HEAD has no body, like S3's; other refusals carry S3's AccessDenied XML."""

    def __init__(self, refused: dict[tuple[str, str], int]):
        self.refused = refused
        self.seen: list[tuple[str, str]] = []

    def __enter__(self) -> str:
        import http.client
        import http.server
        import threading
        import urllib.parse

        upstream = urllib.parse.urlsplit(endpoint())
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def _any(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                path = self.path.split("?", 1)[0]
                outer.seen.append((self.command, path))
                status = outer.refused.get((self.command, path))
                if status:
                    error = b"" if self.command == "HEAD" else (
                        b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>AccessDenied"
                        b"</Code><Message>User is not authorized to perform this action"
                        b"</Message></Error>")
                    self.send_response(status)
                    self.send_header("Content-Type", "application/xml")
                    self.send_header("Content-Length", str(len(error)))
                    self.end_headers()
                    self.wfile.write(error)
                    return
                connection = http.client.HTTPConnection(upstream.hostname, upstream.port,
                                                        timeout=60)
                connection.request(self.command, self.path, body=body,
                                   headers={k: v for k, v in self.headers.items()})
                answer = connection.getresponse()
                data = answer.read()
                self.send_response(answer.status)
                for key, value in answer.getheaders():
                    if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(key, value)
                # A HEAD's length is the object's, not of an (empty) body.
                length = answer.getheader("Content-Length") if self.command == "HEAD" else None
                self.send_header("Content-Length", length or str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                connection.close()

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _any

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
