"""Builders of hostile files for the reliability tests (issue 17), and the timing helpers.

Archives are written byte by byte where ``zipfile`` cannot write what an attacker can: 300,000
members in a few megabytes, a member flagged as encrypted, two members with one name.
"""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import symparam as S

ROOT = Path(__file__).resolve().parent.parent
#: refusal bounds of issue 17: the API within 100 ms, the CLI within 0.3 s of ``--help``
API_LIMIT = 0.1
CLI_EXTRA = 0.3

SMALL_CONFIG = {"class_name": "Sequential", "config": {"name": "s", "layers": [
    {"class_name": "InputLayer", "config": {"batch_shape": [None, 4], "name": "in"}},
    {"class_name": "Dense", "config": {"name": "d", "units": 3}}]}}


#: every API refusal's best time, for the figures printed with ``-s``
API_TIMES: list = []


def timed_refusal(call, match: str | None = None, limit: float = API_LIMIT) -> float:
    """Assert ``call()`` raises one ``SymparamError`` (whose text contains ``match``) within
    ``limit`` seconds; the best of up to three runs, since a shared CI core adds noise to a
    single run but never removes work.  Returns the time."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        try:
            call()
        except S.SymparamError as error:
            elapsed = time.perf_counter() - start
            assert "\n" not in str(error).strip(), f"a refusal is one line: {error}"
            if match is not None:
                assert match.lower() in str(error).lower(), f"{match!r} not in {error}"
        else:
            raise AssertionError(f"{call} was not refused")
        best = min(best, elapsed)
        if best <= limit:
            break
    API_TIMES.append(best)
    assert best <= limit, f"refused in {best:.3f} s, over {limit} s"
    return best


def run_cli(*argv, timeout: float = 30) -> tuple[int, str, str, float]:
    """``python -m symparam argv`` in a child process: exit code, stdout, stderr, seconds."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "symparam", *argv], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    return done.returncode, done.stdout, done.stderr, time.perf_counter() - start


def write_zip(path: Path, members: dict[str, bytes], *, encrypted: bool = False) -> Path:
    """A zip of ``members`` (a list of pairs allows one name twice); ``encrypted`` sets the
    encryption flag on every member, as a password-protected archive has it."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members if isinstance(members, list) else members.items():
            archive.writestr(name, data)
    if encrypted:
        raw = bytearray(path.read_bytes())
        for signature, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
            at = raw.find(signature)
            while at >= 0:
                raw[at + flag_at] |= 0x1
                at = raw.find(signature, at + 4)
        path.write_bytes(bytes(raw))
    return path


def many_member_zip(path: Path, count: int) -> Path:
    """A ZIP64 archive of ``count`` empty stored members (300,000 take 25 MB and 1 s to write;
    listing them with ``zipfile`` took 6.7 s)."""
    local, central, offset = [], [], 0
    for index in range(count):
        name = f"m{index}".encode()
        header = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 0, 0, 0, 0, 0, 0, len(name), 0)
        local.append(header + name)
        central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 45, 20, 0, 0, 0, 0, 0, 0,
                                   0, len(name), 0, 0, 0, 0, 0, offset) + name)
        offset += len(header) + len(name)
    directory = b"".join(central)
    end64 = struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, count, count,
                        len(directory), offset)
    locator = struct.pack("<IIQI", 0x07064B50, 0, offset + len(directory), 1)
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    path.write_bytes(b"".join(local) + directory + end64 + locator + end)
    return path


def lying_zip(path: Path, count: int) -> Path:
    """``count`` members whose end record claims one: ``zipfile`` reads the directory by its
    size, so only a bound on that size stops it."""
    many_member_zip(path, count)
    raw = bytearray(path.read_bytes())
    directory_size = struct.unpack("<Q", raw[-22 - 20 - 56 + 40:-22 - 20 - 56 + 48])[0]
    offset = struct.unpack("<Q", raw[-22 - 20 - 56 + 48:-22 - 20 - 56 + 56])[0]
    plain = raw[:-22 - 20 - 56]
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, directory_size, offset, 0)
    path.write_bytes(bytes(plain) + end)
    return path


def billion_laughs(levels: int = 12) -> str:
    """A YAML document whose aliases expand to 10**levels strings in a few hundred bytes."""
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels):
        refs = ", ".join([f"*a{level - 1}"] * 10)
        lines.append(f"a{level}: &a{level} [{refs}]")
    lines.append(f"layers: *a{levels - 1}")
    return "\n".join(lines) + "\n"


def config_json(config: dict | None = None) -> str:
    return json.dumps(config or SMALL_CONFIG)
