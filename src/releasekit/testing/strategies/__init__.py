"""Hypothesis strategies for releasekit's values, and for what its stores keep.

Use them to property-test code built on releasekit — a team's own guards, a
tool that reads plans — or a team's own policy::

    from hypothesis import given
    from releasekit.testing import strategies as rks

    @given(rks.windows(), rks.aware_datetimes())
    def test_next_opening_is_inside(window, moment):
        assert window.contains(window.next_opening(moment))

Two families live here. The tidy ones draw values as a team writes them:
windows, freezes, :func:`artifacts`, :func:`evidence`, :func:`releases` in a
policy's own environments, and whole :func:`policies`. The ``any_`` ones and
the record strategies draw everything releasekit accepts and a store must keep
as given: :data:`people` named in any case and script, text with control
characters, :func:`any_releases` with moves, :func:`records`, history
:func:`events`, :func:`leases` and :func:`declared_freezes` — for a tool that
reads or writes releasekit's data, or a store of your own.
"""

from releasekit.testing.strategies._stored import (
    any_artifacts,
    any_evidence,
    any_releases,
    any_text,
    attempts,
    attentions,
    blockers,
    declared_freezes,
    drafts,
    events,
    host_processes,
    instants,
    json_objects,
    json_values,
    labels,
    leases,
    moves,
    people,
    record_names,
    records,
    some_text,
    storable_names,
    storable_text,
    stream_names,
    tokens,
)
from releasekit.testing.strategies._values import (
    TIMEZONES,
    artifacts,
    aware_datetimes,
    evidence,
    freezes,
    names,
    policies,
    releases,
    spans,
    timezones,
    versions,
    windows,
)

__all__ = [
    "TIMEZONES",
    "any_artifacts",
    "any_evidence",
    "any_releases",
    "any_text",
    "artifacts",
    "attempts",
    "attentions",
    "aware_datetimes",
    "blockers",
    "declared_freezes",
    "drafts",
    "events",
    "evidence",
    "freezes",
    "host_processes",
    "instants",
    "json_objects",
    "json_values",
    "labels",
    "leases",
    "moves",
    "names",
    "people",
    "policies",
    "record_names",
    "records",
    "releases",
    "some_text",
    "spans",
    "storable_names",
    "storable_text",
    "stream_names",
    "timezones",
    "tokens",
    "versions",
    "windows",
]
