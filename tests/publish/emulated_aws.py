"""A deployed eclaireurs stack, as `eclaireurs publish` sees it, in moto's emulated AWS.

moto's CloudFormation does not create CloudFront distributions or HTTP APIs, so the stack
here is the part publish reads: a CloudFormation stack that creates the site's bucket and
has the outputs of template.yaml (SiteBucket, DistributionId, FunctionName,
NotificationFunctionName, SiteUrl, DistributionDomain, PublisherPolicyArn), with a
CloudFront distribution and the two Lambda functions (the API's and the notifications',
the same package with another Handler) made beside it through their own APIs. Shared by the
tests and the benchmark.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path

import boto3

REPO = Path(__file__).resolve().parents[2]
REGION = "ca-central-1"


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


def publish_env(**extra: str) -> dict[str, str]:
    """The environment of a publish pointed at moto, with throw-away credentials."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    url = endpoint()
    env.update(
        AWS_ENDPOINT_URL_S3=url,
        AWS_ENDPOINT_URL_CLOUDFRONT=url,
        AWS_ENDPOINT_URL_CLOUDFORMATION=url,
        AWS_ENDPOINT_URL_LAMBDA=url,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        # Never ask an instance metadata service for credentials: there is none here.
        AWS_EC2_METADATA_DISABLED="true",
        AWS_CONFIG_FILE="/dev/null",
        AWS_SHARED_CREDENTIALS_FILE="/dev/null",
        NO_COLOR="1",
    )
    env.update(extra)
    return env


@dataclass
class Stack:
    name: str
    bucket: str
    distribution: str
    function: str
    notification_function: str

    @property
    def functions(self) -> list[str]:
        """Both functions that run the package publish makes."""
        return [self.function, self.notification_function]


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def deploy_stack(label: str = "site", without: tuple[str, ...] = ()) -> Stack:
    """A fresh stack with an empty bucket, a distribution and the two functions; `without`
    names outputs left out (a stack deployed from an older template.yaml)."""
    suffix = uuid.uuid4().hex[:10]
    name = f"eclaireurs-{label}-{suffix}"
    bucket = f"eclaireurs-site-{suffix}"

    iam = client("iam")
    role = iam.create_role(
        RoleName=f"eclaireurs-fn-{suffix}",
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "lambda.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
        ),
    )["Role"]["Arn"]
    # As sam deploy leaves them: the same zip (CodeUri), one Handler each.
    deployed = _zip({"bootstrap": b"as sam deploy left it"})
    function = f"eclaireurs-submissions-{suffix}"
    notification_function = f"eclaireurs-notifications-{suffix}"
    for each, handler in [(function, "bootstrap"), (notification_function, "notifications")]:
        client("lambda").create_function(
            FunctionName=each,
            Runtime="provided.al2023",
            Architectures=["arm64"],
            Role=role,
            Handler=handler,
            Code={"ZipFile": deployed},
        )
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
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {
            "SiteBucket": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": bucket}}
        },
        "Outputs": {
            "SiteUrl": {"Value": f"https://{distribution['DomainName']}"},
            "SiteBucket": {"Value": {"Ref": "SiteBucket"}},
            "DistributionId": {"Value": distribution["Id"]},
            "DistributionDomain": {"Value": distribution["DomainName"]},
            "FunctionName": {"Value": function},
            "NotificationFunctionName": {"Value": notification_function},
            "PublisherPolicyArn": {"Value": f"arn:aws:iam::123456789012:policy/{name}-publisher"},
        },
    }
    for output in without:
        del template["Outputs"][output]
    client("cloudformation").create_stack(StackName=name, TemplateBody=json.dumps(template))
    return Stack(name=name, bucket=bucket, distribution=distribution["Id"], function=function,
                 notification_function=notification_function)


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


def invalidations(distribution: str) -> list[dict]:
    cloudfront = client("cloudfront")
    listed = cloudfront.list_invalidations(DistributionId=distribution)["InvalidationList"]
    result = []
    for item in listed.get("Items", []):
        full = cloudfront.get_invalidation(DistributionId=distribution, Id=item["Id"])
        result.append(full["Invalidation"])
    return result


def code_sha256(function: str) -> str:
    return client("lambda").get_function(FunctionName=function)["Configuration"]["CodeSha256"]


def code_sha256s(stack: Stack) -> dict[str, str]:
    """Each function's deployed code, by name."""
    return {name: code_sha256(name) for name in stack.functions}


def handler(function: str) -> str:
    return client("lambda").get_function(FunctionName=function)["Configuration"]["Handler"]


def run_publish(binary: Path, stack: str, content: Path, bootstrap: Path,
                *extra: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(binary), "publish", "--stack", stack, "--content", str(content),
         "--bootstrap", str(bootstrap), *extra],
        env=env if env is not None else publish_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
