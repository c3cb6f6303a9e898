"""Data operations: adjustments verified by others and run by one operator; restores."""

import json
import sys
from pathlib import Path

import attrs
import pendulum
import pytest

import releasekit as rk
from fake_dt import write_fake_dt
from releasekit import executors
from releasekit._actions.data import (
    DataOperation,
    DataOperationKind,
    DataOperationStatus,
    DataVerification,
    fingerprint,
)
from releasekit._actions.data_checks import check_execution
from releasekit._records.converter import structure, unstructure
from releasekit.exceptions import (
    DataOperationRefusedError,
    ExecutorNotAllowedError,
    UnknownDataOperationError,
)

FRIDAY = pendulum.datetime(2026, 11, 27, 10, 0, tz="UTC")
ARGUMENTS = ("AAPL", "2026-11-26", "187.20; rm -rf /")


@pytest.fixture(name="clock")
def fixture_clock() -> rk.FixedClock:
    return rk.FixedClock(FRIDAY)


@pytest.fixture(name="recorder")
def fixture_recorder() -> executors.DryRunExecutor:
    return executors.DryRunExecutor()


@pytest.fixture(name="fake_dt")
def fixture_fake_dt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fake dt written as tmp_path/dt; each call's arguments are appended to the returned file."""
    write_fake_dt(tmp_path)
    calls = tmp_path / "argv.jsonl"
    monkeypatch.setenv("FAKE_DT_ARGV", str(calls))
    return calls


@pytest.fixture(name="desk")
def fixture_desk(clock: rk.FixedClock, recorder: executors.DryRunExecutor) -> rk.Desk:
    """A dry-run desk: fine for everything but running adjustments."""
    return rk.Desk(rk.reference_policy(), executors=executors.dry_run(recorder), clock=clock)


@pytest.fixture(name="dt_desk")
def fixture_dt_desk(
    clock: rk.FixedClock, recorder: executors.DryRunExecutor, fake_dt: Path
) -> rk.Desk:
    """A dry-run desk whose production data adjustments run through the (fake) dt."""
    registry = executors.dry_run(recorder)
    program = fake_dt.parent / "dt"
    registry.register(
        "adjust-data", executors.DtExecutor(program=str(program)), environment="production"
    )
    return rk.Desk(rk.reference_policy(), executors=registry, clock=clock)


def request(desk: rk.Desk) -> DataOperation:
    return desk.data.request_adjustment(
        "production", "fix-prices", ARGUMENTS, by="olga", reason="yesterday's close is wrong"
    )


def verified(desk: rk.Desk, *people: str) -> DataOperation:
    operation = request(desk)
    for person in people:
        operation = desk.data.verify_adjustment(operation.id, by=person)
    return operation


def state(desk: rk.Desk) -> dict[str, tuple[int, str]]:
    """Every data history's revision and head: equal before and after means nothing changed."""
    found = {}
    for stream in desk.store.streams(prefix="data:"):
        snapshot = desk.store.snapshot(stream)
        assert snapshot is not None
        found[stream] = (snapshot.revision, snapshot.head)
    return found


def steps(desk: rk.Desk, operation_id: str) -> list[str]:
    return [event.data["step"] for event in desk.data.history(operation_id)]


# ---------------------------------------------------------------------------
# The values
# ---------------------------------------------------------------------------


def test_the_fingerprint_binds_every_argument_exactly() -> None:
    """One argument "a b" and two arguments "a", "b" are different operations."""
    assert fingerprint("production", "op", ("a b",)) != fingerprint("production", "op", ("a", "b"))
    assert fingerprint("production", "op", ("a",)) != fingerprint("stage", "op", ("a",))


def test_a_data_operation_survives_the_converter() -> None:
    """A DataOperation with verifications round-trips through its JSON form."""
    operation = DataOperation(
        id="adjustment-1",
        kind=DataOperationKind.ADJUSTMENT,
        environment="production",
        operation="fix-prices",
        arguments=ARGUMENTS,
        requested_by="olga",
        requested_at=FRIDAY,
        reason="wrong close",
        status=DataOperationStatus.FAILED,
        verifications=(DataVerification(by="ivan", at=FRIDAY, fingerprint="f" * 64, voided=True),),
        finished_at=FRIDAY,
        command=("dt", "data"),
    )

    assert operation == structure(json.loads(json.dumps(unstructure(operation))), DataOperation)


# ---------------------------------------------------------------------------
# Requesting
# ---------------------------------------------------------------------------


def test_a_request_starts_its_own_history(desk: rk.Desk) -> None:
    """The adjustment is stored as data:adjustment-1, requested, with nobody's verification."""
    operation = request(desk)

    assert ("adjustment-1", "data:adjustment-1", DataOperationStatus.REQUESTED, ()) == (
        operation.id,
        operation.stream,
        operation.status,
        operation.verifications,
    )
    assert [operation] == desk.data.operations()
    assert operation == desk.data.get("adjustment-1")
    (event,) = desk.data.history(operation.id)
    assert ("olga", "requested", operation.fingerprint, list(ARGUMENTS)) == (
        event.actor,
        event.data["step"],
        event.data["fingerprint"],
        event.data["arguments"],
    )


def test_an_environment_without_an_adjustment_rule_refuses_adjustments(desk: rk.Desk) -> None:
    """Stage's data may not be adjusted by hand: the refusal says so and stores nothing."""
    with pytest.raises(DataOperationRefusedError) as caught:
        desk.data.request_adjustment("stage", "fix-prices", (), by="olga", reason="x")

    error = caught.value
    assert ("not-adjustable", "stage", None, "olga") == (
        error.reason,
        error.environment,
        error.operation_id,
        error.actor,
    )
    assert str(error).startswith("the policy does not allow adjusting data in stage by hand")
    assert isinstance(error, rk.exceptions.NotPermittedError)
    assert {} == state(desk)


def test_unknown_operations_are_reported(desk: rk.Desk) -> None:
    """Asking for an operation that does not exist names its id."""
    with pytest.raises(UnknownDataOperationError) as caught:
        desk.data.verify_adjustment("adjustment-9", by="ivan")

    assert "adjustment-9" == caught.value.operation_id


# ---------------------------------------------------------------------------
# Verifying
# ---------------------------------------------------------------------------


def test_verifications_by_two_other_people_are_recorded(desk: rk.Desk) -> None:
    """ivan and maria verify; each verification holds the operation's fingerprint."""
    operation = verified(desk, "ivan", "maria")

    assert (("ivan", "maria"), {operation.fingerprint}) == (
        operation.verifiers,
        {item.fingerprint for item in operation.verifications},
    )
    assert ["requested", "verified", "verified"] == steps(desk, operation.id)


@pytest.mark.parametrize(
    ("verifier", "reason"),
    [("olga", "requester-verifies"), ("data-operator", "operator-verifies")],
)
def test_neither_the_requester_nor_the_operator_may_verify(
    desk: rk.Desk, verifier: str, reason: str
) -> None:
    """The requester and the operator are refused, with who they are and why; nothing changes."""
    operation = request(desk)
    before = state(desk)

    with pytest.raises(DataOperationRefusedError) as caught:
        desk.data.verify_adjustment(operation.id, by=verifier)

    error = caught.value
    assert (reason, operation.id, "production", verifier, "verify a data adjustment") == (
        error.reason,
        error.operation_id,
        error.environment,
        error.actor,
        error.action,
    )
    assert "neither its requester (olga) nor the operator (data-operator)" in str(error)
    assert before == state(desk)


def test_one_person_verifies_once(desk: rk.Desk) -> None:
    """A second verification by ivan is refused: verifiers must be distinct people."""
    operation = verified(desk, "ivan")
    before = state(desk)

    with pytest.raises(DataOperationRefusedError) as caught:
        desk.data.verify_adjustment(operation.id, by="ivan")

    assert ("already-verified", "ivan") == (caught.value.reason, caught.value.actor)
    assert before == state(desk)


@pytest.mark.parametrize("again", ["IVAN", " ivan ", "Ivan\u00a0", "\uff29van"])
def test_one_person_is_one_verifier_however_the_name_is_typed(desk: rk.Desk, again: str) -> None:
    """ivan verifying again as 'IVAN', ' ivan ', 'Ivan' + NBSP or in full-width is refused."""
    operation = verified(desk, "ivan")
    before = state(desk)

    with pytest.raises(DataOperationRefusedError) as caught:
        desk.data.verify_adjustment(operation.id, by=again)

    assert ("already-verified", "ivan") == (caught.value.reason, caught.value.actor)
    assert (("ivan",), before) == (desk.data.get(operation.id).verifiers, state(desk))


def test_four_spellings_of_ivan_never_let_an_adjustment_run(
    dt_desk: rk.Desk, fake_dt: Path
) -> None:
    """ivan, IVAN, ' ivan ' and Ivan+NBSP are one verifier: the operator may not run it."""
    operation = request(dt_desk)
    dt_desk.data.verify_adjustment(operation.id, by="ivan")
    for again in ("IVAN", " ivan ", "Ivan\u00a0"):
        with pytest.raises(DataOperationRefusedError):
            dt_desk.data.verify_adjustment(operation.id, by=again)

    with pytest.raises(DataOperationRefusedError) as caught:
        dt_desk.data.execute_adjustment(operation.id, by="data-operator")

    assert "not-verified" == caught.value.reason
    assert "has 1 of the 2 verifications it needs" in str(caught.value)
    assert False is fake_dt.exists()


def test_a_requester_may_not_verify_her_own_request_by_capitalising_her_name(
    desk: rk.Desk,
) -> None:
    """maria asks; 'Maria' verifying it is maria verifying her own request: refused."""
    operation = desk.data.request_adjustment(
        "production", "fix-prices", ARGUMENTS, by="maria", reason="wrong close"
    )
    before = state(desk)

    with pytest.raises(DataOperationRefusedError) as caught:
        desk.data.verify_adjustment(operation.id, by="Maria")

    assert ("requester-verifies", "maria") == (caught.value.reason, caught.value.actor)
    assert before == state(desk)


@pytest.mark.parametrize("operator", ["DATA-OPERATOR", " data-operator"])
def test_the_operator_may_not_verify_under_another_spelling(desk: rk.Desk, operator: str) -> None:
    """The operator typed in capitals, or with a space, is still the operator."""
    operation = request(desk)

    with pytest.raises(DataOperationRefusedError) as caught:
        desk.data.verify_adjustment(operation.id, by=operator)

    assert "operator-verifies" == caught.value.reason


def test_the_operator_runs_an_adjustment_under_any_spelling_of_the_name(dt_desk: rk.Desk) -> None:
    """'Data-Operator' is the operator: the run is recorded under its identity."""
    operation = verified(dt_desk, "ivan", "maria")

    done = dt_desk.data.execute_adjustment(operation.id, by="Data-Operator")

    assert (DataOperationStatus.EXECUTED, "data-operator") == (done.status, done.executed_by)


@pytest.mark.parametrize("who", ["", "   ", "iv\u200ban", "ivan\n"])
def test_a_verifier_who_is_no_one_is_refused_and_nothing_changes(desk: rk.Desk, who: str) -> None:
    """An empty name, or one with a zero-width space or a newline, is bad input, not a verifier."""
    operation = request(desk)
    before = state(desk)

    with pytest.raises(rk.exceptions.InvalidInputError) as caught:
        desk.data.verify_adjustment(operation.id, by=who)

    assert "by" == caught.value.field
    assert before == state(desk)


def test_verifiers_of_a_store_written_before_identities_count_once() -> None:
    """A stored operation verified by 'Ivan' and 'ivan' reads back as one verifier, not two."""
    operation = request(rk.Desk(rk.reference_policy(), clock=rk.FixedClock(FRIDAY)))
    stored = unstructure(operation)
    stored["verifications"] = [
        {"by": name, "at": "2026-11-27T10:00:00+00:00", "fingerprint": operation.fingerprint}
        for name in ("Ivan", "ivan")
    ]

    read = structure(stored, DataOperation)

    assert (("ivan",), 2) == (read.verifiers, len(read.counted))
    rule = rk.reference_policy().environment("production").data_adjustments
    assert rule is not None
    with pytest.raises(DataOperationRefusedError, match="has 1 of the 2 verifications"):
        check_execution(read, rule, actor="data-operator")


def test_a_verification_beyond_the_maximum_is_refused(desk: rk.Desk) -> None:
    """Three verifications is the most the reference policy asks for; a fourth is refused."""
    operation = verified(desk, "ivan", "maria", "anton")
    before = state(desk)

    with pytest.raises(DataOperationRefusedError) as caught:
        desk.data.verify_adjustment(operation.id, by="pavel")

    assert ("enough-verifications", "pavel") == (caught.value.reason, caught.value.actor)
    assert "data-operator can run it now" in str(caught.value)
    assert before == state(desk)


def test_a_verification_of_what_the_verifier_did_not_read_is_refused(desk: rk.Desk) -> None:
    """Passing a stale fingerprint (the operation was amended since) is refused."""
    operation = request(desk)
    seen = operation.fingerprint
    desk.data.amend_adjustment(operation.id, by="olga", arguments=("AAPL", "2026-11-26", "187.21"))
    before = state(desk)

    with pytest.raises(DataOperationRefusedError) as caught:
        desk.data.verify_adjustment(operation.id, by="ivan", fingerprint=seen)

    assert ("changed", "ivan") == (caught.value.reason, caught.value.actor)
    assert before == state(desk)


# ---------------------------------------------------------------------------
# Amending
# ---------------------------------------------------------------------------


def test_amending_the_arguments_voids_earlier_verifications(desk: rk.Desk) -> None:
    """After an amendment the two verifications stay in the history but no longer count."""
    operation = verified(desk, "ivan", "maria")

    amended = desk.data.amend_adjustment(
        operation.id, by="olga", arguments=("AAPL", "2026-11-26", "187.21"), reason="typo"
    )

    assert ((), 2, True) == (
        amended.counted,
        len(amended.verifications),
        all(item.voided for item in amended.verifications),
    )
    assert amended.fingerprint != operation.fingerprint
    assert "amended" == steps(desk, operation.id)[-1]
    assert 2 == desk.data.history(operation.id)[-1].data["voided"]
    again = desk.data.verify_adjustment(operation.id, by="ivan")
    assert ("ivan",) == again.verifiers


def test_amending_back_does_not_revive_voided_verifications(desk: rk.Desk) -> None:
    """Changing the arguments and then changing them back still needs fresh verifications."""
    operation = verified(desk, "ivan", "maria")
    desk.data.amend_adjustment(operation.id, by="olga", arguments=("MSFT",))

    back = desk.data.amend_adjustment(operation.id, by="olga", arguments=ARGUMENTS)

    assert (operation.fingerprint, ()) == (back.fingerprint, back.counted)


def test_only_the_requester_amends(desk: rk.Desk) -> None:
    """ivan may not change olga's adjustment; nothing changes."""
    operation = request(desk)
    before = state(desk)

    with pytest.raises(DataOperationRefusedError) as caught:
        desk.data.amend_adjustment(operation.id, by="ivan", arguments=("MSFT",))

    assert ("not-requester", ("olga",)) == (caught.value.reason, caught.value.allowed)
    assert before == state(desk)


def test_an_amendment_that_changes_nothing_is_refused(desk: rk.Desk) -> None:
    """Amending to the same arguments would void verifications for nothing."""
    operation = verified(desk, "ivan")
    before = state(desk)

    with pytest.raises(rk.exceptions.InvalidInputError) as caught:
        desk.data.amend_adjustment(operation.id, by="olga", arguments=ARGUMENTS)

    assert "arguments" == caught.value.field
    assert before == state(desk)


# ---------------------------------------------------------------------------
# Executing
# ---------------------------------------------------------------------------


def test_the_operator_runs_a_verified_adjustment_through_dt(
    dt_desk: rk.Desk, fake_dt: Path
) -> None:
    """The real dt program gets each argument as one argument; the operation is executed."""
    operation = verified(dt_desk, "ivan", "maria")

    executed = dt_desk.data.execute_adjustment(operation.id, by="data-operator")

    argv = [json.loads(line) for line in fake_dt.read_text(encoding="utf-8").splitlines()]
    assert [["data", "adjust", "production", "fix-prices", *ARGUMENTS]] == argv
    assert (DataOperationStatus.EXECUTED, "data-operator", FRIDAY) == (
        executed.status,
        executed.executed_by,
        executed.finished_at,
    )
    assert executed.summary.startswith("`dt data adjust production fix-prices AAPL")
    assert ["requested", "verified", "verified", "started", "executed"] == steps(
        dt_desk, operation.id
    )
    history = dt_desk.data.history(operation.id)
    assert (["ivan", "maria"], "running", "executed") == (
        history[3].data["verifiers"],
        history[3].target,
        history[4].target,
    )
    assert dt_desk.store.verify(operation.stream).ok


def test_a_failed_adjustment_is_recorded_and_may_run_again(
    dt_desk: rk.Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When dt fails the operation is failed, the error raised; a later run can succeed."""
    operation = verified(dt_desk, "ivan", "maria")
    monkeypatch.setenv("FAKE_DT_EXIT", "3")
    monkeypatch.setenv("FAKE_DT_LAST", "price table locked")

    with pytest.raises(rk.exceptions.ExecutorFailedError, match="price table locked") as caught:
        dt_desk.data.execute_adjustment(operation.id, by="data-operator")

    failed = dt_desk.data.get(operation.id)
    assert ((DataOperationStatus.FAILED, 3), "adjust-data") == (
        (failed.status, caught.value.exit_code),
        caught.value.capability,
    )
    monkeypatch.delenv("FAKE_DT_EXIT")
    again = dt_desk.data.execute_adjustment(operation.id, by="data-operator")
    assert ["started", "failed", "started", "executed"] == steps(dt_desk, operation.id)[-4:]
    assert DataOperationStatus.EXECUTED == again.status


def test_only_the_operator_runs_an_adjustment(dt_desk: rk.Desk, fake_dt: Path) -> None:
    """maria, though she verified it, may not run it; nothing runs or changes."""
    operation = verified(dt_desk, "ivan", "maria")
    before = state(dt_desk)

    with pytest.raises(DataOperationRefusedError) as caught:
        dt_desk.data.execute_adjustment(operation.id, by="maria")

    assert ("not-operator", ("data-operator",), "maria") == (
        caught.value.reason,
        caught.value.allowed,
        caught.value.actor,
    )
    assert (before, False) == (state(dt_desk), fake_dt.exists())


def test_an_adjustment_with_too_few_verifications_does_not_run(
    dt_desk: rk.Desk, fake_dt: Path
) -> None:
    """One verification is not enough: the operator is told how many more are needed."""
    operation = verified(dt_desk, "ivan")
    before = state(dt_desk)

    with pytest.raises(DataOperationRefusedError) as caught:
        dt_desk.data.execute_adjustment(operation.id, by="data-operator")

    assert ("not-verified", operation.id) == (caught.value.reason, caught.value.operation_id)
    assert "has 1 of the 2 verifications it needs" in str(caught.value)
    assert (before, False) == (state(dt_desk), fake_dt.exists())


def test_voided_verifications_do_not_let_an_adjustment_run(dt_desk: rk.Desk, fake_dt: Path) -> None:
    """After an amendment, the two earlier verifications do not count: the run is refused."""
    operation = verified(dt_desk, "ivan", "maria")
    dt_desk.data.amend_adjustment(operation.id, by="olga", arguments=("MSFT",))
    before = state(dt_desk)

    with pytest.raises(DataOperationRefusedError) as caught:
        dt_desk.data.execute_adjustment(operation.id, by="data-operator")

    assert "not-verified" == caught.value.reason
    assert "2 given earlier no longer count" in str(caught.value)
    assert (before, False) == (state(dt_desk), fake_dt.exists())


def test_a_dry_run_executor_may_not_adjust_production_data(
    desk: rk.Desk, recorder: executors.DryRunExecutor
) -> None:
    """Production data is adjusted only through dt: the dry-run executor is refused."""
    operation = verified(desk, "ivan", "maria")
    before = state(desk)

    with pytest.raises(ExecutorNotAllowedError) as caught:
        desk.data.execute_adjustment(operation.id, by="data-operator")

    error = caught.value
    assert ("adjust-data", "production", "`dt`") == (
        error.capability,
        error.environment,
        error.required,
    )
    assert "DryRunExecutor (a dry run" in error.executor
    assert (before, ()) == (state(desk), recorder.calls_for("adjust-data"))


def test_another_program_may_not_adjust_production_data(desk: rk.Desk) -> None:
    """A command executor running something other than dt is refused as well."""
    other = executors.CommandExecutor(
        program=sys.executable, templates={"adjust-data": ("-c", "pass")}
    )
    desk.executors.register("adjust-data", other, environment="production")
    operation = verified(desk, "ivan", "maria")
    before = state(desk)

    with pytest.raises(ExecutorNotAllowedError) as caught:
        desk.data.execute_adjustment(operation.id, by="data-operator")

    assert f"CommandExecutor running {sys.executable}" == caught.value.executor
    assert before == state(desk)


def test_an_executed_adjustment_is_closed(dt_desk: rk.Desk) -> None:
    """Once run, an adjustment is neither run again, nor verified, nor amended."""
    operation = verified(dt_desk, "ivan", "maria")
    dt_desk.data.execute_adjustment(operation.id, by="data-operator")
    before = state(dt_desk)

    with pytest.raises(DataOperationRefusedError) as run:
        dt_desk.data.execute_adjustment(operation.id, by="data-operator")
    with pytest.raises(DataOperationRefusedError) as verify:
        dt_desk.data.verify_adjustment(operation.id, by="anton")
    with pytest.raises(DataOperationRefusedError) as amend:
        dt_desk.data.amend_adjustment(operation.id, by="olga", arguments=("MSFT",))

    assert ["executed"] * 3 == [e.value.reason for e in (run, verify, amend)]
    assert "request a new adjustment instead" in str(run.value)
    assert before == state(dt_desk)


# ---------------------------------------------------------------------------
# Cancelling
# ---------------------------------------------------------------------------


def test_the_requester_cancels_an_adjustment(desk: rk.Desk) -> None:
    """A cancelled adjustment is closed; its history ends with the cancellation."""
    operation = verified(desk, "ivan")

    cancelled = desk.data.cancel(operation.id, by="olga", reason="fixed upstream")

    assert (DataOperationStatus.CANCELLED, "fixed upstream") == (
        cancelled.status,
        cancelled.summary,
    )
    with pytest.raises(DataOperationRefusedError) as caught:
        desk.data.verify_adjustment(operation.id, by="maria")
    assert "cancelled" == caught.value.reason


def test_only_the_requester_or_the_operator_cancels(desk: rk.Desk) -> None:
    """ivan may not cancel olga's adjustment; nothing changes."""
    operation = request(desk)
    before = state(desk)

    with pytest.raises(DataOperationRefusedError) as caught:
        desk.data.cancel(operation.id, by="ivan", reason="x")

    assert ("not-requester", ("data-operator", "olga")) == (
        caught.value.reason,
        caught.value.allowed,
    )
    assert before == state(desk)


# ---------------------------------------------------------------------------
# Restoring
# ---------------------------------------------------------------------------


def test_production_data_is_restored_into_anton_s_sandbox(
    desk: rk.Desk, recorder: executors.DryRunExecutor
) -> None:
    """anton copies production's data into his sandbox through the restorer; it is recorded."""
    restored = desk.data.restore("production", "sandbox-anton", by="anton", reason="debug 2.4.0")

    (call,) = recorder.calls_for("restore-data")
    request_ = call.request
    assert isinstance(request_, executors.RestoreRequest)
    assert ("production", "sandbox-anton") == (request_.source, request_.target)
    assert (
        "restore-1",
        DataOperationKind.RESTORE,
        "production",
        DataOperationStatus.EXECUTED,
    ) == (restored.id, restored.kind, restored.source, restored.status)
    assert ["started", "executed"] == steps(desk, restored.id)
    assert [restored] == desk.data.operations(environment="sandbox-anton")


def test_nothing_is_ever_restored_into_production(
    desk: rk.Desk, recorder: executors.DryRunExecutor
) -> None:
    """tests -> production is refused by the policy, whoever asks; nothing runs or is stored."""
    with pytest.raises(DataOperationRefusedError) as caught:
        desk.data.restore("tests", "production", by="data-operator", reason="x")

    error = caught.value
    assert ("direction", "production", None) == (
        error.reason,
        error.environment,
        error.operation_id,
    )
    assert "production accepts restores from no environment" in str(error)
    assert ({}, ()) == (state(desk), recorder.calls)


def test_only_the_owner_restores_into_anton_s_sandbox(
    desk: rk.Desk, recorder: executors.DryRunExecutor
) -> None:
    """maria may not replace the data of anton's sandbox; nothing runs or is stored."""
    with pytest.raises(rk.exceptions.NotPermittedError) as caught:
        desk.data.restore("production", "sandbox-anton", by="maria", reason="x")

    assert ("maria", ("anton",), "restore data") == (
        caught.value.actor,
        caught.value.allowed,
        caught.value.action,
    )
    assert ({}, ()) == (state(desk), recorder.calls)


def test_a_failed_restore_is_recorded(desk: rk.Desk, recorder: executors.DryRunExecutor) -> None:
    """The restore's failure is raised and its history says failed."""
    recorder.fail("restore-data", "disk full")

    with pytest.raises(rk.exceptions.ExecutorFailedError, match="disk full"):
        desk.data.restore("production", "sandbox-anton", by="anton", reason="debug")

    (operation,) = desk.data.operations()
    assert (DataOperationStatus.FAILED, ["started", "failed"]) == (
        operation.status,
        steps(desk, operation.id),
    )


def test_an_interrupted_run_blocks_until_the_operator_cancels_it(dt_desk: rk.Desk) -> None:
    """A run whose process died stays running: a new run is refused; the operator may cancel."""
    operation = verified(dt_desk, "ivan", "maria")
    running = attrs.evolve(
        operation, status=DataOperationStatus.RUNNING, executed_by="data-operator"
    )
    dt_desk.ledger.append(
        operation.stream,
        expected=3,
        action="data-operation",
        by="data-operator",
        at=FRIDAY,
        snapshot=running,
        data={"step": "started"},
    )
    before = state(dt_desk)

    with pytest.raises(DataOperationRefusedError) as caught:
        dt_desk.data.execute_adjustment(operation.id, by="data-operator")

    assert ("running", before) == (caught.value.reason, state(dt_desk))
    assert "cancel it if its run died" in str(caught.value)
    cancelled = dt_desk.data.cancel(
        operation.id, by="data-operator", reason="the host rebooted mid-run"
    )
    assert DataOperationStatus.CANCELLED == cancelled.status


def test_a_restore_is_not_an_adjustment(desk: rk.Desk) -> None:
    """Verifying a restore makes no sense and is refused as a wrong id."""
    restore = desk.data.restore("production", "sandbox-anton", by="anton", reason="debug")

    with pytest.raises(rk.exceptions.InvalidInputError) as caught:
        desk.data.verify_adjustment(restore.id, by="ivan")

    assert ("operation_id", restore.id) == (caught.value.field, caught.value.value)


def test_an_unknown_operation_reads_as_a_sentence(desk: rk.Desk) -> None:
    """The lookup error is not a repr of its message."""
    with pytest.raises(UnknownDataOperationError) as caught:
        desk.data.get("restore-7")

    assert str(caught.value).startswith("there is no data operation 'restore-7';")
