"""Custom guards in policy files: only from installed packages, never from code a file names."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pendulum
import pytest

import releasekit as rk
from plugin_packages import build_wheel, install_package, install_wheel
from releasekit._interfaces.cli import main

PLUGIN = Path(__file__).parent / "plugins" / "releasekit-example-plugin"
NOW = pendulum.datetime(2026, 11, 27, 10, 0, tz="UTC")

POLICY = """
[[environments]]
name = "dev"

[[environments]]
name = "prod"
gate = [GUARD]

[[flows]]
kind = "normal"
path = ["dev", "prod"]
"""

MAX_FUNCTIONS = rk.RegisteredGuard(
    name="max-functions",
    value="releasekit_example_plugin.guards:MaxFunctions",
    distribution="releasekit-example-plugin",
    version="0.1.0",
)


def policy_with(guard: str) -> str:
    """A two-environment policy whose production gate holds *guard*."""
    return POLICY.replace("GUARD", guard)


@pytest.fixture(scope="module")
def example_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example plug-in, installed from its wheel into a folder of its own."""
    folder = tmp_path_factory.mktemp("example-plugin")
    return install_wheel(build_wheel(PLUGIN, folder), folder / "site")


@pytest.fixture
def installed(example_site: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The example plug-in is installed: its metadata and modules are on sys.path."""
    monkeypatch.syspath_prepend(str(example_site))
    return example_site


def problems_of(text: str) -> tuple[str, ...]:
    """The problems loads_policy reports for *text*."""
    with pytest.raises(rk.exceptions.PolicyFileError) as caught:
        rk.loads_policy(text, source="releasekit.toml")
    return caught.value.problems


def check_problems_of(text: str) -> tuple[str, ...]:
    """The problems check_policy_text reports for *text*."""
    with pytest.raises(rk.exceptions.PolicyFileError) as caught:
        rk.check_policy_text(text, source="releasekit.toml")
    return caught.value.problems


# -- a file names code: refused, never imported --------------------------------------

MARKER_MODULE = """
from pathlib import Path

Path({marker!r}).write_text("imported")


def make(**_):
    raise SystemExit("a policy file ran this")
"""


@pytest.fixture
def booby_trap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, Path]:
    """A module on sys.path that leaves a marker file behind when it is imported."""
    marker = tmp_path / "imported.txt"
    module = f"trap_{hashlib.sha256(str(tmp_path).encode()).hexdigest()[:8]}"
    (tmp_path / f"{module}.py").write_text(
        MARKER_MODULE.format(marker=str(marker)), encoding="utf-8"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    return module, marker


FACTORY_REFUSED = (
    "environments[1].gate[0].factory: factory = {value} is not read: a policy file never "
    "imports code; register the guard in its package's pyproject.toml under "
    '[project.entry-points."releasekit.guards"] and write guard = "<its registered name>" '
    "instead of factory"
)


def test_a_factory_in_a_file_is_refused_and_never_imported(
    booby_trap: tuple[str, Path],
) -> None:
    """factory = "module:callable" is refused by loads_policy, and the module is not imported."""
    module, marker = booby_trap
    text = policy_with(f'{{ type = "custom", factory = "{module}:make", limit = 3 }}')

    found = problems_of(text)

    assert (FACTORY_REFUSED.format(value=f'"{module}:make"'),) == found
    assert not marker.exists()
    assert module not in sys.modules


@pytest.mark.usefixtures("installed")
def test_a_factory_naming_os_system_is_refused() -> None:
    """factory = "os:system" beside a command is refused, whatever else the table holds."""
    text = policy_with(
        '{ type = "custom", factory = "os:system", command = "touch pwned", '
        'guard = "max-functions" }'
    )

    assert (FACTORY_REFUSED.format(value='"os:system"'),) == problems_of(text)
    assert (FACTORY_REFUSED.format(value='"os:system"'),) == check_problems_of(text)


@pytest.mark.parametrize("load_plugins", [False, True], ids=["check", "load-plugins"])
def test_policy_check_never_imports_a_factory(
    booby_trap: tuple[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    *,
    load_plugins: bool,
) -> None:
    """`policy check` (even with --load-plugins) refuses the file and imports nothing it names."""
    module, marker = booby_trap
    monkeypatch.chdir(tmp_path)
    Path("releasekit.toml").write_text(
        policy_with(f'{{ type = "custom", factory = "{module}:make" }}'), encoding="utf-8"
    )

    code = main(["--json", "policy", "check", *(["--load-plugins"] * load_plugins)])

    document = json.loads(capsys.readouterr().out)
    assert (1, False, [FACTORY_REFUSED.format(value=f'"{module}:make"')]) == (
        code,
        document["valid"],
        document["problems"],
    )
    assert not marker.exists()


# -- a registered guard ------------------------------------------------------------------


@pytest.mark.usefixtures("installed")
def test_a_registered_guard_named_in_a_file_guards_the_step() -> None:
    """guard = "max-functions" builds the package's guard with the table's other keys."""
    policy = rk.loads_policy(policy_with('{ type = "custom", guard = "max-functions", limit = 1 }'))
    engine = rk.Engine(policy)
    release = engine.start(
        release_id="r1",
        version="1.0",
        kind="normal",
        by="lea",
        now=NOW,
        artifact=rk.Artifact(functions=["quote", "chart"]),
    )

    (step,) = policy.steps("normal")
    blockers = engine.explain(release, now=NOW).blockers

    assert ("max-functions", "at most 1 functions") == (
        step.guards[-1].code,
        step.guards[-1].describe(),
    )
    assert [("max-functions", "2 functions change at once; the limit is 1")] == [
        (blocker.code, blocker.message) for blocker in blockers
    ]


@pytest.mark.usefixtures("installed")
def test_check_policy_names_the_package_behind_each_guard() -> None:
    """check_policy_text lists the registered guards the file names, with their packages."""
    checked = rk.check_policy_text(
        policy_with('{ type = "custom", guard = "max-functions", limit = 1 }'), source="team.toml"
    )

    assert (
        rk.PolicyCheck(
            source="team.toml",
            name="policy",
            environments=("dev", "prod"),
            kinds=(rk.ReleaseKind.NORMAL,),
            guards=(MAX_FUNCTIONS,),
            guards_loaded=False,
        )
        == checked
    )


@pytest.mark.usefixtures("installed")
def test_check_policy_leaves_parameters_to_the_guard_unless_asked_to_load_it() -> None:
    """A parameter the guard refuses passes a plain check and fails with load_guards=True."""
    text = policy_with('{ type = "custom", guard = "max-functions", limit = "three" }')

    plain = rk.check_policy_text(text)
    with pytest.raises(rk.exceptions.PolicyFileError) as caught:
        rk.check_policy_text(text, load_guards=True)

    assert (MAX_FUNCTIONS,) == plain.guards
    (problem,) = caught.value.problems
    assert problem.startswith(
        "environments[1].gate[0]: the guard 'max-functions' (releasekit-example-plugin 0.1.0) "
        "refused its parameters (limit): TypeError: 'limit' must be <class 'int'>"
    )
    assert caught.value.problems == problems_of(text)


@pytest.mark.usefixtures("installed")
@pytest.mark.parametrize(
    ("name", "hint"),
    [
        ("max-function", "did you mean 'max-functions'? "),
        ("Max-Functions", "did you mean 'max-functions'? "),
        ("max functions", "did you mean 'max-functions'? "),
        ("security-review", ""),
    ],
)
def test_an_unregistered_guard_lists_the_registered_ones(name: str, hint: str) -> None:
    """A name no package registers (capitals, spaces) is refused, naming those that are."""
    text = policy_with(f'{{ type = "custom", guard = "{name}" }}')
    expected = (
        (
            f'environments[1].gate[0].guard: no installed package registers a guard "{name}"; '
            f"{hint}the installed guards are 'max-functions' (releasekit-example-plugin 0.1.0); "
            "install the package that provides it (entry-point group releasekit.guards)"
        ),
    )

    assert expected == problems_of(text)
    assert expected == check_problems_of(text)


def test_without_installed_guards_the_error_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    """With no package registering guards, the error says none are installed."""
    monkeypatch.setattr("importlib.metadata.entry_points", lambda **_: [])

    assert (
        (
            "environments[1].gate[0].guard: no installed package registers a guard "
            '"max-functions"; '
            "no guards are installed; install the package that provides it "
            "(entry-point group releasekit.guards)"
        ),
    ) == check_problems_of(policy_with('{ type = "custom", guard = "max-functions" }'))


@pytest.mark.usefixtures("installed")
@pytest.mark.parametrize(
    ("table", "problem"),
    [
        (
            '{ type = "custom" }',
            (
                "environments[1].gate[0].guard: a custom guard names an installed guard by its "
                'registered name, e.g. guard = "<name>"'
            ),
        ),
        (
            '{ type = "custom", guard = ["max-functions"] }',
            (
                'environments[1].gate[0].guard: ["max-functions"] is not the name of an installed '
                'guard; write its name in quotes, e.g. guard = "max-functions"'
            ),
        ),
    ],
    ids=["missing", "a-list"],
)
def test_the_guard_key_is_a_registered_name(table: str, problem: str) -> None:
    """A custom guard without a name, or with a name that is not a string, is refused."""
    assert (problem,) == check_problems_of(policy_with(table))


def test_a_guard_two_packages_register_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same name from two packages is ambiguous: the policy would not say which code runs."""
    for name in ("team-a", "team-b"):
        install_package(
            tmp_path / name,
            name=name,
            modules={},
            entry_points={"releasekit.guards": {"ticket": f"{name.replace('-', '_')}:make"}},
        )
        monkeypatch.syspath_prepend(str(tmp_path / name))
    text = policy_with('{ type = "custom", guard = "ticket" }')
    expected = (
        (
            "environments[1].gate[0].guard: several installed packages register a guard 'ticket': "
            "'ticket' (team-a 1.0), 'ticket' (team-b 1.0); uninstall all but one, so the policy "
            "means one piece of code"
        ),
    )

    assert expected == tuple(sorted(check_problems_of(text)))
    assert expected == problems_of(text)


BROKEN_GUARDS = """
import releasekit as rk


def not_a_guard(**_):
    return 42


NOT_CALLABLE = "ticket"


def ticket(*, project):
    return rk.guards.AttestationPresent(name="ticket", code=f"ticket-{project}")
"""


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (
            "no_such_module_anywhere:make",
            (
                "environments[1].gate[0].guard: the guard 'broken' (team-guards 1.0) could not be "
                "loaded from no_such_module_anywhere:make (ModuleNotFoundError: No module named "
                "'no_such_module_anywhere'); reinstall or uninstall its package"
            ),
        ),
        (
            "team_guards_broken:NOT_CALLABLE",
            (
                "environments[1].gate[0].guard: the guard 'broken' (team-guards 1.0) points at "
                "team_guards_broken:NOT_CALLABLE, which is not callable; its entry point must name "
                "a function or class that returns a guard"
            ),
        ),
        (
            "team_guards_broken:not_a_guard",
            (
                "environments[1].gate[0].guard: the guard 'broken' (team-guards 1.0) returned 42, "
                "which is not a guard (it needs code, kind, check(), describe() and "
                "environments()); "
                "fix or uninstall its package"
            ),
        ),
        (
            "team_guards_broken:ticket",
            (
                "environments[1].gate[0]: the guard 'broken' (team-guards 1.0) refused its "
                "parameters (none): TypeError: ticket() missing 1 required keyword-only argument: "
                "'project'"
            ),
        ),
    ],
    ids=["import", "not-callable", "not-a-guard", "parameters"],
)
def test_a_guard_that_cannot_be_built_is_a_policy_file_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str, problem: str
) -> None:
    """Whatever goes wrong loading a registered guard is reported with its path."""
    install_package(
        tmp_path,
        name="team-guards",
        modules={"team_guards_broken.py": BROKEN_GUARDS},
        entry_points={"releasekit.guards": {"broken": value}},
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    text = policy_with('{ type = "custom", guard = "broken" }')

    assert (problem,) == problems_of(text)
    assert ("broken",) == tuple(guard.name for guard in rk.check_policy_text(text).guards)


# -- the command line ------------------------------------------------------------------


CHECK_AND_REPORT_IMPORTS = textwrap.dedent(
    """
    import sys
    from releasekit._interfaces.cli import main

    code = main(sys.argv[1:])
    imported = sorted(name for name in sys.modules if name.startswith("releasekit_example"))
    print(code, imported, file=sys.stderr)
    """
)


@pytest.mark.parametrize(
    ("options", "imported"),
    [
        ((), "[]"),
        (("--load-plugins",), "['releasekit_example_plugin', 'releasekit_example_plugin.guards']"),
    ],
    ids=["check", "load-plugins"],
)
def test_policy_check_imports_a_registered_guard_only_when_asked(
    example_site: Path, tmp_path: Path, options: tuple[str, ...], imported: str
) -> None:
    """`policy check` reads the guard's metadata only; --load-plugins imports and builds it."""
    policy = tmp_path / "releasekit.toml"
    policy.write_text(policy_with('{ type = "custom", guard = "max-functions", limit = 3 }'))

    result = subprocess.run(  # noqa: S603  # this interpreter, a fixed script
        [sys.executable, "-c", CHECK_AND_REPORT_IMPORTS, "policy", "check", *options, str(policy)],
        env=os.environ | {"PYTHONPATH": str(example_site)},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )

    state = (
        "loaded and built"
        if options
        else "registered; not loaded, so its parameters are unchecked (--load-plugins checks them)"
    )
    assert (
        (
            f"{policy}: valid; policy 'policy': dev -> prod; flows normal\n"
            "  guard 'max-functions' (releasekit-example-plugin 0.1.0) at "
            f"releasekit_example_plugin.guards:MaxFunctions: {state}\n"
        ),
        f"0 {imported}\n",
    ) == (result.stdout, result.stderr)


@pytest.mark.usefixtures("installed")
def test_policy_check_json_lists_the_guards(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`policy check --json` names each guard, its entry point and package, and if it was built."""
    monkeypatch.chdir(tmp_path)
    Path("team.toml").write_text(
        policy_with('{ type = "custom", guard = "max-functions", limit = 3 }')
    )

    code = main(["--json", "policy", "check", "team.toml"])

    document = json.loads(capsys.readouterr().out)
    assert (0, False) == (code, document["guards_loaded"])
    assert [
        {
            "name": "max-functions",
            "value": "releasekit_example_plugin.guards:MaxFunctions",
            "distribution": "releasekit-example-plugin",
            "version": "0.1.0",
        }
    ] == document["guards"]


WINDOW_GUARD = """
import releasekit as rk


def inside(*, window):
    return rk.guards.InsideWindow(window=window, code="team-window")
"""


def test_a_window_key_of_a_custom_guard_names_a_window_of_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """window = "<name>" reaches a custom guard as the Window the file defines under that name."""
    install_package(
        tmp_path,
        name="team-windows",
        modules={"team_windows.py": WINDOW_GUARD},
        entry_points={"releasekit.guards": {"inside": "team_windows:inside"}},
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    text = policy_with('{ type = "custom", guard = "inside", window = "release" }') + (
        '\n[windows.release]\ntimezone = "Europe/Berlin"\ndays = ["Tue"]\n'
        'start = "10:00"\nend = "12:00"\n'
    )

    (step,) = rk.loads_policy(text).steps("normal")

    guard = step.guards[-1]
    assert isinstance(guard, rk.guards.InsideWindow)
    assert ("team-window", "Europe/Berlin") == (guard.code, guard.window.timezone)
    assert (
        (
            "environments[1].gate[0].window: there is no window 'releases'; define "
            "[windows.releases] (defined: release)"
        ),
    ) == problems_of(text.replace('window = "release"', 'window = "releases"'))
