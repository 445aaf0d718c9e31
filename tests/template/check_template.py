#!/usr/bin/env python3
"""Reads the SAM-expanded template (what CloudFormation deploys) and checks that the site,
the distribution and the policies are what the README and the issue promise. Run by
tests/lint-template; prints one line per check and `N passed, N failed`.

    check_template.py EXPANDED.json SOURCE.yaml
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac"

results: list[tuple[str, str | None]] = []


def check(name: str):
    def wrap(fn):
        try:
            fn()
            results.append((name, None))
        except AssertionError as error:
            results.append((name, str(error) or "failed"))
        except (KeyError, IndexError, TypeError) as error:
            results.append((name, f"missing or misshapen: {error!r}"))
        return fn
    return wrap


expanded = json.loads(Path(sys.argv[1]).read_text())
source = Path(sys.argv[2]).read_text()
resources = expanded["Resources"]


def of_type(kind: str) -> dict[str, dict]:
    return {name: r for name, r in resources.items() if r["Type"] == kind}


def one(kind: str) -> tuple[str, dict]:
    found = of_type(kind)
    assert len(found) == 1, f"expected one {kind}, found {sorted(found)}"
    return next(iter(found.items()))


def refers_to(value, name: str) -> bool:
    """Whether an intrinsic (Ref, GetAtt, Sub) names the resource `name`."""
    text = json.dumps(value)
    return f'"Ref": "{name}"' in text or f'"{name}"' in text or f"${{{name}" in text


def as_list(value):
    return value if isinstance(value, list) else [value]


bucket_name, bucket = next(
    (n, r) for n, r in of_type("AWS::S3::Bucket").items()
)
distribution_name, distribution = one("AWS::CloudFront::Distribution")
config = distribution["Properties"]["DistributionConfig"]
origins = {o["Id"]: o for o in config["Origins"]}


@check("site bucket: all public access blocked, encrypted, owner-enforced, not a website")
def _():
    props = bucket["Properties"]
    block = props["PublicAccessBlockConfiguration"]
    for key in ["BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"]:
        assert block.get(key) is True, f"{key} is not true"
    assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"], "no encryption"
    assert props["OwnershipControls"]["Rules"][0]["ObjectOwnership"] == "BucketOwnerEnforced"
    assert "WebsiteConfiguration" not in props, "the bucket must not be a public website"


@check("bucket policy: only this distribution (CloudFront service, its SourceArn) reads objects")
def _():
    policies = [p for p in of_type("AWS::S3::BucketPolicy").values()
                if refers_to(p["Properties"]["Bucket"], bucket_name)]
    assert len(policies) == 1, "one policy on the site bucket"
    statements = policies[0]["Properties"]["PolicyDocument"]["Statement"]
    allows = [s for s in statements if s["Effect"] == "Allow"]
    assert len(allows) == 1, f"exactly one Allow, found {len(allows)}"
    allow = allows[0]
    assert allow["Principal"] == {"Service": "cloudfront.amazonaws.com"}, allow["Principal"]
    assert as_list(allow["Action"]) == ["s3:GetObject"], allow["Action"]
    assert refers_to(allow["Resource"], bucket_name) and "/*" in json.dumps(allow["Resource"])
    source_arn = allow["Condition"]["StringEquals"]["AWS:SourceArn"]
    assert refers_to(source_arn, distribution_name), "SourceArn names the distribution"
    for statement in statements:
        if statement["Effect"] == "Allow":
            continue
        assert statement["Effect"] == "Deny"


@check("origin access control: S3, SigV4, every request signed; the S3 origin uses it")
def _():
    oac_name, oac = one("AWS::CloudFront::OriginAccessControl")
    oac_config = oac["Properties"]["OriginAccessControlConfig"]
    assert oac_config["OriginAccessControlOriginType"] == "s3"
    assert oac_config["SigningBehavior"] == "always"
    assert oac_config["SigningProtocol"] == "sigv4"
    site = origins["site"]
    assert refers_to(site["OriginAccessControlId"], oac_name)
    assert refers_to(site["DomainName"], bucket_name)
    assert site["S3OriginConfig"]["OriginAccessIdentity"] == "", "no legacy OAI"


@check("default behaviour: the bucket, HTTPS, CachingOptimized, the address function, the headers")
def _():
    default = config["DefaultCacheBehavior"]
    assert default["TargetOriginId"] == "site"
    assert default["ViewerProtocolPolicy"] in ("redirect-to-https", "https-only")
    assert default["CachePolicyId"] == CACHING_OPTIMIZED
    assert default["Compress"] is True
    [association] = default["FunctionAssociations"]
    assert association["EventType"] == "viewer-request"
    function_name, _ = one("AWS::CloudFront::Function")
    assert refers_to(association["FunctionARN"], function_name)
    headers_name, _ = one("AWS::CloudFront::ResponseHeadersPolicy")
    assert refers_to(default["ResponseHeadersPolicyId"], headers_name)


@check("/api/*: the HTTP API over HTTPS, not cached, viewer headers passed on, POST allowed")
def _():
    [api] = [b for b in config["CacheBehaviors"] if b["PathPattern"] == "/api/*"]
    origin = origins[api["TargetOriginId"]]
    assert "execute-api" in json.dumps(origin["DomainName"]), origin["DomainName"]
    assert origin["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    assert origin["CustomOriginConfig"]["OriginSSLProtocols"] == ["TLSv1.2"]
    assert api["ViewerProtocolPolicy"] in ("https-only", "redirect-to-https")
    assert api["CachePolicyId"] == CACHING_DISABLED
    assert api["OriginRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST, \
        "AllViewerExceptHostHeader forwards Content-Type, Accept-Language and Idempotency-Key"
    assert "POST" in api["AllowedMethods"]
    assert "FunctionAssociations" not in api, "the address rewrite is for pages only"
    headers_name, _ = one("AWS::CloudFront::ResponseHeadersPolicy")
    assert refers_to(api["ResponseHeadersPolicyId"], headers_name)


@check("unknown addresses: S3's 403 becomes /404.html with status 404; the API's 404 passes")
def _():
    errors = config["CustomErrorResponses"]
    codes = {e["ErrorCode"]: e for e in errors}
    assert set(codes) == {403}, f"only 403 is mapped, found {sorted(codes)}"
    assert codes[403]["ResponseCode"] == 404
    assert codes[403]["ResponsePagePath"] == "/404.html"
    assert config.get("DefaultRootObject") == "index.html"


@check("TLS: a custom domain gets its certificate with TLS 1.2 or newer, SNI")
def _():
    certificate = config["ViewerCertificate"]["Fn::If"]
    assert certificate[0] == "HasDomain"
    with_domain = certificate[1]
    assert with_domain["MinimumProtocolVersion"] == "TLSv1.2_2021"
    assert with_domain["SslSupportMethod"] == "sni-only"
    assert with_domain["AcmCertificateArn"] == {"Ref": "CertificateArn"}
    assert certificate[2] == {"CloudFrontDefaultCertificate": True}
    assert "us-east-1" in expanded["Parameters"]["CertificateArn"]["Description"]


@check("security headers: HSTS ≥ 1 year, strict CSP, nosniff, referrer policy, no framing")
def _():
    _, policy = one("AWS::CloudFront::ResponseHeadersPolicy")
    security = policy["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    hsts = security["StrictTransportSecurity"]
    assert hsts["AccessControlMaxAgeSec"] >= 31536000 and hsts["Override"] is True
    csp = security["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    directives = {d.split()[0]: d.split()[1:] for d in (x.strip() for x in csp.split(";")) if d}
    assert directives["default-src"] == ["'none'"], csp
    assert directives["script-src"] == ["'self'"], csp
    assert directives["style-src"] == ["'self'"], csp
    assert directives["frame-ancestors"] == ["'none'"], csp
    assert directives["form-action"] == ["'self'"], csp
    assert "unsafe" not in csp, csp
    assert security["ContentTypeOptions"]["Override"] is True
    assert security["ReferrerPolicy"]["ReferrerPolicy"] in (
        "strict-origin-when-cross-origin", "no-referrer", "same-origin")
    assert security["FrameOptions"]["FrameOption"] == "DENY"


@check("the function: its package zip, no SITE_URL/ALLOWED_ORIGINS/CONTENT_DIR, an API without CORS")
def _():
    assert re.search(r"^\s+CodeUri: target/lambda/eclaireurs-function\.zip\s*$", source, re.M), \
        "CodeUri is the package zip"
    _, function = one("AWS::Lambda::Function")
    variables = function["Properties"]["Environment"]["Variables"]
    for name in ["SITE_URL", "ALLOWED_ORIGINS", "CONTENT_DIR"]:
        assert name not in variables, f"{name} is set"
    for _, api in of_type("AWS::ApiGatewayV2::Api").items():
        body = json.dumps(api["Properties"])
        assert "cors" not in body.lower(), "the API has CORS settings"


@check("publisher policy: exactly publish's actions, each on its one resource")
def _():
    [policy] = [p for n, p in of_type("AWS::IAM::ManagedPolicy").items() if n == "PublisherPolicy"]
    granted = {}
    for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
        assert statement["Effect"] == "Allow"
        assert "Condition" not in statement
        for action in as_list(statement["Action"]):
            assert action not in granted, f"{action} granted twice"
            granted[action] = json.dumps(statement["Resource"])
    expected = {
        "cloudformation:DescribeStacks": "AWS::StackId",
        "s3:ListBucket": bucket_name,
        "s3:GetObject": bucket_name,
        "s3:PutObject": bucket_name,
        "s3:DeleteObject": bucket_name,
        "cloudfront:CreateInvalidation": distribution_name,
        "cloudfront:GetInvalidation": distribution_name,
        "lambda:GetFunction": "SubmissionFunction",
        "lambda:GetFunctionConfiguration": "SubmissionFunction",
        "lambda:UpdateFunctionCode": "SubmissionFunction",
    }
    assert set(granted) == set(expected), f"granted {sorted(granted)}"
    for action, resource in expected.items():
        assert resource in granted[action], f"{action} is on {granted[action]}"
        assert '"*"' not in granted[action], f"{action} on *"
    assert granted["s3:ListBucket"].count("/*") == 0
    assert "/*" in granted["s3:PutObject"]


@check("outputs: what publish reads, and the policies to hand out")
def _():
    outputs = expanded["Outputs"]
    for name in ["SiteUrl", "SiteBucket", "DistributionId", "DistributionDomain", "FunctionName",
                 "PublisherPolicyArn", "TableName"]:
        assert name in outputs, f"no output {name}"


failed = [(name, why) for name, why in results if why]
for name, why in results:
    print(f"{'ok  ' if not why else 'FAIL'} {name}" + (f"\n     {why}" if why else ""))
print(f"template checks: {len(results) - len(failed)} passed, {len(failed)} failed")
sys.exit(1 if failed else 0)
