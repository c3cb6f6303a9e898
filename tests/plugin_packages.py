"""Installed packages for the plug-in tests: the example plug-in, and packages made on the spot.

A package is "installed" the way pip installs a pure-Python wheel with
``--target``: its modules and a ``<name>-<version>.dist-info`` folder (with
``METADATA`` and ``entry_points.txt``) in a folder on ``sys.path``. That is all
:mod:`importlib.metadata` reads to find entry points.
"""

from __future__ import annotations

import base64
import hashlib
import tomllib
import zipfile
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

__all__ = ["build_wheel", "install_package", "install_wheel"]


def record_line(name: str, data: bytes) -> str:
    """One line of a wheel's RECORD."""
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def _entry_points(points: Mapping[str, Mapping[str, str]]) -> str:
    return "".join(
        f"[{group}]\n" + "".join(f"{key} = {value}\n" for key, value in entries.items())
        for group, entries in points.items()
    )


def _metadata(name: str, version: str) -> bytes:
    return f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode()


def build_wheel(source: Path, into: Path) -> Path:
    """Build a wheel of the plug-in from its pyproject.toml and sources, with zipfile only."""
    project = tomllib.loads((source / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    name, version = project["name"].replace("-", "_"), project["version"]
    dist_info = f"{name}-{version}.dist-info"
    files = {
        path.relative_to(source / "src").as_posix(): path.read_bytes()
        for path in sorted((source / "src").rglob("*.py"))
    }
    files[f"{dist_info}/METADATA"] = _metadata(project["name"], version)
    files[f"{dist_info}/WHEEL"] = (
        b"Wheel-Version: 1.0\nGenerator: releasekit-tests\nRoot-Is-Purelib: true\n"
        b"Tag: py3-none-any\n"
    )
    files[f"{dist_info}/entry_points.txt"] = _entry_points(project["entry-points"]).encode()
    record = [record_line(path, data) for path, data in files.items()]
    files[f"{dist_info}/RECORD"] = ("\n".join([*record, f"{dist_info}/RECORD,,"]) + "\n").encode()
    wheel = into / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, data in files.items():
            archive.writestr(path, data)
    return wheel


def install_wheel(wheel: Path, site: Path) -> Path:
    """Unpack a pure-Python *wheel* into *site*, as ``pip install --target`` does; return *site*."""
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    return site


def install_package(
    site: Path,
    *,
    name: str,
    version: str = "1.0",
    modules: Mapping[str, str],
    entry_points: Mapping[str, Mapping[str, str]],
) -> Path:
    """Write a package's *modules* (file name: source) and its metadata into *site*."""
    site.mkdir(parents=True, exist_ok=True)
    for file, source in modules.items():
        (site / file).write_text(source, encoding="utf-8")
    dist_info = site / f"{name.replace('-', '_')}-{version}.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_bytes(_metadata(name, version))
    (dist_info / "entry_points.txt").write_text(_entry_points(entry_points), encoding="utf-8")
    return site
