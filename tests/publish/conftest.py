"""Fixtures of the publish tests: the binary, a fresh stack in moto, a copy of the site."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import emulated_aws  # noqa: E402


@pytest.fixture(scope="session")
def binary() -> Path:
    path = Path(os.environ.get("ECLAIREURS_BIN", emulated_aws.REPO / "target/debug/eclaireurs"))
    if not path.is_file():
        pytest.fail(f"{path} is missing: build it first (cargo build -p eclaireurs)")
    emulated_aws.endpoint()  # fails with the way to start moto when it is not running
    return path


@pytest.fixture
def site(tmp_path: Path) -> dict[str, Path]:
    content = emulated_aws.copy_site(tmp_path)
    # For `eclaireurs package` (sam deploy's zip), which publish no longer needs.
    bootstrap = tmp_path / "bootstrap"
    bootstrap.write_bytes(b"\x7fELF stand-in for the arm64 program")
    return {"content": content, "out": tmp_path / "public", "bootstrap": bootstrap}


@pytest.fixture
def stack() -> emulated_aws.Stack:
    return emulated_aws.deploy_stack()
