#!/usr/bin/env python3
"""Smoke test of DynamoDB Local as the tests run it (Python stdlib only).

    eval "$(tests/dynamodb-local start)"
    tests/dynamodb/smoke.py
    tests/dynamodb-local stop

Creates a table, lists tables, writes and reads an item, freezes the process
(tests/dynamodb-local freeze) and checks that a request then times out, thaws it and
checks that it answers again. Prints one line per step; exits non-zero on any failure.
"""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CONTROL = os.path.join(ROOT, "tests", "dynamodb-local")
# DynamoDB Local checks that a SigV4-shaped Authorization header is present, not the signature.
AUTH = (
    "AWS4-HMAC-SHA256 Credential=test/20260101/ca-central-1/dynamodb/aws4_request, "
    "SignedHeaders=host, Signature=0"
)


def fail(message):
    print(f"FAIL: {message}")
    sys.exit(1)


def call(endpoint, operation, payload, timeout=5.0):
    request = urllib.request.Request(
        endpoint + "/",
        data=json.dumps(payload).encode(),
        method="POST",
        headers={
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": f"DynamoDB_20120810.{operation}",
            "Authorization": AUTH,
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        fail(f"{operation}: HTTP {error.code}: {error.read().decode(errors='replace')}")


def control(action):
    result = subprocess.run([CONTROL, action], capture_output=True, text=True)
    if result.returncode != 0:
        fail(f"tests/dynamodb-local {action}: {result.stderr.strip()}")


def main():
    endpoint = os.environ.get("AWS_ENDPOINT_URL_DYNAMODB")
    if not endpoint:
        fail('AWS_ENDPOINT_URL_DYNAMODB is not set (run: eval "$(tests/dynamodb-local start)")')
    endpoint = endpoint.rstrip("/")
    table = f"smoke-{os.getpid()}-{int(time.time())}"

    created = call(endpoint, "CreateTable", {
        "TableName": table,
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "BillingMode": "PAY_PER_REQUEST",
    })
    status = created["TableDescription"]["TableStatus"]
    print(f"ok   CreateTable {table} -> {status}")

    names = call(endpoint, "ListTables", {})["TableNames"]
    if table not in names:
        fail(f"ListTables does not list {table}: {names}")
    print(f"ok   ListTables -> {names}")

    call(endpoint, "PutItem", {"TableName": table, "Item": {"pk": {"S": "a"}, "n": {"N": "1"}}})
    item = call(endpoint, "GetItem", {"TableName": table, "Key": {"pk": {"S": "a"}}}).get("Item")
    if item != {"pk": {"S": "a"}, "n": {"N": "1"}}:
        fail(f"GetItem returned {item}")
    print(f"ok   PutItem + GetItem -> {json.dumps(item)}")

    control("freeze")
    print("ok   freeze (SIGSTOP)")
    started = time.monotonic()
    try:
        call(endpoint, "ListTables", {}, timeout=2.0)
    except (TimeoutError, socket.timeout):
        pass
    except urllib.error.URLError as error:
        if not isinstance(error.reason, (TimeoutError, socket.timeout)):
            control("thaw")
            fail(f"frozen database: expected a timeout, got {error!r}")
    else:
        control("thaw")
        fail("frozen database answered")
    print(f"ok   ListTables while frozen -> timed out after {time.monotonic() - started:.1f} s")

    control("thaw")
    print("ok   thaw (SIGCONT)")
    started = time.monotonic()
    names = call(endpoint, "ListTables", {})["TableNames"]
    if table not in names:
        fail(f"after thaw, ListTables does not list {table}: {names}")
    print(f"ok   ListTables after thaw -> {names} in {time.monotonic() - started:.2f} s")

    call(endpoint, "DeleteTable", {"TableName": table})
    print(f"ok   DeleteTable {table}")


if __name__ == "__main__":
    try:
        main()
    except Exception as error:  # any unexpected error (refused connection, bad JSON...) fails
        fail(f"{type(error).__name__}: {error}")
