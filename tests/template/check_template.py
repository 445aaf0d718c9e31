#!/usr/bin/env python3
"""Reads the SAM-expanded template (what CloudFormation deploys) and checks that the site,
the distribution, the table, the notifications and the policies are what the README and the
issues promise. Run by tests/lint-template; prints one line per check and
`N passed, N failed`.

    check_template.py EXPANDED.json SOURCE.yaml
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from cfnlint.decode import decode

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
        except (KeyError, IndexError, TypeError, ValueError) as error:
            results.append((name, f"missing or misshapen: {error!r}"))
        return fn
    return wrap


expanded = json.loads(Path(sys.argv[1]).read_text())
source = Path(sys.argv[2]).read_text()
# The template as written (its tags read as intrinsics), for what the SAM transform hides:
# lint-template gives every function a stand-in CodeUri before the transform.
written, problems = decode(sys.argv[2])
if problems:
    sys.exit(f"check_template: cannot read {sys.argv[2]}: {problems}")
resources = expanded["Resources"]
ROOT = Path(__file__).resolve().parents[2]
# The regions of the content, and the two the template once had a policy each for.
REGIONS = sorted({d.name for d in (ROOT / "content" / "regions").iterdir() if d.is_dir()}
                 | {"saguenay-lac-saint-jean", "bas-saint-laurent"})
TABLE = "SubmissionsTable.Arn"
STREAM = "SubmissionsTable.StreamArn"
STATUS_INDEX = "SubmissionsTable.Arn/index/status-index"
EMAIL_INDEX = "SubmissionsTable.Arn/index/email-index"
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
    """Every (action, resource, condition) a role or policy allows; only plain Allows."""
    granted = set()
    for document in documents(resource):
        for statement in as_list(document["Statement"]):
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


@check("the HTTP API: one route, ANY /api/{proxy+}, to the submission function, which "
       "routes by its catalog (its forms, health, and its own 404/405)")
def _():
    _, api = one("AWS::ApiGatewayV2::Api")
    paths = api["Properties"]["Body"]["paths"]
    assert list(paths) == ["/api/{proxy+}"], f"routes {sorted(paths)}: a form's address " \
        "written here would be a second list of the forms, beside content/forms/"
    [(method, route)] = paths["/api/{proxy+}"].items()
    assert method == "x-amazon-apigateway-any-method", method
    integration = route["x-amazon-apigateway-integration"]
    assert integration["type"] == "aws_proxy" and integration["payloadFormatVersion"] == "2.0"
    assert "${SubmissionFunction.Arn}" in json.dumps(integration["uri"]), integration["uri"]
    permissions = [r["Properties"] for r in of_type("AWS::Lambda::Permission").values()
                   if refers_to(r["Properties"]["FunctionName"], "SubmissionFunction")]
    assert len(permissions) == 1, permissions
    source_arn = json.dumps(permissions[0]["SourceArn"])
    assert "${__ApiId__}/${__Stage__}/*/api/*" in source_arn, source_arn


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
    both_functions = ["SubmissionFunction", "NotificationFunction"]
    expected = {
        "cloudformation:DescribeStacks": ["AWS::StackId"],
        "s3:ListBucket": [bucket_name],
        "s3:GetObject": [bucket_name],
        "s3:PutObject": [bucket_name],
        "s3:DeleteObject": [bucket_name],
        "cloudfront:CreateInvalidation": [distribution_name],
        "cloudfront:GetInvalidation": [distribution_name],
        # Both functions run the package that publish uploads.
        "lambda:GetFunction": both_functions,
        "lambda:GetFunctionConfiguration": both_functions,
        "lambda:UpdateFunctionCode": both_functions,
    }
    assert set(granted) == set(expected), f"granted {sorted(granted)}"
    for action, names in expected.items():
        for resource in names:
            assert resource in granted[action], f"{action} is on {granted[action]}, not {resource}"
        assert '"*"' not in granted[action], f"{action} on *"
    [functions_statement] = [s for s in policy["Properties"]["PolicyDocument"]["Statement"]
                             if "lambda:UpdateFunctionCode" in as_list(s["Action"])]
    assert sorted(named(r) for r in as_list(functions_statement["Resource"])) == \
        ["NotificationFunction.Arn", "SubmissionFunction.Arn"], \
        f"UpdateTheFunction is on {functions_statement['Resource']}"
    assert granted["s3:ListBucket"].count("/*") == 0
    assert "/*" in granted["s3:PutObject"]


@check("outputs: what publish reads, and the policies to hand out")
def _():
    outputs = expanded["Outputs"]
    for name in ["SiteUrl", "SiteBucket", "DistributionId", "DistributionDomain", "FunctionName",
                 "PublisherPolicyArn", "TableName"]:
        assert name in outputs, f"no output {name}"



@check("table: a KEYS_ONLY stream (no item's attributes in it)")
def _():
    table = resources["SubmissionsTable"]["Properties"]
    assert table["StreamSpecification"] == {"StreamViewType": "KEYS_ONLY"}, \
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
        | allow("dynamodb:Query", STATUS_INDEX, {
            "StringEquals": {"dynamodb:Select": "SPECIFIC_ATTRIBUTES"},
            "ForAllValues:StringEquals": {"dynamodb:Attributes": [
                "region", "entry", "status", "submitted_at", "kind", "reminded_at"]}})
        | allow("dynamodb:UpdateItem", TABLE, {
            "ForAllValues:StringEquals": {"dynamodb:Attributes": [
                "region", "entry", "status", "reminded_at", "expires_at"]},
            "StringEqualsIfExists": {"dynamodb:ReturnValues": ["NONE"]}})
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
    assert named(mapping["EventSourceArn"]) == STREAM, f"reads {mapping['EventSourceArn']}"
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
    # The schedule's own role (SAM's): invoke this function, write dead letters; nothing else.
    role_name = named(target["RoleArn"]).removesuffix(".Arn")
    role = resources[role_name]
    trust = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert [s["Principal"] for s in trust] == [{"Service": ["scheduler.amazonaws.com"]}], trust
    assert_grants(role_name, grants(role),
                  allow("lambda:InvokeFunction", "NotificationFunction.Arn")
                  | allow("sqs:SendMessage", DLQ))


@check("notifications topic: encrypted (KMS, alias/aws/sns), display name eclaireurs")
def _():
    name, topic = one("AWS::SNS::Topic")
    assert name == TOPIC, f"the topic is {name}"
    assert topic["Properties"].get("KmsMasterKeyId") == "alias/aws/sns", \
        f"KmsMasterKeyId {topic['Properties'].get('KmsMasterKeyId')}"
    assert topic["Properties"]["DisplayName"] == "eclaireurs"


@check("dead-letter queue: encrypted, kept 14 days; its policy lets only the topic's SNS write")
def _():
    name, queue = one("AWS::SQS::Queue")
    assert name == "NotificationsDeadLetterQueue", f"the queue is {name}"
    props = queue["Properties"]
    assert props.get("SqsManagedSseEnabled") is True or "KmsMasterKeyId" in props, \
        "the queue is not encrypted"
    assert props["MessageRetentionPeriod"] == 1209600, f"kept {props['MessageRetentionPeriod']} s"
    _, queue_policy = one("AWS::SQS::QueuePolicy")
    assert [named(q) for q in queue_policy["Properties"]["Queues"]] == [name]
    statements = as_list(queue_policy["Properties"]["PolicyDocument"]["Statement"])
    assert len(statements) == 1, f"{len(statements)} statements"
    [statement] = statements
    assert statement["Effect"] == "Allow"
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


@check("privacy officer policy: find by email-index, read, correct, delete; no Scan, no PutItem")
def _():
    granted = grants(policy("PrivacyOfficerPolicy"))
    assert ("dynamodb:DeleteItem", TABLE, canonical(None)) in granted, "no DeleteItem on the table"
    assert ("dynamodb:Query", EMAIL_INDEX, canonical(None)) in granted, "no Query on email-index"
    expected = (allow("dynamodb:Query", [TABLE, EMAIL_INDEX, STATUS_INDEX])
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


@check('IAM: "*" only for ListTables and ListStreams (no resource-level permission), said why')
def _():
    for kind in ["AWS::IAM::ManagedPolicy", "AWS::IAM::Role", "AWS::IAM::Policy"]:
        for name, resource in of_type(kind).items():
            for action, arn, _ in grants(resource):
                assert "*" not in action, f"{name}: wildcard action {action}"
                if arn == "*":
                    assert action in ("dynamodb:ListTables", "dynamodb:ListStreams"), \
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
    assert policies == ["CoordinatorReadPolicy", "PrivacyOfficerPolicy", "PublisherPolicy",
                        "RelayTeamPolicy"], f"managed policies {policies}"


# --- the per-client rate limit (waf.yaml, its own stack in us-east-1) ----------------------

WAF_PATH = Path(sys.argv[3]) if len(sys.argv) > 3 else ROOT / "waf.yaml"
waf, waf_problems = decode(str(WAF_PATH))
if waf_problems:
    sys.exit(f"check_template: cannot read {WAF_PATH}: {waf_problems}")


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
    api = next(iter(of_type("AWS::ApiGatewayV2::Stage").values()), None)
    settings = (api or {}).get("Properties", {}).get("DefaultRouteSettings") or \
        written["Resources"]["SubmissionApi"]["Properties"]["DefaultRouteSettings"]
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
            if g[0] in READS and g[1].startswith("SubmissionsTable.")}


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
    for name, stage in of_type("AWS::ApiGatewayV2::Stage").items():
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

failed = [(name, why) for name, why in results if why]
for name, why in results:
    print(f"{'ok  ' if not why else 'FAIL'} {name}" + (f"\n     {why}" if why else ""))
print(f"template checks: {len(results) - len(failed)} passed, {len(failed)} failed")
sys.exit(1 if failed else 0)
