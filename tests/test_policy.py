import datetime as dt

import pytest

import releasekit as rk
from releasekit import guards


def envs(*names: str) -> tuple[rk.Environment, ...]:
    return tuple(rk.Environment(name=name) for name in names)


def build(**overrides: object) -> rk.Policy:
    parts: dict[str, object] = {
        "environments": envs("dev", "qa", "prod"),
        "gates": (rk.Gate(environment="qa", guards=(guards.TestsPassed(environment="dev"),)),),
        "flows": (rk.Flow(kind="normal", path=("dev", "qa", "prod")),),
    }
    parts.update(overrides)
    return rk.Policy(**parts)  # type: ignore[arg-type]


def problems(**overrides: object) -> tuple[str, ...]:
    with pytest.raises(rk.exceptions.PolicyError) as caught:
        build(**overrides)
    return caught.value.problems


def test_a_consistent_policy_builds_its_steps() -> None:
    """Each flow becomes its chain of steps, the owner guard first."""
    policy = build()

    steps = policy.steps("normal")

    assert [("dev", "qa"), ("qa", "prod")] == [(s.source, s.target) for s in steps]
    assert ["owner-only", "tests-passed"] == [g.code for g in steps[0].guards]


def test_duplicate_environment_names_are_refused() -> None:
    """Two environments with one name are reported."""
    assert ["environment 'qa' is defined 2 times; names must be unique"] == list(
        problems(environments=envs("dev", "qa", "qa", "prod"))
    )


def test_a_gate_naming_a_missing_environment_is_refused() -> None:
    """A gate for an environment that does not exist is reported by name."""
    found = problems(gates=(rk.Gate(environment="staging", guards=()),))

    assert ["a gate names environment 'staging', which is not defined"] == list(found)


def test_a_guard_naming_a_missing_environment_is_refused() -> None:
    """A guard reading evidence of an unknown environment is reported."""
    gate = rk.Gate(environment="qa", guards=(guards.SignedOff(environment="uat"),))

    (problem,) = problems(gates=(gate,))

    assert "'uat'" in problem
    assert "signed-off" in problem


def test_a_gate_on_the_first_environment_is_refused() -> None:
    """Nothing ever enters the first environment by promotion, so its gate would never run."""
    (problem,) = problems(gates=(rk.Gate(environment="dev", guards=()),))

    assert "can never run" in problem


def test_an_unreachable_environment_is_refused() -> None:
    """An environment no flow visits is reported."""
    (problem,) = problems(environments=envs("dev", "qa", "uat", "prod"))

    assert "'uat' is on no flow" in problem


def test_a_flow_against_the_promotion_order_is_refused() -> None:
    """A flow may not go backwards."""
    found = problems(flows=(rk.Flow(kind="normal", path=("dev", "prod", "qa")),))

    assert any("against the promotion order" in p for p in found)


def test_a_flow_must_start_first_and_end_last() -> None:
    """A flow that stops before production is reported."""
    found = problems(flows=(rk.Flow(kind="normal", path=("dev", "qa")),))

    assert "the normal flow ends at 'qa'; every flow ends at 'prod'" in found


def test_two_flows_for_one_kind_are_refused() -> None:
    """Each kind of release has one flow."""
    flow = rk.Flow(kind="normal", path=("dev", "qa", "prod"))

    assert ["kind 'normal' has 2 flows; give each kind of release one flow"] == list(
        problems(flows=(flow, flow))
    )


def test_lifting_an_evidence_guard_is_refused() -> None:
    """A hotfix may lift the window, never the tests."""
    flows = (
        rk.Flow(kind="normal", path=("dev", "qa", "prod")),
        rk.Flow(kind="hotfix", path=("dev", "qa", "prod"), lifts=("tests-passed",)),
    )

    (problem,) = problems(flows=flows)

    assert "a flow may lift only time guards" in problem


def test_lifting_an_unknown_guard_is_refused() -> None:
    """Lifting a code no step has is reported."""
    flows = (rk.Flow(kind="normal", path=("dev", "qa", "prod"), lifts=("window",)),)

    (problem,) = problems(flows=flows)

    assert "lifts guard 'window', which none of its steps has" in problem


def test_duplicate_guard_codes_in_one_gate_are_refused() -> None:
    """Two guards with one code in a gate would make blockers ambiguous."""
    gate = rk.Gate(
        environment="qa",
        guards=(guards.SignedOff(environment="dev"), guards.SignedOff(environment="dev")),
    )

    (problem,) = problems(gates=(gate,))

    assert "'signed-off' appears 2 times" in problem


def test_a_restore_source_must_exist() -> None:
    """An environment restorable from an unknown one is reported."""
    environments = (
        rk.Environment(name="dev", data=rk.DataLifecycle(restorable_from=("backup",))),
        *envs("qa", "prod"),
    )

    (problem,) = problems(environments=environments)

    assert "'backup'" in problem


def test_every_problem_is_reported_at_once() -> None:
    """Several mistakes give one error listing each."""
    found = problems(
        environments=envs("dev", "qa", "qa", "prod"),
        gates=(rk.Gate(environment="staging", guards=()),),
    )

    assert 2 == len(found)


def test_a_non_guard_in_a_gate_is_refused() -> None:
    """Something without the guard interface is named."""
    (problem,) = problems(gates=(rk.Gate(environment="qa", guards=("tests",)),))  # type: ignore[arg-type]

    assert "not a guard" in problem


def test_a_policy_without_environments_is_refused() -> None:
    """An empty policy is reported as such."""
    assert ["it has no environments; list them in promotion order"] == list(
        problems(environments=(), gates=(), flows=())
    )


def test_policy_error_reads_as_a_sentence() -> None:
    """The error's text names each problem."""
    flow = rk.Flow(kind="normal", path=("dev", "qa", "prod"))

    with pytest.raises(
        rk.exceptions.PolicyError, match="the policy is invalid: kind 'normal' has 2 flows"
    ):
        build(flows=(flow, flow))


def test_looking_up_an_unknown_environment_lists_the_known_ones() -> None:
    """policy.environment() names the environments that exist."""
    with pytest.raises(rk.exceptions.InvalidInputError, match="dev, qa, prod"):
        build().environment("uat")


def test_looking_up_a_missing_flow_is_refused() -> None:
    """A policy without a hotfix flow says so."""
    with pytest.raises(rk.exceptions.InvalidInputError, match="no hotfix flow"):
        build().flow("hotfix")


def test_a_hotfix_flow_keeps_the_lifted_guard_aside() -> None:
    """The hotfix step into production carries the window as lifted, not as a guard."""
    policy = rk.reference_policy(log_review_max_age=dt.timedelta(hours=2))

    (last,) = policy.remaining_steps("hotfix", "stage")

    assert ["production-window"] == [g.code for g in last.lifted]
    assert "production-window" not in [g.code for g in last.guards]
