#!/usr/bin/env python3
"""parliament and checkov on the deployment templates, held to scanner-findings.yaml.

    scan_templates.py EXPANDED.json WAF.yaml

parliament (with its community auditors, which find privilege escalation) reads every IAM
policy document of the SAM-expanded template and of waf.yaml: role inline policies and trust
policies, managed policies, bucket, queue and topic policies, the table's and its stream's
resource policies, the KMS key policy. Intrinsics are replaced by ARNs of the right shape
(account 123456789012, ca-central-1), so parliament can match actions to resources. checkov
scans both templates. A PRIVILEGE_ESCALATION finding always fails; any other finding fails
unless scanner-findings.yaml lists it with its reason, and a listed finding that no longer
occurs fails too (the file says what is true today). Run by tests/lint-template with
tests/.venv/scanners' Python (parliament and checkov live there, see tests/setup-deps).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import yaml
from concurrent.futures import ThreadPoolExecutor
from parliament import analyze_policy_string

HERE = Path(__file__).resolve().parent
FINDINGS = HERE / "scanner-findings.yaml"
ACCOUNT, REGION, PARTITION = "123456789012", "ca-central-1", "aws"
STACK = "eclaireurs"
PSEUDO = {"AWS::AccountId": ACCOUNT, "AWS::Region": REGION, "AWS::Partition": PARTITION,
          "AWS::StackName": STACK, "AWS::URLSuffix": "amazonaws.com",
          "AWS::StackId": f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/{STACK}/"
                          "0a1b2c3d-4e5f-6789-abcd-ef0123456789"}
PARAMETERS = {"TableName": "eclaireurs-submissions",
              "BreakGlassRoleArn": f"arn:aws:iam::{ACCOUNT}:role/break-glass"}


def resolver(resources: dict):
    """Ref and GetAtt of the template's resources as realistic names and ARNs."""
    def ref(name: str) -> str:
        if name in PSEUDO:
            return PSEUDO[name]
        if name in PARAMETERS:
            return PARAMETERS[name]
        kind = resources.get(name, {}).get("Type", "")
        lower = name.lower()
        return {
            "AWS::SNS::Topic": f"arn:aws:sns:{REGION}:{ACCOUNT}:{lower}",
            "AWS::SQS::Queue": f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{lower}",
            "AWS::KMS::Key": "0a1b2c3d-4e5f-6789-abcd-ef0123456789",
            "AWS::CloudFront::Distribution": "E1ABCDEF234567",
            "AWS::SecretsManager::Secret":
                f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:{lower}-AbCdEf",
        }.get(kind, f"{STACK}-{lower}")

    def get_att(name: str, attribute: str) -> str:
        kind = resources.get(name, {}).get("Type", "")
        lower = name.lower()
        if kind == "AWS::DynamoDB::Table":
            table = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{PARAMETERS['TableName']}"
            return table + ("/stream/2026-01-01T00:00:00.000" if attribute == "StreamArn" else "")
        return {
            "AWS::S3::Bucket": f"arn:aws:s3:::{STACK}-{lower}",
            "AWS::Lambda::Function": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{STACK}-{lower}",
            "AWS::SQS::Queue": f"arn:aws:sqs:{REGION}:{ACCOUNT}:{lower}",
            "AWS::Logs::LogGroup": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/{lower}:*",
            "AWS::KMS::Key": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/0a1b2c3d-4e5f-6789-abcd-ef0123456789",
            "AWS::IAM::Role": f"arn:aws:iam::{ACCOUNT}:role/{STACK}-{lower}",
            "AWS::CloudTrail::Trail": f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/{lower}",
        }.get(kind, f"{STACK}-{lower}")

    def resolve(value):
        if isinstance(value, list):
            items = [resolve(v) for v in value]
            return [v for v in items if v is not NO_VALUE]
        if not isinstance(value, dict):
            return value
        if set(value) == {"Ref"}:
            return NO_VALUE if value["Ref"] == "AWS::NoValue" else ref(value["Ref"])
        if set(value) == {"Fn::GetAtt"}:
            target = value["Fn::GetAtt"]
            name, attribute = target if isinstance(target, list) else target.split(".", 1)
            return get_att(name, attribute)
        if set(value) == {"Fn::If"}:
            # The branch with a value: what the policy is when the option is on.
            _, then, otherwise = value["Fn::If"]
            chosen = resolve(then)
            return chosen if chosen is not NO_VALUE else resolve(otherwise)
        if set(value) == {"Fn::Sub"}:
            text, names = (value["Fn::Sub"], {}) if isinstance(value["Fn::Sub"], str) \
                else (value["Fn::Sub"][0], {k: resolve(v) for k, v in value["Fn::Sub"][1].items()})

            def one(match):
                key = match.group(1)
                if key in names:
                    return names[key]
                if "." in key and key.split(".")[0] in resources:
                    return get_att(*key.split(".", 1))
                return ref(key)
            return re.sub(r"\$\{([^}!]+)\}", one, text)
        return {k: resolve(v) for k, v in value.items()}
    return resolve


NO_VALUE = object()


def policy_documents(template: dict):
    """(where, document) for every policy document of a template."""
    for name, resource in template.get("Resources", {}).items():
        props = resource.get("Properties", {})
        kind = resource["Type"]
        if kind == "AWS::IAM::Role":
            yield f"{name} (trust)", props["AssumeRolePolicyDocument"]
            for inline in props.get("Policies", []):
                yield f"{name}/{inline['PolicyName']}", inline["PolicyDocument"]
        elif kind in ("AWS::IAM::ManagedPolicy", "AWS::IAM::Policy", "AWS::S3::BucketPolicy",
                      "AWS::SQS::QueuePolicy", "AWS::SNS::TopicPolicy"):
            yield name, props["PolicyDocument"]
        elif kind == "AWS::KMS::Key":
            yield name, props["KeyPolicy"]
        elif kind == "AWS::DynamoDB::Table":
            if "ResourcePolicy" in props:
                yield f"{name} (resource policy)", props["ResourcePolicy"]["PolicyDocument"]
            stream = props.get("StreamSpecification", {})
            if "ResourcePolicy" in stream:
                yield f"{name} (stream policy)", stream["ResourcePolicy"]["PolicyDocument"]


def parliament_findings(label: str, template: dict) -> list[dict]:
    resolve = resolver(template.get("Resources", {}))
    found = []
    for where, document in policy_documents(template):
        policy = analyze_policy_string(json.dumps(resolve(document)),
                                       include_community_auditors=True)
        for finding in policy.findings:
            found.append({"template": label, "where": where, "issue": finding.issue,
                          "detail": json.dumps(finding.detail, default=str)[:300]})
    return found


def checkov_findings(label: str, path: str) -> list[dict]:
    checkov = Path(sys.executable).parent / "checkov"
    env = dict(os.environ, BC_SKIP_MAPPING="TRUE", CHECKOV_RUN_SCA_PACKAGE_SCAN_V2="false",
               LOG_LEVEL="ERROR")
    answer = subprocess.run([str(checkov), "-f", path, "--framework", "cloudformation",
                             "--skip-download", "--compact", "--quiet", "-o", "json"],
                            capture_output=True, text=True, env=env, check=False)
    if answer.returncode not in (0, 1) or not answer.stdout.strip().startswith(("{", "[")):
        sys.exit(f"scan_templates: checkov failed on {path} (exit {answer.returncode}):\n"
                 f"{answer.stderr[-2000:]}")
    reports = json.loads(answer.stdout)
    failed = []
    for report in reports if isinstance(reports, list) else [reports]:
        for result in report.get("results", {}).get("failed_checks", []):
            failed.append({"template": label, "check": result["check_id"],
                           "resource": result["resource"], "name": result["check_name"]})
    return failed


# What issue 15 found in the old PublisherPolicy: Lambda code changes run with the
# function's role. parliament must still call it a privilege escalation, or its community
# auditors are not running and a clean result would mean nothing.
ESCALATION = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": ["lambda:UpdateFunctionCode", "lambda:GetFunction"],
    "Resource": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:eclaireurs-submissions"}]}


def main() -> int:
    expanded_path, waf_path = sys.argv[1], sys.argv[2]
    known = analyze_policy_string(json.dumps(ESCALATION), include_community_auditors=True)
    if "PRIVILEGE_ESCALATION" not in {f.issue for f in known.findings}:
        sys.exit("scan_templates: parliament does not see the known privilege escalation "
                 "(lambda:UpdateFunctionCode): its community auditors are not running")
    expanded = json.loads(Path(expanded_path).read_text())
    # waf.yaml's short tags (!Ref, !Sub) read as plain values: it has no policy document,
    # and parliament only needs the documents.
    waf = yaml.load(Path(waf_path).read_text(), Loader=TaggedLoader)
    listed = yaml.safe_load(FINDINGS.read_text())
    problems = []

    found = parliament_findings("template", expanded) + parliament_findings("waf", waf)
    for finding in found:
        if finding["issue"] == "PRIVILEGE_ESCALATION":
            problems.append(f"parliament: privilege escalation in {finding['where']}: "
                            f"{finding['detail']}")
    explained = {(e["template"], e["where"], e["issue"]) for e in listed.get("parliament", [])}
    seen = {(f["template"], f["where"], f["issue"]) for f in found}
    for finding in found:
        key = (finding["template"], finding["where"], finding["issue"])
        if finding["issue"] != "PRIVILEGE_ESCALATION" and key not in explained:
            problems.append(f"parliament: {finding['issue']} in {finding['template']} "
                            f"{finding['where']} is not in {FINDINGS.name}: {finding['detail']}")
    for key in sorted(explained - seen):
        problems.append(f"parliament: {FINDINGS.name} lists {key}, which no longer occurs")

    with ThreadPoolExecutor(max_workers=2) as pool:
        scans = [pool.submit(checkov_findings, "template", expanded_path),
                 pool.submit(checkov_findings, "waf", waf_path)]
        failed = [f for scan in scans for f in scan.result()]
    explained = {(e["template"], e["check"], e["resource"]) for e in listed.get("checkov", [])}
    seen = {(f["template"], f["check"], f["resource"]) for f in failed}
    for finding in failed:
        key = (finding["template"], finding["check"], finding["resource"])
        if key not in explained:
            problems.append(f"checkov: {finding['check']} ({finding['name']}) on "
                            f"{finding['template']} {finding['resource']} is not in "
                            f"{FINDINGS.name}")
    for key in sorted(explained - seen):
        problems.append(f"checkov: {FINDINGS.name} lists {key}, which no longer fails")
    for entry in listed.get("parliament", []) + listed.get("checkov", []):
        if len(str(entry.get("reason", "")).strip()) < 20:
            problems.append(f"{FINDINGS.name}: {entry} has no reason")

    for problem in problems:
        print(f"FAIL {problem}")
    documents = sum(1 for _ in policy_documents(expanded)) + sum(1 for _ in policy_documents(waf))
    escalations = sum(1 for f in found if f["issue"] == "PRIVILEGE_ESCALATION")
    print(f"scanners: parliament read {documents} policy documents ({len(found)} findings, "
          f"{escalations} of privilege escalation); checkov failed {len(failed)} checks; "
          f"{len(problems)} unexplained")
    return 1 if problems else 0


class TaggedLoader(yaml.SafeLoader):
    pass


TaggedLoader.add_multi_constructor("!", lambda loader, suffix, node: (
    loader.construct_scalar(node) if isinstance(node, yaml.ScalarNode)
    else loader.construct_sequence(node) if isinstance(node, yaml.SequenceNode)
    else loader.construct_mapping(node)))

if __name__ == "__main__":
    sys.exit(main())
