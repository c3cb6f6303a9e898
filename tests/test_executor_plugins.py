"""Plug-ins: executors found through the `releasekit.executors` entry-point group."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from importlib import metadata
from pathlib import Path

import pytest

from plugin_packages import build_wheel
from releasekit.exceptions import PluginLoadError
from releasekit.executors import ENTRY_POINT_GROUP, Capability, Notice, Registry, load_plugins

PLUGIN = Path(__file__).parent / "plugins" / "releasekit-example-plugin"


LOAD_AND_CALL = textwrap.dedent(
    """
    import json
    from releasekit.executors import Notice, Registry, load_plugins

    registry = Registry()
    loaded = load_plugins(registry)
    outcome = registry.notifier("production").notify(Notice(message="2.4.0 is live"))
    print(json.dumps({
        "loaded": loaded,
        "executor": type(registry.notifier()).__qualname__,
        "summary": outcome.summary,
        "with_plugins": [r.capability for r in Registry.with_plugins().registrations()],
    }))
    """
)


def test_an_installed_plugin_is_found_and_called(tmp_path: Path) -> None:
    """A wheel installed with pip registers its executor through the entry point, and it runs."""
    wheel = build_wheel(PLUGIN, tmp_path)
    site = tmp_path / "site"
    subprocess.run(  # noqa: S603  # pip, on a wheel this test built
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-index",
            "--no-deps",
            "--no-compile",
            "--disable-pip-version-check",
            "--target",
            str(site),
            str(wheel),
        ],
        check=True,
        timeout=120,
    )
    outbox = tmp_path / "outbox.txt"
    env = os.environ | {"PYTHONPATH": str(site), "EXAMPLE_PLUGIN_OUTBOX": str(outbox)}

    result = subprocess.run(  # noqa: S603  # our own interpreter, our own script
        [sys.executable, "-c", LOAD_AND_CALL],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )

    assert ("", 0) == (result.stderr, result.returncode)
    assert {
        "loaded": ["example"],
        "executor": "ChatNotifier",
        "summary": "posted to #releases: 2.4.0 is live",
        "with_plugins": ["notify"],
    } == json.loads(result.stdout)
    assert "#releases 2.4.0 is live\n" == outbox.read_text(encoding="utf-8")
    assert (site / "releasekit_example_plugin-0.1.0.dist-info" / "entry_points.txt").exists()


def fake_entry_points(monkeypatch: pytest.MonkeyPatch, **points: str) -> list[metadata.EntryPoint]:
    """Make importlib.metadata report *points* (name = "module:attr") in the executors group."""
    entries = [
        metadata.EntryPoint(name=name, value=value, group=ENTRY_POINT_GROUP)
        for name, value in points.items()
    ]

    def entry_points(*, group: str) -> list[metadata.EntryPoint]:
        return [entry for entry in entries if entry.group == group]

    monkeypatch.setattr(metadata, "entry_points", entry_points)
    monkeypatch.syspath_prepend(str(PLUGIN / "src"))
    return entries


def test_plugins_load_in_order_of_their_names(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """load_plugins returns the names it ran, sorted, and the registry holds their executors."""
    fake_entry_points(
        monkeypatch,
        zeta="releasekit_example_plugin:register",
        alpha="releasekit_example_plugin:register",
    )
    monkeypatch.setenv("EXAMPLE_PLUGIN_OUTBOX", str(tmp_path / "outbox"))
    registry = Registry()

    loaded = load_plugins(registry)

    assert ("alpha", "zeta") == loaded
    assert registry.notifier().notify(Notice(message="hi")).ok
    assert (Capability.NOTIFY,) == tuple(r.capability for r in registry.registrations())


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "releasekit_no_such_plugin:register",
            (
                "the executor plug-in 'broken' (releasekit_no_such_plugin:register) could not be "
                "loaded (ModuleNotFoundError: No module named 'releasekit_no_such_plugin'); "
                "reinstall or uninstall it"
            ),
        ),
        (
            "releasekit.executors:ENTRY_POINT_GROUP",
            (
                "the executor plug-in 'broken' (releasekit.executors:ENTRY_POINT_GROUP) is not "
                "callable; its entry point must name a function taking the registry, e.g. "
                "'package:register'"
            ),
        ),
        (
            "json:dumps",
            (
                "the executor plug-in 'broken' (json:dumps) failed to register its executors "
                "(TypeError: Object of type Registry is not JSON serializable); fix or uninstall it"
            ),
        ),
    ],
    ids=["import", "not-callable", "raises"],
)
def test_a_broken_plugin_is_named_in_the_error(
    monkeypatch: pytest.MonkeyPatch, value: str, message: str
) -> None:
    """A plug-in that cannot load or register fails loudly, naming itself."""
    fake_entry_points(monkeypatch, broken=value)

    with pytest.raises(PluginLoadError) as raised:
        Registry.with_plugins()

    error = raised.value
    assert (message, "broken", value) == (str(error), error.plugin, error.value)


def test_without_plugins_the_registry_is_empty(monkeypatch: pytest.MonkeyPatch) -> None:
    """No entry points, no registrations, no error."""
    fake_entry_points(monkeypatch)

    assert () == Registry.with_plugins().registrations()
