#!/usr/bin/env python3
"""Reads the SAM-expanded template (what CloudFormation deploys) and checks that the site,
the distribution, the API and its guard, the table and its guard, the access record, the
alarms, the notifications and the policies are what the README and the issues promise. Run
by tests/lint-template; prints one line per check and `N passed, N failed`.

    check_template.py EXPANDED.json SOURCE.yaml [WAF.yaml]
    check_template.py --mutations EXPANDED.json SOURCE.yaml [WAF.yaml]

With --mutations, each entry of MUTATIONS (at the end) breaks a copy of the templates the way
a careless change would, and the check it names must then fail: a check that cannot fail
proves nothing.
"""

from __future__ import annotations

import copy
import json
import re
import sys
from pathlib import Path

from cfnlint.decode import decode

CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac"

CHECKS: list[tuple[str, object]] = []


def check(name: str):
    """Registers a check; `run` runs them on the templates `load` read."""
    def wrap(fn):
        CHECKS.append((name, fn))
        return fn
    return wrap


def run(fn) -> str | None:
    """None when the check passes, else why it failed."""
    try:
        fn()
        return None
    except AssertionError as error:
        return str(error) or "failed"
    except (KeyError, IndexError, TypeError, ValueError, StopIteration) as error:
        return f"missing or misshapen: {error!r}"


ARGS = [a for a in sys.argv[1:] if a != "--mutations"]
MUTATING = "--mutations" in sys.argv[1:]
ROOT = Path(__file__).resolve().parents[2]
WAF_PATH = Path(ARGS[2]) if len(ARGS) > 2 else ROOT / "waf.yaml"


def read_templates():
    expanded = json.loads(Path(ARGS[0]).read_text())
    source = Path(ARGS[1]).read_text()
    # The template as written (its tags read as intrinsics), for what the SAM transform
    # hides: lint-template gives every function a stand-in CodeUri before the transform.
    written, problems = decode(ARGS[1])
    if problems:
        sys.exit(f"check_template: cannot read {ARGS[1]}: {problems}")
    waf, waf_problems = decode(str(WAF_PATH))
    if waf_problems:
        sys.exit(f"check_template: cannot read {WAF_PATH}: {waf_problems}")
    return {"expanded": expanded, "source": source, "written": written, "waf": waf}


def load(templates: dict):
    """Makes `templates` the ones the checks read (the module's globals)."""
    global expanded, source, written, waf, resources, bucket_name, bucket
    global distribution_name, distribution, config, origins
    expanded, source = templates["expanded"], templates["source"]
    written, waf = templates["written"], templates["waf"]
    resources = expanded["Resources"]
    bucket_name, bucket = "SiteBucket", resources.get("SiteBucket", {"Properties": {}})
    distribution_name, distribution = "SiteDistribution", resources.get("SiteDistribution", {})
    config = distribution.get("Properties", {}).get("DistributionConfig", {})
    origins = {o["Id"]: o for o in config.get("Origins", [])}


ORIGINAL = read_templates()
load(ORIGINAL)
# The regions of the content, and the two the template once had a policy each for.
REGIONS = sorted({d.name for d in (ROOT / "content" / "regions").iterdir() if d.is_dir()}
                 | {"saguenay-lac-saint-jean", "bas-saint-laurent"})
TABLE = "SubmissionsTable.Arn"
STATUS_INDEX = "SubmissionsTable.Arn/index/status-index"
EMAIL_INDEX = "SubmissionsTable.Arn/index/email-index"
# The functions' roles name the table by its name (the table's resource policy names the
# roles: a !GetAtt both ways would be a dependency cycle).
TABLE_BY_NAME = "arn:AWS::Partition:dynamodb:AWS::Region:AWS::AccountId:table/TableName"
STREAM = TABLE_BY_NAME + "/stream/*"
STATUS_INDEX_BY_NAME = TABLE_BY_NAME + "/index/status-index"
CATALOG = "CatalogBucket.Arn/catalog.json"
SECRET = "{{resolve:secretsmanager:${OriginVerifySecret}:SecretString}}"
OPERATIONS_TOPIC = "OperationsTopic"
TRAIL_NAME = "${AWS::StackName}-submissions-access"
NO_SELF_TAGGING = {
    "Effect": "Deny",
    "Action": ["iam:CreateRole", "iam:CreateUser", "iam:TagRole", "iam:TagUser",
               "iam:UntagRole", "iam:UntagUser", "sts:TagSession"],
    "Resource": "*",
    "Condition": {"ForAnyValue:StringEqualsIgnoreCase": {
        "aws:TagKeys": ["eclaireurs-access", "eclaireurs-region"]}},
}
DLQ = "NotificationsDeadLetterQueue.Arn"
TOPIC = "NotificationsTopic"
REGION_TAG = "${aws:PrincipalTag/eclaireurs-region}"
SEE_THE_TABLE = ["dynamodb:DescribeTable", "dynamodb:DescribeTimeToLive",
                 "dynamodb:ListTagsOfResource"]
IAM_POLICY_TYPES = ["AWS::IAM::ManagedPolicy", "AWS::IAM::Role", "AWS::IAM::Policy",
                    "AWS::S3::BucketPolicy", "AWS::SQS::QueuePolicy", "AWS::SNS::TopicPolicy"]


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


def named(value) -> str:
    """An ARN written with intrinsics, as a plain name: GetAtt A.B -> `A.B`, Ref A -> `A`,
    Sub "${A.B}/index/x" -> `A.B/index/x`; a literal (such as "*") as it is."""
    if isinstance(value, str):
        return value
    if "Ref" in value:
        return value["Ref"]
    if "Fn::GetAtt" in value:
        attribute = value["Fn::GetAtt"]
        return attribute if isinstance(attribute, str) else ".".join(attribute)
    if "Fn::Sub" in value:
        text = value["Fn::Sub"] if isinstance(value["Fn::Sub"], str) else value["Fn::Sub"][0]
        return re.sub(r"\$\{([^}!]+)\}", r"\1", text)
    raise AssertionError(f"an ARN that is not a name: {value!r}")


def canonical(condition) -> str:
    """A condition block as comparable text (lists sorted: their order means nothing)."""
    def sort(value):
        if isinstance(value, dict):
            return {k: sort(v) for k, v in value.items()}
        if isinstance(value, list):
            return sorted(json.dumps(sort(v), sort_keys=True) for v in value)
        return value
    return json.dumps(sort(condition or {}), sort_keys=True)


def allow(actions, resources, condition=None) -> set[tuple[str, str, str]]:
    """The (action, resource, condition) grants of one expected Allow statement."""
    return {(a, r, canonical(condition)) for a in as_list(actions) for r in as_list(resources)}


def documents(resource: dict) -> list[dict]:
    """The policy documents of a role (inline policies), a managed policy or a policy."""
    props = resource["Properties"]
    if resource["Type"] == "AWS::IAM::Role":
        assert not props.get("ManagedPolicyArns"), \
            f"managed policies attached to a role: {props.get('ManagedPolicyArns')}"
        return [p["PolicyDocument"] for p in props.get("Policies", [])]
    return [props["PolicyDocument"]]


def grants(resource: dict) -> set[tuple[str, str, str]]:
    """Every (action, resource, condition) a role or policy allows; only plain Allows (a
    Deny only takes away: the NoSelfTagging checks read those)."""
    granted = set()
    for document in documents(resource):
        for statement in as_list(document["Statement"]):
            if statement["Effect"] == "Deny":
                continue
            assert statement["Effect"] == "Allow", f"a {statement['Effect']} statement"
            for key in ["NotAction", "NotResource", "NotPrincipal"]:
                assert key not in statement, f"{key} in {statement.get('Sid')}"
            for action in as_list(statement["Action"]):
                for arn in as_list(statement["Resource"]):
                    granted.add((action, named(arn), canonical(statement.get("Condition"))))
    return granted


def assert_grants(what: str, granted: set, expected: set):
    missing = sorted(expected - granted)
    extra = sorted(granted - expected)
    assert not missing and not extra, \
        f"{what}: missing {missing or 'nothing'}; not promised {extra or 'nothing'}"


def actions_of(granted: set) -> set[str]:
    return {action for action, _, _ in granted}


def policy(name: str) -> dict:
    found = of_type("AWS::IAM::ManagedPolicy")
    assert name in found, f"no managed policy {name} (found {sorted(found)})"
    return found[name]


def functions() -> dict[str, dict]:
    return of_type("AWS::Lambda::Function")


def statements(document: dict) -> list[dict]:
    return as_list(document["Statement"])


def denies(resource: dict) -> list[dict]:
    return [s for d in documents(resource) for s in statements(d) if s["Effect"] == "Deny"]


def sorted_lists(value):
    """A statement's lists in order (their order means nothing), for comparing."""
    if isinstance(value, dict):
        return {k: sorted_lists(v) for k, v in value.items()}
    if isinstance(value, list):
        return sorted((sorted_lists(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    return value


def alarm_descriptions_ok(description: str) -> bool:
    return "FR" in description and "EN" in description and "D'abord" in description \
        and "First" in description


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


@check("/api/*: the REST API's stage over HTTPS, not cached, viewer headers passed on, POST allowed")
def _():
    [api] = [b for b in config["CacheBehaviors"] if b["PathPattern"] == "/api/*"]
    origin = origins[api["TargetOriginId"]]
    assert "execute-api" in json.dumps(origin["DomainName"]), origin["DomainName"]
    assert refers_to(origin["DomainName"], "SubmissionApi"), origin["DomainName"]
    assert origin.get("OriginPath") == "/live", f"OriginPath {origin.get('OriginPath')}: the stage"
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


@check("the REST API (regional, stage live): one route, ANY /api/{proxy+}, to the submission "
       "function, which routes by its catalog (its forms, health, and its own 404/405)")
def _():
    assert not of_type("AWS::ApiGatewayV2::Api"), "an HTTP API is left"
    api_name, api = one("AWS::ApiGateway::RestApi")
    props = api["Properties"]
    assert props["EndpointConfiguration"]["Types"] == ["REGIONAL"], props["EndpointConfiguration"]
    assert props.get("DisableExecuteApiEndpoint") is not True, "the distribution reaches it there"
    paths = props["Body"]["paths"]
    assert list(paths) == ["/api/{proxy+}"], f"routes {sorted(paths)}: a form's address " \
        "written here would be a second list of the forms, beside content/forms/"
    [(method, route)] = paths["/api/{proxy+}"].items()
    assert method == "x-amazon-apigateway-any-method", method
    integration = route["x-amazon-apigateway-integration"]
    assert integration["type"] == "aws_proxy" and integration["httpMethod"] == "POST"
    assert "${SubmissionFunction.Arn}" in json.dumps(integration["uri"]), integration["uri"]
    _, stage = one("AWS::ApiGateway::Stage")
    assert stage["Properties"]["StageName"] == "live", stage["Properties"]["StageName"]
    assert refers_to(stage["Properties"]["RestApiId"], api_name)
    permissions = [r["Properties"] for r in of_type("AWS::Lambda::Permission").values()
                   if refers_to(r["Properties"]["FunctionName"], "SubmissionFunction")]
    assert len(permissions) == 1, permissions
    source_arn = json.dumps(permissions[0]["SourceArn"])
    assert "${__ApiId__}/${__Stage__}/*/api/*" in source_arn, source_arn
    variables = functions()["SubmissionFunction"]["Properties"]["Environment"]["Variables"]
    assert variables.get("AWS_LAMBDA_HTTP_IGNORE_STAGE_IN_PATH") == "true", \
        "lambda_http must see /api/..., not /live/api/..."


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
    # Frames only from the video players a click loads (model/src/video.rs), nothing else.
    assert sorted(directives["frame-src"]) == [
        "https://player.vimeo.com", "https://www.youtube-nocookie.com"], csp
    assert directives["img-src"] == ["'self'", "data:"], csp
    assert directives["form-action"] == ["'self'"], csp
    assert "unsafe" not in csp, csp
    assert security["ContentTypeOptions"]["Override"] is True
    assert security["ReferrerPolicy"]["ReferrerPolicy"] in (
        "strict-origin-when-cross-origin", "no-referrer", "same-origin")
    assert security["FrameOptions"]["FrameOption"] == "DENY"


@check("functions: the package zip, no SITE_URL/ALLOWED_ORIGINS/CONTENT_DIR, an API without CORS")
def _():
    assert re.search(r"^\s+CodeUri: target/lambda/eclaireurs-function\.zip\s*$", source, re.M), \
        "CodeUri is the package zip"
    assert sorted(functions()) == ["NotificationFunction", "SubmissionFunction"], \
        f"the stack's functions: {sorted(functions())}"
    for function_name, function in functions().items():
        variables = function["Properties"]["Environment"]["Variables"]
        for name in ["SITE_URL", "ALLOWED_ORIGINS", "CONTENT_DIR"]:
            assert name not in variables, f"{name} is set on {function_name}"
    for _, api in of_type("AWS::ApiGateway::RestApi").items():
        body = json.dumps(api["Properties"])
        assert "cors" not in body.lower() and '"options"' not in body.lower(), \
            "the API has CORS settings"


@check("publisher policy: exactly publish's actions, each on its one resource")
def _():
    publisher = policy("PublisherPolicy")
    for statement in statements(publisher["Properties"]["PolicyDocument"]):
        assert statement["Effect"] == "Allow" and "Condition" not in statement, statement
    expected = (allow("cloudformation:DescribeStacks", "AWS::StackId")
                | allow("s3:ListBucket", "SiteBucket.Arn")
                | allow(["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], "SiteBucket.Arn/*")
                # The catalog: HEAD (its ETag) and PUT, that one key.
                | allow(["s3:GetObject", "s3:PutObject"], CATALOG)
                | allow(["cloudfront:CreateInvalidation", "cloudfront:GetInvalidation"],
                        "arn:AWS::Partition:cloudfront::AWS::AccountId:distribution/"
                        "SiteDistribution"))
    assert_grants("PublisherPolicy", grants(publisher), expected)


@check("publisher policy: nothing that changes or runs code or configuration (no lambda:*, "
       "iam:*, no stack change, no data)")
def _():
    granted = grants(policy("PublisherPolicy"))
    forbidden = sorted(a for a in actions_of(granted)
                       if re.match(r"(lambda|iam|sts|ssm|secretsmanager|dynamodb|kms|"
                                   r"states|scheduler|events|apigateway|wafv2|logs):", a)
                       or (a.startswith("cloudformation:") and a != "cloudformation:DescribeStacks")
                       or re.search(r"Policy|Acl|Configuration|Lifecycle|Replication", a))
    assert not forbidden, f"the publisher may {forbidden}: code or configuration, or data"
    writes = {arn for action, arn, _ in granted if action in ("s3:PutObject", "s3:DeleteObject")}
    assert writes == {"SiteBucket.Arn/*", CATALOG}, f"the publisher writes {sorted(writes)}"
    # The function's code and configuration are outside the site's and the catalog's buckets.
    for output in ["FunctionName", "NotificationFunctionName"]:
        assert "publish" not in expanded["Outputs"].get(output, {}).get("Description", ""), \
            f"{output} still says publish changes the function"


@check("outputs: what publish reads (SiteBucket, DistributionId, SiteUrl, CatalogBucket), "
       "and the policies to hand out")
def _():
    outputs = expanded["Outputs"]
    for name in ["SiteUrl", "SiteBucket", "DistributionId", "DistributionDomain",
                 "CatalogBucket", "PublisherPolicyArn", "TableName"]:
        assert name in outputs, f"no output {name}"
    assert outputs["CatalogBucket"]["Value"] == {"Ref": "CatalogBucket"}


@check("no output names the API's execute-api address or the origin secret")
def _():
    for name, output in expanded["Outputs"].items():
        text = json.dumps(output)
        assert "execute-api" not in text and "SubmissionApi" not in text, \
            f"output {name} names the API's own address: {output['Value']}"
        assert "OriginVerifySecret" not in text and "secretsmanager" not in text, \
            f"output {name} shows the origin secret"
    assert "ApiUrl" not in expanded["Outputs"], "the ApiUrl output is back"


@check("table: a KEYS_ONLY stream (no item's attributes in it)")
def _():
    table = resources["SubmissionsTable"]["Properties"]
    assert table["StreamSpecification"]["StreamViewType"] == "KEYS_ONLY", \
        f"the stream is {table.get('StreamSpecification')}"


@check("table: the sparse email-index (email_hash + submitted_at, keys only); status-index kept")
def _():
    table = resources["SubmissionsTable"]["Properties"]
    indexes = {i["IndexName"]: i for i in table["GlobalSecondaryIndexes"]}
    assert sorted(indexes) == ["email-index", "status-index"], f"indexes {sorted(indexes)}"
    email = indexes["email-index"]
    assert [(k["AttributeName"], k["KeyType"]) for k in email["KeySchema"]] == \
        [("email_hash", "HASH"), ("submitted_at", "RANGE")], email["KeySchema"]
    assert email["Projection"] == {"ProjectionType": "KEYS_ONLY"}, \
        f"email-index projects {email['Projection']}: keys only"
    status = indexes["status-index"]
    assert [(k["AttributeName"], k["KeyType"]) for k in status["KeySchema"]] == \
        [("status", "HASH"), ("submitted_at", "RANGE")], status["KeySchema"]
    assert status["Projection"] == {"ProjectionType": "ALL"}, status["Projection"]
    defined = {a["AttributeName"]: a["AttributeType"] for a in table["AttributeDefinitions"]}
    assert defined == {"region": "S", "entry": "S", "status": "S", "submitted_at": "S",
                       "email_hash": "S"}, f"attribute definitions {defined}"


@check("notification function: handler notifications, the API's runtime, the promised environment")
def _():
    function = functions()["NotificationFunction"]["Properties"]
    api = functions()["SubmissionFunction"]["Properties"]
    assert function["Handler"] == "notifications", f"Handler {function['Handler']}"
    assert api["Handler"] == "bootstrap", f"the API's Handler is {api['Handler']}"
    assert function["Runtime"] == api["Runtime"] == "provided.al2023"
    assert function["Architectures"] == api["Architectures"] == ["arm64"]
    assert function["MemorySize"] == 128 and function["Timeout"] == 30, \
        f"{function['MemorySize']} MB, {function['Timeout']} s"
    assert function["Role"] == {"Fn::GetAtt": ["NotificationFunctionRole", "Arn"]}, \
        f"the function's role is {function['Role']}"
    assert function["Environment"]["Variables"] == {
        "SUBMISSIONS_TABLE": {"Ref": "SubmissionsTable"},
        "NOTIFICATIONS_TOPIC": {"Ref": "NotificationsTopic"},
        "RETENTION_DAYS": {"Ref": "RetentionDays"},
        "REMINDER_DAYS": {"Ref": "ReminderDays"},
        "RUST_LOG": "info",
        "CATALOG_BUCKET": {"Ref": "CatalogBucket"},
        "CATALOG_KEY": "catalog.json",
        "CATALOG_TTL_SECONDS": "60",
    }, f"environment {function['Environment']['Variables']}"
    reminder = expanded["Parameters"]["ReminderDays"]
    assert (reminder["Type"], str(reminder["Default"]), str(reminder["MinValue"]),
            str(reminder["MaxValue"])) == ("Number", "3", "1", "30"), f"ReminderDays {reminder}"
    assert function["LoggingConfig"]["LogGroup"] == {"Ref": "NotificationLogGroup"}
    log_group = resources["NotificationLogGroup"]["Properties"]
    assert log_group["LogGroupName"] == {"Fn::Sub": "/aws/lambda/${AWS::StackName}-notifications"}
    assert log_group["RetentionInDays"] == 30, f"logs kept {log_group['RetentionInDays']} days"


@check("the stack's two functions share one package (the same CodeUri, the package zip)")
def _():
    written_functions = {name: r for name, r in written["Resources"].items()
                         if r["Type"] == "AWS::Serverless::Function"}
    assert sorted(written_functions) == ["NotificationFunction", "SubmissionFunction"], \
        f"functions {sorted(written_functions)}"
    code = {name: r["Properties"]["CodeUri"] for name, r in written_functions.items()}
    assert set(code.values()) == {"target/lambda/eclaireurs-function.zip"}, f"CodeUri {code}"
    deployed = {json.dumps(f["Properties"]["Code"], sort_keys=True) for f in functions().values()}
    assert len(deployed) == 1, f"the deployed functions' code differs: {deployed}"


@check("notification role: exactly the contract's actions, each on its one resource")
def _():
    role = resources["NotificationFunctionRole"]
    trust = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert [(s["Principal"], s["Action"]) for s in trust] == \
        [({"Service": "lambda.amazonaws.com"}, "sts:AssumeRole")], f"trust {trust}"
    granted = grants(role)
    assert not {a for a in actions_of(granted) if a.endswith("*")}, "a wildcard action"
    for forbidden in ["dynamodb:Scan", "dynamodb:PutItem", "dynamodb:DeleteItem",
                      "dynamodb:BatchWriteItem", "dynamodb:GetItem", "dynamodb:BatchGetItem"]:
        assert forbidden not in actions_of(granted), f"{forbidden} is granted"
    expected = (
        allow(["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"],
              STREAM)
        # No resource-level permission for ListStreams (see the comments check).
        | allow("dynamodb:ListStreams", "*")
        # The reminder reads keys and bookkeeping only, never an answer.
        | allow("dynamodb:Query", STATUS_INDEX_BY_NAME, {
            "StringEquals": {"dynamodb:Select": "SPECIFIC_ATTRIBUTES"},
            "ForAllValues:StringEquals": {"dynamodb:Attributes": [
                "region", "entry", "status", "submitted_at", "kind", "reminded_at"]}})
        | allow("dynamodb:UpdateItem", TABLE_BY_NAME, {
            "ForAllValues:StringEquals": {"dynamodb:Attributes": [
                "region", "entry", "status", "reminded_at", "expires_at"]},
            "StringEqualsIfExists": {"dynamodb:ReturnValues": ["NONE"]}})
        | allow("s3:GetObject", CATALOG)
        | allow("sns:Publish", TOPIC)
        | allow("sqs:SendMessage", DLQ)
        | allow(["logs:CreateLogStream", "logs:PutLogEvents"], "NotificationLogGroup.Arn")
    )
    assert_grants("NotificationFunctionRole", granted, expected)


@check("stream -> notifications: item failures, bisect, retries, record age, DLQ, INSERT/MODIFY")
def _():
    mappings = of_type("AWS::Lambda::EventSourceMapping")
    assert len(mappings) == 1, f"event source mappings {sorted(mappings)}"
    [mapping] = [m["Properties"] for m in mappings.values()]
    assert mapping["FunctionName"] == {"Ref": "NotificationFunction"}, mapping["FunctionName"]
    assert named(mapping["EventSourceArn"]) == "SubmissionsTable.StreamArn", \
        f"reads {mapping['EventSourceArn']}"
    assert mapping["StartingPosition"] == "TRIM_HORIZON"
    assert mapping["BatchSize"] == 25 and mapping["MaximumBatchingWindowInSeconds"] == 5
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"], \
        f"FunctionResponseTypes {mapping.get('FunctionResponseTypes')}"
    assert mapping["BisectBatchOnFunctionError"] is True, "no bisect on error"
    assert mapping["MaximumRetryAttempts"] == 10, f"{mapping['MaximumRetryAttempts']} retries"
    assert mapping["MaximumRecordAgeInSeconds"] == 3600, \
        f"records kept {mapping['MaximumRecordAgeInSeconds']} s"
    on_failure = mapping["DestinationConfig"]["OnFailure"]
    assert named(on_failure["Destination"]) == DLQ, f"on failure: {on_failure}"
    patterns = [json.loads(f["Pattern"]) for f in mapping["FilterCriteria"]["Filters"]]
    assert patterns == [{"eventName": ["INSERT", "MODIFY"]}], \
        f"filters {patterns}: only INSERT and MODIFY (no REMOVE, e.g. TTL deletions)"


@check("a failed daily reminder run: retried twice, then described in the dead-letter queue")
def _():
    _, config = one("AWS::Lambda::EventInvokeConfig")
    config = config["Properties"]
    assert named(config["FunctionName"]) == "NotificationFunction", config["FunctionName"]
    assert config["MaximumRetryAttempts"] == 2, config.get("MaximumRetryAttempts")
    on_failure = config["DestinationConfig"]["OnFailure"]
    assert named(on_failure["Destination"]) == DLQ, f"on failure: {on_failure}"


@check("daily reminder: 8:00 America/Toronto, action reminders, the function, retries, the DLQ")
def _():
    _, schedule = one("AWS::Scheduler::Schedule")
    schedule = schedule["Properties"]
    assert schedule["ScheduleExpression"] == "cron(0 8 * * ? *)", schedule["ScheduleExpression"]
    assert schedule["ScheduleExpressionTimezone"] == "America/Toronto", \
        schedule.get("ScheduleExpressionTimezone")
    assert schedule["FlexibleTimeWindow"] == {"Mode": "OFF"}
    target = schedule["Target"]
    assert named(target["Arn"]) == "NotificationFunction.Arn", f"target {target['Arn']}"
    assert json.loads(target["Input"]) == {"action": "reminders"}, f"input {target['Input']}"
    retry = target["RetryPolicy"]
    assert retry["MaximumRetryAttempts"] >= 1 and retry["MaximumEventAgeInSeconds"] >= 60, \
        f"retry policy {retry}"
    assert named(target["DeadLetterConfig"]["Arn"]) == DLQ, f"DLQ {target['DeadLetterConfig']}"
    # The schedule's own role: invoke this function, write dead letters; nothing else.
    role_name = named(target["RoleArn"]).removesuffix(".Arn")
    assert role_name == "ReminderScheduleRole", f"the schedule's role is {role_name}"
    role = resources[role_name]
    events = written["Resources"]["NotificationFunction"]["Properties"].get("Events", {})
    assert not [n for n, e in events.items() if e["Type"] in ("ScheduleV2", "Schedule")], \
        "a SAM schedule event makes its own role, trusting the service without this account"
    assert_grants(role_name, grants(role),
                  allow("lambda:InvokeFunction", "NotificationFunction.Arn")
                  | allow("sqs:SendMessage", DLQ))


@check("reminder schedule's role: trusts only EventBridge Scheduler for this account "
       "(aws:SourceAccount, aws:SourceArn)")
def _():
    role = resources["ReminderScheduleRole"]
    [trust] = statements(role["Properties"]["AssumeRolePolicyDocument"])
    assert trust["Effect"] == "Allow" and trust["Action"] == "sts:AssumeRole", trust
    assert as_list(trust["Principal"]["Service"]) == ["scheduler.amazonaws.com"], trust
    condition = trust.get("Condition", {})
    assert condition.get("StringEquals", {}).get("aws:SourceAccount") == \
        {"Ref": "AWS::AccountId"}, f"no aws:SourceAccount in {condition}"
    source_arn = json.dumps(condition.get("ArnEquals", {}).get("aws:SourceArn"))
    assert "schedule/default/${AWS::StackName}-daily-reminder" in source_arn, source_arn
    _, schedule = one("AWS::Scheduler::Schedule")
    assert schedule["Properties"]["Name"] == {"Fn::Sub": "${AWS::StackName}-daily-reminder"}


@check("notifications topic: encrypted (KMS, alias/aws/sns), display name eclaireurs")
def _():
    topics = sorted(of_type("AWS::SNS::Topic"))
    assert topics == [TOPIC, OPERATIONS_TOPIC], f"topics {topics}"
    topic = resources[TOPIC]
    assert topic["Properties"].get("KmsMasterKeyId") == "alias/aws/sns", \
        f"KmsMasterKeyId {topic['Properties'].get('KmsMasterKeyId')}"
    assert topic["Properties"]["DisplayName"] == "eclaireurs"


@check("dead-letter queue: encrypted, kept 14 days, TLS only; only the topic's SNS writes")
def _():
    name, queue = one("AWS::SQS::Queue")
    assert name == "NotificationsDeadLetterQueue", f"the queue is {name}"
    props = queue["Properties"]
    assert props.get("SqsManagedSseEnabled") is True or "KmsMasterKeyId" in props, \
        "the queue is not encrypted"
    assert props["MessageRetentionPeriod"] == 1209600, f"kept {props['MessageRetentionPeriod']} s"
    _, queue_policy = one("AWS::SQS::QueuePolicy")
    assert [named(q) for q in queue_policy["Properties"]["Queues"]] == [name]
    written_statements = statements(queue_policy["Properties"]["PolicyDocument"])
    allows = [s for s in written_statements if s["Effect"] == "Allow"]
    assert len(allows) == 1, f"{len(allows)} Allow statements"
    [statement] = allows
    tls = [s for s in written_statements if s["Effect"] == "Deny"]
    assert [sorted_lists({k: s.get(k) for k in ["Principal", "Action", "Condition"]})
            for s in tls] == [{"Principal": "*", "Action": "sqs:*", "Condition": {
                "Bool": {"aws:SecureTransport": "false"}}}], \
        f"the queue must refuse every request without TLS, and nothing else: {tls}"
    assert named(tls[0]["Resource"]) == DLQ
    assert statement["Principal"] == {"Service": "sns.amazonaws.com"}, statement["Principal"]
    assert as_list(statement["Action"]) == ["sqs:SendMessage"], statement["Action"]
    assert named(statement["Resource"]) == DLQ, statement["Resource"]
    conditions = statement.get("Condition", {})
    source_arns = [block["aws:SourceArn"] for operator, block in conditions.items()
                   if operator in ("ArnEquals", "StringEquals") and "aws:SourceArn" in block]
    assert source_arns == [{"Ref": TOPIC}], \
        f"SNS may write only for the topic (aws:SourceArn), condition {conditions}"


@check("relay team policy: own region (eclaireurs-region tag) only; read, set status, nothing else")
def _():
    granted = grants(policy("RelayTeamPolicy"))
    for forbidden in ["dynamodb:Scan", "dynamodb:DeleteItem", "dynamodb:PutItem",
                      "dynamodb:BatchWriteItem", "dynamodb:BatchGetItem"]:
        assert forbidden not in actions_of(granted), f"{forbidden} is granted"
    indexed = [g for g in granted if "/index/" in g[1]]
    assert not indexed, f"index access: {indexed}"
    own_region = {
        "ForAllValues:StringEquals": {"dynamodb:LeadingKeys": [REGION_TAG]},
        "Null": {"dynamodb:LeadingKeys": "false", "aws:PrincipalTag/eclaireurs-region": "false"},
    }
    set_status = {
        "ForAllValues:StringEquals": {"dynamodb:LeadingKeys": [REGION_TAG],
                                      "dynamodb:Attributes": ["region", "entry", "status"]},
        "StringEqualsIfExists": {"dynamodb:ReturnValues": ["NONE", "UPDATED_OLD", "UPDATED_NEW"]},
        "Null": own_region["Null"],
    }
    expected = (allow(["dynamodb:Query", "dynamodb:GetItem"], TABLE, own_region)
                | allow("dynamodb:UpdateItem", TABLE, set_status)
                | allow(SEE_THE_TABLE, TABLE)
                | allow("dynamodb:ListTables", "*"))
    assert_grants("RelayTeamPolicy", granted, expected)


@check("coordinator policy: every region, read-only (no write action at all)")
def _():
    granted = grants(policy("CoordinatorReadPolicy"))
    writes = sorted(a for a in actions_of(granted)
                    if re.search(r"Put|Update|Delete|Write|Create|Restore|Import|Tag", a)
                    and a != "dynamodb:ListTagsOfResource")
    assert not writes, f"write actions: {writes}"
    expected = (allow(["dynamodb:Query", "dynamodb:GetItem", "dynamodb:Scan"],
                      [TABLE, STATUS_INDEX])
                | allow(SEE_THE_TABLE, TABLE)
                | allow("dynamodb:ListTables", "*"))
    assert_grants("CoordinatorReadPolicy", granted, expected)


@check("privacy officer policy: find by email-index, read, correct, delete; no Scan, no "
       "PutItem, no status-index")
def _():
    granted = grants(policy("PrivacyOfficerPolicy"))
    assert ("dynamodb:DeleteItem", TABLE, canonical(None)) in granted, "no DeleteItem on the table"
    assert ("dynamodb:Query", EMAIL_INDEX, canonical(None)) in granted, "no Query on email-index"
    assert not [g for g in granted if "status-index" in g[1]], \
        "privacy requests never use the status-index"
    expected = (allow("dynamodb:Query", [TABLE, EMAIL_INDEX])
                | allow(["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"], TABLE)
                | allow(SEE_THE_TABLE, TABLE)
                | allow("dynamodb:ListTables", "*"))
    assert_grants("PrivacyOfficerPolicy", granted, expected)


@check("no policy names a region: a region added by new-region needs no template change")
def _():
    for kind in IAM_POLICY_TYPES:
        for name, resource in of_type(kind).items():
            text = json.dumps(resource)
            for slug in REGIONS:
                assert slug not in text, f"{name} ({kind}) names the region {slug}"
    for kind in ["AWS::IAM::User", "AWS::IAM::Group"]:
        assert not of_type(kind), f"the stack makes {kind}: staff are tagged, not created here"


@check('IAM: "*" only for ListTables, ListStreams, DescribeTrails, ListPublicKeys (no '
       'resource-level permission) and denies, each said why')
def _():
    for kind in ["AWS::IAM::ManagedPolicy", "AWS::IAM::Role", "AWS::IAM::Policy"]:
        for name, resource in of_type(kind).items():
            for action, arn, _ in grants(resource):
                assert "*" not in action, f"{name}: wildcard action {action}"
                if arn == "*":
                    assert action in ("dynamodb:ListTables", "dynamodb:ListStreams",
                                      "cloudtrail:DescribeTrails", "cloudtrail:ListPublicKeys"), \
                        f"{name}: {action} on *"
    # In the source, each `Resource: "*"` has a comment in its statement saying why.
    lines = source.splitlines()
    for number, line in enumerate(lines):
        if re.fullmatch(r'\s*Resource: "\*"\s*', line):
            statement = []
            for above in reversed(lines[:number]):
                statement.append(above)
                if re.match(r"\s*- (Sid|Effect):", above):
                    break
            assert any(s.strip().startswith("#") for s in statement), \
                f'line {number + 1}: Resource "*" without a comment saying why'


@check("outputs: the notifications and the staff policies; no per-region policy left")
def _():
    outputs = expanded["Outputs"]
    expected = {
        "NotificationFunctionName": {"Ref": "NotificationFunction"},
        "NotificationsTopicArn": {"Ref": TOPIC},
        "NotificationsDeadLetterQueueArn": {"Fn::GetAtt": ["NotificationsDeadLetterQueue", "Arn"]},
        "NotificationsDeadLetterQueueUrl": {"Ref": "NotificationsDeadLetterQueue"},
        "RelayTeamPolicyArn": {"Ref": "RelayTeamPolicy"},
        "CoordinatorReadPolicyArn": {"Ref": "CoordinatorReadPolicy"},
        "PrivacyOfficerPolicyArn": {"Ref": "PrivacyOfficerPolicy"},
    }
    for name, value in expected.items():
        assert name in outputs, f"no output {name}"
        assert outputs[name]["Value"] == value, f"{name} is {outputs[name]['Value']}"
    for name in ["SaguenayLacSaintJeanReadPolicyArn", "BasSaintLaurentReadPolicyArn"]:
        assert name not in outputs, f"output {name} is still there"
    policies = sorted(of_type("AWS::IAM::ManagedPolicy"))
    assert policies == ["AuditorPolicy", "CoordinatorReadPolicy", "PrivacyOfficerPolicy",
                        "PublisherPolicy", "RelayTeamPolicy"], f"managed policies {policies}"


# --- the per-client rate limit (waf.yaml, its own stack in us-east-1) ----------------------

@check("rate limit: the distribution takes an optional WebAclArn (empty = off, us-east-1 only)")
def _():
    parameter = expanded["Parameters"]["WebAclArn"]
    assert parameter["Type"] == "String" and parameter["Default"] == "", parameter
    pattern = re.compile(parameter["AllowedPattern"])
    assert pattern.fullmatch(""), "empty (no web ACL) is allowed"
    good = "arn:aws:wafv2:us-east-1:123456789012:global/webacl/eclaireurs-waf-api-rate-limit/" \
        "0a1b2c3d-4e5f-6789-abcd-ef0123456789"
    assert pattern.fullmatch(good), "a CloudFront web ACL's ARN is accepted"
    for wrong in [good.replace("us-east-1", "ca-central-1"), good.replace("global", "regional")]:
        assert not pattern.fullmatch(wrong), f"accepted {wrong}: CloudFront takes us-east-1 ACLs"
    assert expanded["Conditions"]["HasWebAcl"] == \
        {"Fn::Not": [{"Fn::Equals": [{"Ref": "WebAclArn"}, ""]}]}, expanded["Conditions"]
    assert config["WebACLId"] == {"Fn::If": ["HasWebAcl", {"Ref": "WebAclArn"},
                                             {"Ref": "AWS::NoValue"}]}, config.get("WebACLId")


@check("rate limit (waf.yaml): a CloudFront web ACL in us-east-1, one rate rule per IP on /api/")
def _():
    rule = waf["Rules"]["DeployInUsEast1"]["Assertions"][0]["Assert"]
    assert rule == {"Fn::Equals": [{"Ref": "AWS::Region"}, "us-east-1"]}, rule
    acls = {n: r for n, r in waf["Resources"].items() if r["Type"] == "AWS::WAFv2::WebACL"}
    assert len(acls) == 1, f"web ACLs {sorted(acls)}"
    [(acl_name, acl)] = acls.items()
    props = acl["Properties"]
    assert props["Scope"] == "CLOUDFRONT", props["Scope"]
    assert props["DefaultAction"] == {"Allow": {}}, "only the rule blocks"
    [rule] = props["Rules"]
    assert rule["Action"]["Block"]["CustomResponse"]["ResponseCode"] == 429, \
        "429, not 403 (which the distribution turns into its 404 page)"
    rate = rule["Statement"]["RateBasedStatement"]
    assert rate["AggregateKeyType"] == "IP", rate["AggregateKeyType"]
    assert rate["Limit"] == {"Ref": "RateLimit"}, rate["Limit"]
    match = rate["ScopeDownStatement"]["ByteMatchStatement"]
    assert (match["FieldToMatch"], match["PositionalConstraint"], match["SearchString"]) == \
        ({"UriPath": {}}, "STARTS_WITH", "/api/"), f"counts {match}: the API only"
    limit = waf["Parameters"]["RateLimit"]
    assert limit["Type"] == "Number" and limit["MinValue"] >= 10, limit
    # One sender at the limit uses a small part of the API's throttle, shared by everyone.
    _, stage = one("AWS::ApiGateway::Stage")
    [settings] = [s for s in stage["Properties"]["MethodSettings"]
                  if (s["ResourcePath"], s["HttpMethod"]) == ("/*", "*")]
    per_second = limit["Default"] / rate["EvaluationWindowSec"]
    assert per_second <= settings["ThrottlingRateLimit"] / 10, \
        f"one address may send {per_second:.2f}/s, over a tenth of the shared " \
        f"{settings['ThrottlingRateLimit']}/s"
    assert waf["Outputs"]["WebAclArn"]["Value"] == {"Fn::GetAtt": [acl_name, "Arn"]}


@check("rate limit: its page is bilingual with the crisis lines; no request logged or sampled")
def _():
    [acl] = [r for r in waf["Resources"].values() if r["Type"] == "AWS::WAFv2::WebACL"]
    props = acl["Properties"]
    key = props["Rules"][0]["Action"]["Block"]["CustomResponse"]["CustomResponseBodyKey"]
    body = props["CustomResponseBodies"][key]
    assert body["ContentType"] == "TEXT_HTML", body["ContentType"]
    page = body["Content"]
    assert len(page.encode()) <= 4096, "AWS WAF takes at most 4 KB"
    for text in ['lang="fr"', 'lang="en"', "Trop de demandes", "Too many requests", "911",
                 "811", "APPELLE", "9-8-8", "Rien n'a été enregistré", "Nothing was saved"]:
        assert text in page, f"the 429 page lacks {text!r}"
    assert "<script" not in page and "style" not in page, "the page must pass the site's CSP"
    visibility = [props["VisibilityConfig"]] + [r["VisibilityConfig"] for r in props["Rules"]]
    assert all(v["SampledRequestsEnabled"] is False for v in visibility), \
        "sampled requests would keep client addresses and headers"
    logging = [n for n, r in waf["Resources"].items()
               if r["Type"] == "AWS::WAFv2::LoggingConfiguration"]
    assert not logging, f"requests are logged by {logging}"


# --- the privacy notice says what the deployment does ---------------------------------------

NOTICE = {lang: (ROOT / "content" / "pages" / lang / "privacy.md").read_text(encoding="utf-8")
          for lang in ("fr", "en")}
# What can read what a person submitted: every grant of these actions on the table or its
# indexes. The notice names each principal that is a person; the two functions are not.
READS = {"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:Scan",
         "dynamodb:PartiQLSelect", "dynamodb:ExportTableToPointInTime",
         "dynamodb:RestoreTableToPointInTime", "dynamodb:RestoreTableFromBackup",
         "dynamodb:CreateBackup", "dynamodb:GetRecords"}
# Each staff policy, what it must allow, and the notice's words for it, in both languages.
READERS = {
    "RelayTeamPolicy": {
        "fr": "elle voit les inscriptions et les signalements de sa région seulement",
        "en": "it sees the registrations and reports of its own region only",
    },
    "CoordinatorReadPolicy": {
        "fr": "peuvent lire les envois de toutes les régions, sans pouvoir les modifier",
        "en": "can read the submissions of every region, without being able to change them",
    },
    "PrivacyOfficerPolicy": {
        "fr": "elle peut retrouver, lire, corriger et supprimer les envois d'une personne, "
              "dans toutes les régions",
        "en": "they can find, read, correct and delete a person's submissions, in every region",
    },
}
FUNCTIONS = {"SubmissionFunctionRole", "NotificationFunctionRole"}


def notice_says(what: str, texts: dict[str, str]):
    for lang, text in texts.items():
        assert text in NOTICE[lang], f"the {lang} notice does not say {what}: {text!r}"


def reads(resource: dict) -> set[tuple[str, str, str]]:
    return {g for g in grants(resource)
            if g[0] in READS and (g[1].startswith("SubmissionsTable.")
                                  or g[1].startswith(TABLE_BY_NAME))}


@check("notice: who sees the answers is exactly whom the template lets read them")
def _():
    readers = {name for kind in ["AWS::IAM::ManagedPolicy", "AWS::IAM::Role", "AWS::IAM::Policy"]
               for name, resource in of_type(kind).items() if reads(resource)}
    unsaid = sorted(readers - set(READERS) - FUNCTIONS)
    assert not unsaid, f"{unsaid} can read submissions; the notice does not say so"
    assert set(READERS) <= readers, f"the notice names readers the template lacks: {readers}"
    relay = reads(policy("RelayTeamPolicy"))
    assert relay and all(REGION_TAG in condition for _, _, condition in relay), \
        "the notice says the relay team sees its own region only"
    coordinators = grants(policy("CoordinatorReadPolicy"))
    assert all(condition == canonical(None) for _, _, condition in reads(policy(
        "CoordinatorReadPolicy"))), "the notice says the coordinators see every region"
    assert not {a for a in actions_of(coordinators)
                if re.search(r"Put|Update|Delete|Write", a)}, "coordinators cannot change"
    officer = grants(policy("PrivacyOfficerPolicy"))
    assert {"dynamodb:UpdateItem", "dynamodb:DeleteItem"} <= actions_of(officer)
    assert all(REGION_TAG not in condition for _, _, condition in officer), "every region"
    for name, texts in READERS.items():
        notice_says(f"what {name} allows", texts)
    notice_says("that the team's email holds no personal information", {
        "fr": "reçoit un courriel qui ne contient aucun renseignement personnel",
        "en": "receives an email that holds no personal information"})


@check("notice: retention, backups, logs and where the data lives match the template")
def _():
    days = int(expanded["Parameters"]["RetentionDays"]["Default"])
    assert days % 365 == 0, f"RetentionDays {days} is not a whole number of years"
    years = days // 365
    an, year = ("an", "year") if years == 1 else ("ans", "years")
    notice_says(f"{years} {year} (RetentionDays {days})", {
        "fr": f"Elle est supprimée {years} {an} après votre dernier contact avec l'équipe-relais",
        "en": f"It is deleted {years} {year} after your last contact with the relay team"})
    notice_says(f"{years} {year} (RetentionDays {days})", {
        "fr": f"il est supprimé {years} {an} après sa réception",
        "en": f"it is deleted {years} {year} after it is received"})
    table = resources["SubmissionsTable"]["Properties"]
    assert table["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert table["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    notice_says("the 35 days of point-in-time recovery", {
        "fr": "pendant 35 jours", "en": "for 35 days"})
    kept = {r["Properties"]["RetentionInDays"] for r in of_type("AWS::Logs::LogGroup").values()}
    assert kept == {30}, f"log groups keep {kept} days"
    notice_says("the function's logs, 30 days", {"fr": "gardé 30 jours", "en": "kept 30 days"})
    assert "Logging" not in config, "the distribution writes access logs"
    assert "LoggingConfiguration" not in bucket["Properties"], "the bucket logs accesses"
    for name, stage in of_type("AWS::ApiGateway::Stage").items():
        assert "AccessLogSettings" not in stage["Properties"], f"{name} logs accesses"
    notice_says("that nothing keeps access logs", {
        "fr": "ni CloudFront ni le stockage des pages n'enregistrent de journal d'accès",
        "en": "neither CloudFront nor the pages' storage records access logs"})
    notice_says("the rate limit's firewall, without logs", {
        "fr": "Il ne tient aucun journal des demandes", "en": "It keeps no log of requests"})
    region = written["Rules"]["DeployInCanada"]["Assertions"][0]["Assert"]
    assert region == {"Fn::Equals": [{"Ref": "AWS::Region"}, "ca-central-1"]}, region
    notice_says("where the data lives", {"fr": "(`ca-central-1`), à Montréal",
                                         "en": "(`ca-central-1`), in Montréal"})
    assert origins["api"]["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    notice_says("that the CDN passes submissions on encrypted", {
        "fr": "Vos envois y arrivent chiffrés et en repartent chiffrés",
        "en": "Your submissions arrive there encrypted and leave encrypted"})


@check("README: the rate limit's stack, parameter and monthly cost")
def _():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for text in ["waf.yaml", "WebAclArn", "us-east-1", "$5", "$1", "$0.60 per million"]:
        assert text in readme, f"the README does not mention {text!r}"


# --- issue 15: safe to run live -------------------------------------------------------------


@check("catalog: a private, versioned, TLS-only bucket; both functions read exactly "
       "catalog.json (CATALOG_BUCKET, CATALOG_KEY, CATALOG_TTL_SECONDS 60)")
def _():
    props = resources["CatalogBucket"]["Properties"]
    block = props["PublicAccessBlockConfiguration"]
    assert all(block.get(k) is True for k in ["BlockPublicAcls", "BlockPublicPolicy",
                                              "IgnorePublicAcls", "RestrictPublicBuckets"])
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    assert props["OwnershipControls"]["Rules"][0]["ObjectOwnership"] == "BucketOwnerEnforced"
    [catalog_policy] = [p for p in of_type("AWS::S3::BucketPolicy").values()
                        if p["Properties"]["Bucket"] == {"Ref": "CatalogBucket"}]
    assert [s["Sid"] for s in statements(catalog_policy["Properties"]["PolicyDocument"])] == \
        ["EncryptedTransportOnly"], "the catalog's bucket grants nothing, refuses plain HTTP"
    for name, role in [("SubmissionFunction", "SubmissionFunctionRole"),
                       ("NotificationFunction", "NotificationFunctionRole")]:
        variables = functions()[name]["Properties"]["Environment"]["Variables"]
        assert variables.get("CATALOG_BUCKET") == {"Ref": "CatalogBucket"}, f"{name}: {variables}"
        assert variables.get("CATALOG_KEY") == "catalog.json", f"{name}: {variables}"
        assert variables.get("CATALOG_TTL_SECONDS") == "60", f"{name}: {variables}"
        s3 = {(a, r) for a, r, _ in grants(resources[role]) if a.startswith("s3:")}
        assert s3 == {("s3:GetObject", CATALOG)}, f"{role} may {sorted(s3)} in S3"


@check("submission role: PutItem returns nothing (ReturnValues NONE), GetItem reads only the "
       "idempotency marker's attributes, no other data action; the table named by TableName")
def _():
    role = resources["SubmissionFunctionRole"]
    expected = (
        allow("dynamodb:PutItem", TABLE_BY_NAME,
              {"StringEqualsIfExists": {"dynamodb:ReturnValues": "NONE"}})
        # What function/src/store/dynamodb.rs's repeat_of projects (#id, #hash).
        | allow("dynamodb:GetItem", TABLE_BY_NAME, {
            "ForAllValues:StringEquals": {"dynamodb:Attributes": [
                "region", "entry", "submission_id", "answers_hash"]},
            "StringEqualsIfExists": {"dynamodb:Select": "SPECIFIC_ATTRIBUTES"},
            "Null": {"dynamodb:Attributes": "false"}})
        | allow("dynamodb:DescribeTable", TABLE_BY_NAME)
        | allow("s3:GetObject", CATALOG)
        | allow(["logs:CreateLogStream", "logs:PutLogEvents"], "SubmissionLogGroup.Arn"))
    assert_grants("SubmissionFunctionRole", grants(role), expected)
    code = (ROOT / "function" / "src" / "store" / "dynamodb.rs").read_text(encoding="utf-8")
    assert '.projection_expression("#id, #hash")' in code, \
        "the code's GetItem no longer projects exactly the marker's two attributes"
    assert 'const MARKER_ID: &str = "submission_id"' in code
    for function_role in ["SubmissionFunctionRole", "NotificationFunctionRole"]:
        text = json.dumps(resources[function_role])
        assert "SubmissionsTable" not in text, \
            f"{function_role} names the table by !GetAtt: a cycle with its resource policy"


@check("API origin: CloudFront sends X-Origin-Verify from the generated secret (48 letters "
       "and digits); the function checks it too (ORIGIN_SECRET)")
def _():
    [api] = [b for b in config["CacheBehaviors"] if b["PathPattern"] == "/api/*"]
    origin = origins[api["TargetOriginId"]]
    headers = {h["HeaderName"].lower(): h["HeaderValue"]
               for h in origin.get("OriginCustomHeaders", [])}
    assert headers.get("x-origin-verify") == {"Fn::Sub": SECRET}, \
        f"the API origin's headers {headers}: no X-Origin-Verify from OriginVerifySecret"
    assert "OriginCustomHeaders" not in origins["site"], "the secret goes to S3 too"
    secret = resources["OriginVerifySecret"]
    assert secret["Type"] == "AWS::SecretsManager::Secret"
    generate = secret["Properties"]["GenerateSecretString"]
    assert generate["PasswordLength"] >= 48 and generate["ExcludePunctuation"] is True, generate
    variables = functions()["SubmissionFunction"]["Properties"]["Environment"]["Variables"]
    assert variables.get("ORIGIN_SECRET") == {"Fn::Sub": SECRET}, "the function does not check"
    assert "ORIGIN_SECRET" not in \
        functions()["NotificationFunction"]["Properties"]["Environment"]["Variables"]


@check("API web ACL: REGIONAL, on the live stage, default Block 403 `forbidden` in the "
       "documented shape; one rule allows only the header equal to the secret; no sampling")
def _():
    acl = resources["ApiWebAcl"]["Properties"]
    assert acl["Scope"] == "REGIONAL", acl["Scope"]
    block = acl["DefaultAction"]["Block"]["CustomResponse"]
    assert block["ResponseCode"] == 403, block
    assert "Allow" not in acl["DefaultAction"]
    body = acl["CustomResponseBodies"][block["CustomResponseBodyKey"]]
    assert body["ContentType"] == "APPLICATION_JSON", body["ContentType"]
    answer = json.loads(body["Content"])
    [error] = answer["errors"]
    assert (error["field"], error["code"]) == (None, "forbidden"), error
    assert "site" in error["message"] and "adresse" in error["message"], error["message"]
    [rule] = acl["Rules"]
    assert rule["Action"] == {"Allow": {}}, rule["Action"]
    match = rule["Statement"]["ByteMatchStatement"]
    assert match["FieldToMatch"] == {"SingleHeader": {"Name": "x-origin-verify"}}, match
    assert match["PositionalConstraint"] == "EXACTLY", match["PositionalConstraint"]
    assert match["SearchString"] == {"Fn::Sub": SECRET}, match["SearchString"]
    assert [t["Type"] for t in match["TextTransformations"]] == ["NONE"]
    visibility = [acl["VisibilityConfig"], rule["VisibilityConfig"]]
    assert all(v["SampledRequestsEnabled"] is False for v in visibility), "requests sampled"
    assert not of_type("AWS::WAFv2::LoggingConfiguration"), "requests logged"
    [association] = of_type("AWS::WAFv2::WebACLAssociation").values()
    props = association["Properties"]
    assert props["WebACLArn"] == {"Fn::GetAtt": ["ApiWebAcl", "Arn"]}, props["WebACLArn"]
    stage_name, _ = one("AWS::ApiGateway::Stage")
    arn = props["ResourceArn"]["Fn::Sub"]
    assert arn.endswith(f"::/restapis/${{SubmissionApi}}/stages/${{{stage_name}}}"), arn


@check("staff policies (relay, coordinator, privacy officer): NoSelfTagging denies tagging "
       "anyone, creating users or roles, or session tags, with eclaireurs-region/access")
def _():
    for name in ["RelayTeamPolicy", "CoordinatorReadPolicy", "PrivacyOfficerPolicy"]:
        found = [sorted_lists({k: s.get(k) for k in NO_SELF_TAGGING}) for s in denies(policy(name))]
        assert sorted_lists(NO_SELF_TAGGING) in found, f"{name} lacks NoSelfTagging: {found}"


@check("table guard: its resource policy denies every data action to all but the two "
       "function roles, the tagged staff and BreakGlassRoleArn; the stream's likewise")
def _():
    table = resources["SubmissionsTable"]["Properties"]
    [statement] = statements(table["ResourcePolicy"]["PolicyDocument"])
    assert statement["Effect"] == "Deny" and statement["Principal"] == "*", statement
    data = {"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:Scan",
            "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
            "dynamodb:BatchWriteItem", "dynamodb:ConditionCheckItem", "dynamodb:PartiQLSelect",
            "dynamodb:PartiQLInsert", "dynamodb:PartiQLUpdate", "dynamodb:PartiQLDelete",
            "dynamodb:ExportTableToPointInTime", "dynamodb:RestoreTableToPointInTime"}
    missing = data - set(as_list(statement["Action"]))
    assert not missing, f"the guard lets anyone do {sorted(missing)}"
    assert sorted(named(r) for r in as_list(statement["Resource"])) == \
        [TABLE_BY_NAME, TABLE_BY_NAME + "/index/*"], statement["Resource"]
    condition = statement["Condition"]
    assert set(condition) == {"ArnNotEquals", "StringNotEquals", "Null"}, condition
    principals = condition["ArnNotEquals"]["aws:PrincipalArn"]
    assert principals == [{"Fn::GetAtt": ["SubmissionFunctionRole", "Arn"]},
                          {"Fn::GetAtt": ["NotificationFunctionRole", "Arn"]},
                          {"Fn::If": ["HasBreakGlass", {"Ref": "BreakGlassRoleArn"},
                                      {"Ref": "AWS::NoValue"}]}], principals
    assert sorted(condition["StringNotEquals"]["aws:PrincipalTag/eclaireurs-access"]) == \
        ["coordinator", "privacy-officer", "relay-team"], condition["StringNotEquals"]
    assert condition["Null"] == {"aws:PrincipalTag/eclaireurs-region": "true"}, condition["Null"]
    parameter = expanded["Parameters"]["BreakGlassRoleArn"]
    assert parameter["Default"] == "" and re.fullmatch(parameter["AllowedPattern"], "")
    [stream] = statements(table["StreamSpecification"]["ResourcePolicy"]["PolicyDocument"])
    assert stream["Effect"] == "Deny" and stream["Principal"] == "*", stream
    assert set(as_list(stream["Action"])) == {"dynamodb:GetRecords", "dynamodb:GetShardIterator",
                                              "dynamodb:DescribeStream"}, stream["Action"]
    assert stream["Condition"]["ArnNotEquals"]["aws:PrincipalArn"][0] == \
        {"Fn::GetAtt": ["NotificationFunctionRole", "Arn"]}, stream["Condition"]


@check("access record: a single-region trail of this account with data events on the table "
       "(and its indexes), write management events, log-file validation, KMS, kept >= 365 days")
def _():
    [(trail_name, trail)] = of_type("AWS::CloudTrail::Trail").items()
    props = trail["Properties"]
    assert props["TrailName"] == {"Fn::Sub": TRAIL_NAME}, props["TrailName"]
    assert props["IsLogging"] is True and props["EnableLogFileValidation"] is True, props
    assert props["IsMultiRegionTrail"] is False, "one region: the table's"
    assert "IsOrganizationTrail" not in props or props["IsOrganizationTrail"] is False
    assert props["KMSKeyId"] == {"Ref": "OperationsKey"}, props.get("KMSKeyId")
    assert props["S3BucketName"] == {"Ref": "AuditLogBucket"}, props["S3BucketName"]
    selectors = [{s["Field"]: s for s in selector["FieldSelectors"]}
                 for selector in props.get("AdvancedEventSelectors", [])]
    data = [s for s in selectors if s["eventCategory"].get("Equals") == ["Data"]]
    assert any(s.get("resources.type", {}).get("Equals") == ["AWS::DynamoDB::Table"]
               and s.get("resources.ARN", {}).get("StartsWith") ==
               [{"Fn::GetAtt": ["SubmissionsTable", "Arn"]}]
               and set(s) == {"eventCategory", "resources.type", "resources.ARN"}
               for s in data), f"no data events on the whole table: {data}"
    management = [s for s in selectors if s["eventCategory"].get("Equals") == ["Management"]]
    assert any(s.get("readOnly", {}).get("Equals") == ["false"] for s in management), \
        "write management events (policy and tag changes) are not recorded"
    days = expanded["Parameters"]["AuditRetentionDays"]
    assert int(days["MinValue"]) >= 365 and int(days["Default"]) >= int(days["MinValue"]), days
    audit_bucket = resources["AuditLogBucket"]
    assert audit_bucket.get("DeletionPolicy") == "Retain", "the record goes with the stack"
    bucket_props = audit_bucket["Properties"]
    [rule] = bucket_props["LifecycleConfiguration"]["Rules"]
    assert rule["ExpirationInDays"] == {"Ref": "AuditRetentionDays"}, rule
    assert rule["NoncurrentVersionExpiration"]["NoncurrentDays"] == {"Ref": "AuditRetentionDays"}
    assert bucket_props["VersioningConfiguration"] == {"Status": "Enabled"}
    sse = bucket_props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert sse["ServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "aws:kms", "KMSMasterKeyID": {"Fn::GetAtt": ["OperationsKey", "Arn"]}}
    block = bucket_props["PublicAccessBlockConfiguration"]
    assert all(block.values()) and len(block) == 4, block
    [audit_policy] = [p for p in of_type("AWS::S3::BucketPolicy").values()
                      if p["Properties"]["Bucket"] == {"Ref": "AuditLogBucket"}]
    by_sid = {s["Sid"]: s for s in statements(audit_policy["Properties"]["PolicyDocument"])}
    for sid in ["TheTrailChecksTheBucket", "TheTrailWritesItsLogs"]:
        statement = by_sid[sid]
        assert statement["Principal"] == {"Service": "cloudtrail.amazonaws.com"}
        assert TRAIL_NAME in json.dumps(statement["Condition"]["StringEquals"]["aws:SourceArn"])
    assert by_sid["NobodyDeletesTheRecord"]["Effect"] == "Deny"
    assert by_sid["EncryptedTransportOnly"]["Condition"] == \
        {"Bool": {"aws:SecureTransport": "false"}}
    assert trail.get("DependsOn") == "AuditLogBucketPolicy", "the trail needs its bucket policy"
    outputs = expanded["Outputs"]
    assert outputs["AuditBucket"]["Value"] == {"Ref": "AuditLogBucket"}
    assert outputs["AuditTrailArn"]["Value"] == {"Fn::GetAtt": [trail_name, "Arn"]}


@check("auditor policy: list and read the record, decrypt through S3 only; nothing of the table")
def _():
    auditor = policy("AuditorPolicy")
    expected = (allow("s3:ListBucket", "AuditLogBucket.Arn")
                | allow("s3:GetObject", "AuditLogBucket.Arn/*")
                | allow("kms:Decrypt", "OperationsKey.Arn", {
                    "StringEquals": {"kms:ViaService": {
                        "Fn::Sub": "s3.${AWS::Region}.amazonaws.com"}}})
                | allow(["cloudtrail:GetTrail", "cloudtrail:GetTrailStatus"],
                        "arn:AWS::Partition:cloudtrail:AWS::Region:AWS::AccountId:trail/"
                        "AWS::StackName-submissions-access")
                | allow(["cloudtrail:DescribeTrails", "cloudtrail:ListPublicKeys"], "*"))
    assert_grants("AuditorPolicy", grants(auditor), expected)
    assert expanded["Outputs"]["AuditorPolicyArn"]["Value"] == {"Ref": "AuditorPolicy"}


@check("operations key: customer-managed, rotated, kept; CloudTrail (this trail), CloudWatch "
       "alarms and SNS may use it")
def _():
    key = resources["OperationsKey"]
    assert key["Type"] == "AWS::KMS::Key" and key.get("DeletionPolicy") == "Retain"
    props = key["Properties"]
    assert props["EnableKeyRotation"] is True, "no rotation"
    by_sid = {s["Sid"]: s for s in statements(props["KeyPolicy"])}
    services = {json.dumps(s["Principal"]): s for s in by_sid.values() if s["Effect"] == "Allow"}
    for service in ["cloudtrail", "cloudwatch", "sns"]:
        assert json.dumps({"Service": f"{service}.amazonaws.com"}) in services, \
            f"{service} may not use the key"
    trail = by_sid["TheTrailEncryptsItsLogs"]
    assert TRAIL_NAME in json.dumps(trail["Condition"]), trail["Condition"]
    alarms = by_sid["AlarmsPublishToTheOperationsTopic"]
    assert set(as_list(alarms["Action"])) == {"kms:GenerateDataKey*", "kms:Decrypt"}


@check("operations topic: OperationsKey (alarms cannot use aws/sns), only this account's "
       "alarms publish, TLS only, no subscription granted")
def _():
    topic = resources[OPERATIONS_TOPIC]["Properties"]
    assert topic["KmsMasterKeyId"] == {"Ref": "OperationsKey"}, \
        f"KmsMasterKeyId {topic.get('KmsMasterKeyId')}: CloudWatch cannot publish with aws/sns"
    [topic_policy] = [p for p in of_type("AWS::SNS::TopicPolicy").values()
                      if p["Properties"]["Topics"] == [{"Ref": OPERATIONS_TOPIC}]]
    found = statements(topic_policy["Properties"]["PolicyDocument"])
    allows = [s for s in found if s["Effect"] == "Allow"]
    assert len(allows) == 1 and allows[0]["Principal"] == {"Service": "cloudwatch.amazonaws.com"} \
        and as_list(allows[0]["Action"]) == ["sns:Publish"], allows
    condition = allows[0]["Condition"]
    assert condition["StringEquals"]["aws:SourceAccount"] == {"Ref": "AWS::AccountId"}
    assert ":alarm:*" in json.dumps(condition["ArnLike"]["aws:SourceArn"])
    tls = [s for s in found if s["Effect"] == "Deny"
           and s.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}}]
    assert tls and {"sns:Publish", "sns:Subscribe"} <= set(as_list(tls[0]["Action"])), found
    assert expanded["Outputs"]["OperationsTopicArn"]["Value"] == {"Ref": OPERATIONS_TOPIC}


@check("notifications topic policy: only the notification role publishes, TLS only, no "
       "subscription granted to the account")
def _():
    [topic_policy] = [p for p in of_type("AWS::SNS::TopicPolicy").values()
                      if p["Properties"]["Topics"] == [{"Ref": TOPIC}]]
    found = statements(topic_policy["Properties"]["PolicyDocument"])
    role = {"Fn::GetAtt": ["NotificationFunctionRole", "Arn"]}
    allows = [s for s in found if s["Effect"] == "Allow"]
    assert [(s["Principal"], as_list(s["Action"])) for s in allows] == \
        [({"AWS": role}, ["sns:Publish"])], f"the topic grants {allows}"
    others = [s for s in found if s["Effect"] == "Deny" and as_list(s["Action"]) == ["sns:Publish"]]
    assert others and others[0]["Principal"] == "*" and \
        others[0]["Condition"] == {"ArnNotEquals": {"aws:PrincipalArn": role}}, found
    tls = [s for s in found if s["Effect"] == "Deny"
           and s.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}}]
    assert tls and {"sns:Publish", "sns:Subscribe"} <= set(as_list(tls[0]["Action"])), found


ALARMS = {
    "DeadLettersAlarm": ("AWS/SQS", "ApproximateNumberOfMessagesVisible"),
    "SubmissionErrorsAlarm": ("AWS/Lambda", "Errors"),
    "SubmissionThrottlesAlarm": ("AWS/Lambda", "Throttles"),
    "NotificationErrorsAlarm": ("AWS/Lambda", "Errors"),
    "NotificationThrottlesAlarm": ("AWS/Lambda", "Throttles"),
    "Api5xxAlarm": ("AWS/ApiGateway", "5XXError"),
    "Api4xxAlarm": ("AWS/ApiGateway", "4XXError"),
    "ReminderMissedAlarm": (None, "ReminderRunsDone"),
    "TableThrottlesAlarm": ("AWS/DynamoDB", None),
}


@check("alarms: each of issue 15's, on its metric, ALARM and OK to the operations topic, a "
       "description in French and English saying the first thing to do")
def _():
    alarms = of_type("AWS::CloudWatch::Alarm")
    missing = sorted(set(ALARMS) - set(alarms))
    assert not missing, f"no alarm {missing}"
    for name, alarm in alarms.items():
        props = alarm["Properties"]
        assert props["AlarmActions"] == [{"Ref": OPERATIONS_TOPIC}], f"{name}: {props['AlarmActions']}"
        assert props.get("OKActions") == [{"Ref": OPERATIONS_TOPIC}], f"{name}: no OK to the topic"
        assert alarm_descriptions_ok(props.get("AlarmDescription", "")), \
            f"{name}: its description must say what happened and the first thing to do, FR and EN"
        assert len(props["AlarmDescription"]) <= 1024, f"{name}: description over 1024"
    for name, (namespace, metric) in ALARMS.items():
        props = alarms[name]["Properties"]
        if metric and namespace:
            assert (props["Namespace"], props["MetricName"]) == (namespace, metric), name
    api = {a: alarms[a]["Properties"]["Dimensions"] for a in ["Api5xxAlarm", "Api4xxAlarm"]}
    for name, dimensions in api.items():
        assert {d["Name"]: d["Value"] for d in dimensions} == {
            "ApiName": resources["SubmissionApi"]["Properties"]["Name"], "Stage": "live"}, name
    functions_of = {a: alarms[a]["Properties"]["Dimensions"][0]["Value"] for a in
                    ["SubmissionErrorsAlarm", "SubmissionThrottlesAlarm",
                     "NotificationErrorsAlarm", "NotificationThrottlesAlarm"]}
    assert functions_of == {
        "SubmissionErrorsAlarm": {"Ref": "SubmissionFunction"},
        "SubmissionThrottlesAlarm": {"Ref": "SubmissionFunction"},
        "NotificationErrorsAlarm": {"Ref": "NotificationFunction"},
        "NotificationThrottlesAlarm": {"Ref": "NotificationFunction"}}, functions_of
    queue = alarms["DeadLettersAlarm"]["Properties"]
    assert queue["Dimensions"][0]["Value"] == \
        {"Fn::GetAtt": ["NotificationsDeadLetterQueue", "QueueName"]}
    assert (queue["Threshold"], queue["ComparisonOperator"]) == (0, "GreaterThanThreshold")
    table = json.dumps(alarms["TableThrottlesAlarm"]["Properties"]["Metrics"])
    assert "ReadThrottleEvents" in table and "WriteThrottleEvents" in table and \
        '"Ref": "SubmissionsTable"' in table, table


@check("reminder alarm: a metric filter counts the notification log's reminder_run/done "
       "line; fewer than 1 in 25 hours, missing data breaching")
def _():
    [metric_filter] = of_type("AWS::Logs::MetricFilter").values()
    props = metric_filter["Properties"]
    assert props["LogGroupName"] == {"Ref": "NotificationLogGroup"}, props["LogGroupName"]
    assert props["FilterPattern"] == \
        '{ $.fields.event = "reminder_run" && $.fields.outcome = "done" }', props["FilterPattern"]
    [transformation] = props["MetricTransformations"]
    assert "DefaultValue" not in transformation, "a default value would hide a missed run"
    alarm = resources["ReminderMissedAlarm"]["Properties"]
    assert (alarm["Namespace"], alarm["MetricName"]) == \
        (transformation["MetricNamespace"], transformation["MetricName"])
    assert alarm["Period"] * alarm["EvaluationPeriods"] == 25 * 3600, "25 hours"
    assert alarm.get("DatapointsToAlarm", alarm["EvaluationPeriods"]) == alarm["EvaluationPeriods"]
    assert (alarm["Statistic"], alarm["Threshold"], alarm["ComparisonOperator"]) == \
        ("Sum", 1, "LessThanThreshold"), alarm
    assert alarm["TreatMissingData"] == "breaching", "no line at all is the missed run"
    log = functions()["NotificationFunction"]["Properties"]["LoggingConfig"]
    assert log["LogFormat"] == "Text", "JSON would wrap the function's own JSON line"


@check("reserved concurrency: SubmissionConcurrency (default 0 = none) on the submission "
       "function only")
def _():
    parameter = expanded["Parameters"]["SubmissionConcurrency"]
    assert parameter["Type"] == "Number" and int(parameter["Default"]) == 0, parameter
    assert expanded["Conditions"]["HasSubmissionConcurrency"] == \
        {"Fn::Not": [{"Fn::Equals": [{"Ref": "SubmissionConcurrency"}, 0]}]}
    assert functions()["SubmissionFunction"]["Properties"].get("ReservedConcurrentExecutions") \
        == {"Fn::If": ["HasSubmissionConcurrency", {"Ref": "SubmissionConcurrency"},
                       {"Ref": "AWS::NoValue"}]}


@check("code signing: CodeSigningProfileVersionArn (empty = off) makes an Enforce "
       "CodeSigningConfig on both functions")
def _():
    parameter = expanded["Parameters"]["CodeSigningProfileVersionArn"]
    assert parameter["Default"] == "" and re.fullmatch(parameter["AllowedPattern"], "")
    assert re.fullmatch(parameter["AllowedPattern"], "arn:aws:signer:ca-central-1:123456789012:"
                        "/signing-profiles/eclaireurs/a1B2c3D4e5")
    signing = resources["FunctionCodeSigningConfig"]
    assert signing["Condition"] == "HasCodeSigning"
    assert signing["Properties"]["CodeSigningPolicies"] == \
        {"UntrustedArtifactOnDeployment": "Enforce"}
    assert signing["Properties"]["AllowedPublishers"]["SigningProfileVersionArns"] == \
        [{"Ref": "CodeSigningProfileVersionArn"}]
    for name, function in functions().items():
        assert function["Properties"].get("CodeSigningConfigArn") == \
            {"Fn::If": ["HasCodeSigning", {"Ref": "FunctionCodeSigningConfig"},
                        {"Ref": "AWS::NoValue"}]}, f"{name} is not signed-only"


@check("notice: every access to the submissions is recorded (CloudTrail), for how long, and "
       "who reads the record")
def _():
    days = int(expanded["Parameters"]["AuditRetentionDays"]["Default"])
    assert "AuditorPolicy" in of_type("AWS::IAM::ManagedPolicy")
    notice_says(f"the access record, kept {days} days", {
        "fr": f"Ce registre est gardé {days} jours",
        "en": f"This record is kept {days} days"})
    notice_says("CloudTrail", {"fr": "(AWS CloudTrail)", "en": "(AWS CloudTrail)"})
    notice_says("who reads the record (AuditorPolicy)", {
        "fr": "seules la personne responsable de la protection des renseignements personnels "
              "et les personnes qui administrent le service peuvent le lire",
        "en": "only the person in charge of the protection of personal information and the "
              "service's administrators can read it"})


# --- the mutations: each check can fail ------------------------------------------------------

def res(templates, name):
    return templates["expanded"]["Resources"][name]


def props_of(templates, name):
    return res(templates, name)["Properties"]


def drop_statement(document: dict, sid: str):
    document["Statement"] = [s for s in statements(document) if s.get("Sid") != sid]


def api_origin(templates):
    config = props_of(templates, "SiteDistribution")["DistributionConfig"]
    return next(o for o in config["Origins"] if o["Id"] == "api")


def publisher_updates_code(t):
    statements(props_of(t, "PublisherPolicy")["PolicyDocument"]).append({
        "Sid": "UpdateTheFunction", "Effect": "Allow", "Action": "lambda:UpdateFunctionCode",
        "Resource": {"Fn::GetAtt": ["SubmissionFunction", "Arn"]}})


def without_alarm(name):
    return lambda t: t["expanded"]["Resources"].pop(name)


def set_path(name, path, value):
    def mutate(t):
        target = props_of(t, name)
        for key in path[:-1]:
            target = target[key]
        if value is None:
            target.pop(path[-1])
        else:
            target[path[-1]] = value
    return mutate


def reminder_on_sam_schedule(t):
    t["written"]["Resources"]["NotificationFunction"]["Properties"]["Events"]["Daily"] = \
        {"Type": "ScheduleV2", "Properties": {"ScheduleExpression": "cron(0 8 * * ? *)"}}


def privacy_officer_on_status_index(t):
    statements(props_of(t, "PrivacyOfficerPolicy")["PolicyDocument"])[0]["Resource"] = [
        {"Fn::Sub": "${SubmissionsTable.Arn}/index/email-index"},
        {"Fn::Sub": "${SubmissionsTable.Arn}/index/status-index"}]


def topic_subscribable(t):
    document = next(p for p in t["expanded"]["Resources"].values()
                    if p["Type"] == "AWS::SNS::TopicPolicy"
                    and p["Properties"]["Topics"] == [{"Ref": TOPIC}])["Properties"]["PolicyDocument"]
    statements(document).append({
        "Effect": "Allow", "Principal": {"AWS": {"Fn::Sub": "arn:aws:iam::${AWS::AccountId}:root"}},
        "Action": "sns:Subscribe", "Resource": {"Ref": TOPIC}})


def queue_without_tls(t):
    document = next(p for p in t["expanded"]["Resources"].values()
                    if p["Type"] == "AWS::SQS::QueuePolicy")["Properties"]["PolicyDocument"]
    drop_statement(document, "EncryptedTransportOnly")


def data_events_off(t):
    props = props_of(t, "AuditTrail")
    props["AdvancedEventSelectors"] = [s for s in props["AdvancedEventSelectors"]
                                       if "DynamoDB" not in json.dumps(s)]


def api_url_output(t):
    t["expanded"]["Outputs"]["ApiUrl"] = {"Value": {"Fn::Sub": (
        "https://${SubmissionApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/")}}


def role_gets_table_by_getatt(t):
    statements(props_of(t, "SubmissionFunctionRole")["Policies"][0]["PolicyDocument"])[0][
        "Resource"] = {"Fn::GetAtt": ["SubmissionsTable", "Arn"]}


def getitem_unlimited(t):
    statement = statements(props_of(t, "SubmissionFunctionRole")["Policies"][0]["PolicyDocument"])[1]
    statement.pop("Condition")


def catalog_whole_bucket(t):
    statements(props_of(t, "NotificationFunctionRole")["Policies"][2]["PolicyDocument"])[0][
        "Resource"] = {"Fn::Sub": "${CatalogBucket.Arn}/*"}


# (what a careless change does, the check that must then fail, the change)
MUTATIONS = [
    ("a publisher with UpdateFunctionCode",
     "publisher policy: nothing that changes or runs code", publisher_updates_code),
    ("an API origin without the secret",
     "API origin: CloudFront sends X-Origin-Verify",
     lambda t: api_origin(t).pop("OriginCustomHeaders")),
    ("an API origin without the stage's path",
     "/api/*: the REST API's stage", lambda t: api_origin(t).pop("OriginPath")),
    ("the API's web ACL allowing by default",
     "API web ACL: REGIONAL", set_path("ApiWebAcl", ["DefaultAction"], {"Allow": {}})),
    ("the API's web ACL matching a prefix of the secret",
     "API web ACL: REGIONAL", set_path("ApiWebAcl", ["Rules", 0, "Statement",
                                                     "ByteMatchStatement",
                                                     "PositionalConstraint"], "STARTS_WITH")),
    ("an ApiUrl output", "no output names the API's execute-api", api_url_output),
    ("a relay policy without the deny", "staff policies (relay, coordinator",
     lambda t: drop_statement(props_of(t, "RelayTeamPolicy")["PolicyDocument"], "NoSelfTagging")),
    ("a privacy officer policy without the deny", "staff policies (relay, coordinator",
     lambda t: drop_statement(props_of(t, "PrivacyOfficerPolicy")["PolicyDocument"],
                              "NoSelfTagging")),
    ("a table without its guard", "table guard:",
     set_path("SubmissionsTable", ["ResourcePolicy"], None)),
    ("a guard that forgets Scan", "table guard:",
     lambda t: props_of(t, "SubmissionsTable")["ResourcePolicy"]["PolicyDocument"][
         "Statement"][0]["Action"].remove("dynamodb:Scan")),
    ("a function role naming the table by !GetAtt (a cycle)", "submission role:",
     role_gets_table_by_getatt),
    ("no data-event trail", "access record: a single-region trail", data_events_off),
    ("a trail without log-file validation", "access record: a single-region trail",
     set_path("AuditTrail", ["EnableLogFileValidation"], False)),
    ("a record kept 90 days", "access record: a single-region trail",
     lambda t: t["expanded"]["Parameters"]["AuditRetentionDays"].update(MinValue=90)),
    ("a multi-region trail", "access record: a single-region trail",
     set_path("AuditTrail", ["IsMultiRegionTrail"], True)),
    ("an auditor who may decrypt anything", "auditor policy:",
     lambda t: statements(props_of(t, "AuditorPolicy")["PolicyDocument"])[2].pop("Condition")),
    ("a key without rotation", "operations key:",
     set_path("OperationsKey", ["EnableKeyRotation"], False)),
    ("a missing alarm", "alarms: each of issue 15's", without_alarm("Api5xxAlarm")),
    ("an alarm that does not say when it is over", "alarms: each of issue 15's",
     set_path("TableThrottlesAlarm", ["OKActions"], None)),
    ("an alarm described in English only", "alarms: each of issue 15's",
     set_path("DeadLettersAlarm", ["AlarmDescription"], "The queue is not empty.")),
    ("a reminder alarm that ignores no data", "reminder alarm:",
     set_path("ReminderMissedAlarm", ["TreatMissingData"], "notBreaching")),
    ("a filter on the wrong log line", "reminder alarm:",
     set_path("ReminderRunsMetricFilter", ["FilterPattern"], '{ $.event = "reminder_run" }')),
    ("an operations topic on aws/sns", "operations topic:",
     set_path(OPERATIONS_TOPIC, ["KmsMasterKeyId"], "alias/aws/sns")),
    ("a notifications topic anyone of the account subscribes to",
     "notifications topic policy:", topic_subscribable),
    ("a dead-letter queue taking plain HTTP", "dead-letter queue:", queue_without_tls),
    ("a privacy officer on status-index", "privacy officer policy:",
     privacy_officer_on_status_index),
    ("a submission role whose PutItem may return the old item", "submission role:",
     lambda t: statements(props_of(t, "SubmissionFunctionRole")["Policies"][0][
         "PolicyDocument"])[0].pop("Condition")),
    ("a submission role whose GetItem reads every attribute", "submission role:",
     getitem_unlimited),
    ("a catalog read on the whole bucket", "catalog:", catalog_whole_bucket),
    ("a scheduler role without aws:SourceAccount", "reminder schedule's role:",
     lambda t: statements(props_of(t, "ReminderScheduleRole")["AssumeRolePolicyDocument"])[0]
     .pop("Condition")),
    ("the reminder back on SAM's schedule event", "daily reminder:", reminder_on_sam_schedule),
    ("no reserved concurrency", "reserved concurrency:",
     set_path("SubmissionFunction", ["ReservedConcurrentExecutions"], None)),
    ("an unsigned notification function", "code signing:",
     set_path("NotificationFunction", ["CodeSigningConfigArn"], None)),
]


def check_named(prefix: str):
    found = [(name, fn) for name, fn in CHECKS if name.startswith(prefix)]
    assert len(found) == 1, f"the mutation's check {prefix!r} names {len(found)} checks"
    return found[0]


if MUTATING:
    caught = []
    for what, prefix, mutate in MUTATIONS:
        name, fn = check_named(prefix)
        mutated = copy.deepcopy(ORIGINAL)
        mutate(mutated)
        load(mutated)
        why = run(fn)
        load(ORIGINAL)
        before = run(fn)
        caught.append((what, name, why, before))
    missed = [c for c in caught if c[2] is None or c[3] is not None]
    for what, name, why, before in caught:
        ok = why is not None and before is None
        print(f"{'ok  ' if ok else 'FAIL'} {what}: {name[:60]}… "
              + ("fails" if why else "still passes"))
    print(f"template mutations: {len(caught) - len(missed)} caught, {len(missed)} missed")
    sys.exit(1 if missed else 0)

results = [(name, run(fn)) for name, fn in CHECKS]
failed = [(name, why) for name, why in results if why]
for name, why in results:
    print(f"{'ok  ' if not why else 'FAIL'} {name}" + (f"\n     {why}" if why else ""))
print(f"template checks: {len(results) - len(failed)} passed, {len(failed)} failed")
sys.exit(1 if failed else 0)
