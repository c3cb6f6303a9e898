"""The PostgreSQL store's leases: each change one statement that writes only where allowed.

A new acquisition writes only over a free or lapsed lease; a renewal, a
release or a take-over only under the token that holds it. When a statement
writes nothing, the rule (:mod:`releasekit._records.leases`) is asked of the
lease as it is now and raises the error that explains why.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from releasekit._records.leases import (
    Lease,
    check_release,
    check_ttl,
    decide_lease,
    decide_renewal,
    decide_take_over,
    new_token,
)
from releasekit._records.store import check_holder, check_stream, check_token
from releasekit._rules._time import instant
from releasekit.exceptions import StoreError

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable

    import pendulum
    import psycopg

__all__ = ["acquire", "read", "release", "renew", "take_over"]

_ACQUIRE = """
    INSERT INTO releasekit_leases AS held (name, token, holder, since, expires)
    VALUES (%(name)s, %(token)s, %(holder)s, %(now)s, %(expires)s)
    ON CONFLICT (name) DO UPDATE SET
        token = excluded.token,
        holder = excluded.holder,
        since = excluded.since,
        expires = excluded.expires
    WHERE held.expires <= excluded.since
    RETURNING token, holder, since, expires
"""
_RENEW = """
    UPDATE releasekit_leases SET expires = %(expires)s
    WHERE name = %(name)s AND token = %(old)s AND expires > %(now)s
    RETURNING token, holder, since, expires
"""
_RELEASE = """
    DELETE FROM releasekit_leases WHERE name = %(name)s AND token = %(old)s
    RETURNING token, holder, since, expires
"""
_TAKE_OVER = """
    UPDATE releasekit_leases
    SET token = %(token)s, holder = %(holder)s, since = %(now)s, expires = %(expires)s
    WHERE name = %(name)s AND token = %(old)s
    RETURNING token, holder, since, expires
"""
_SELECT_LEASE = "SELECT token, holder, since, expires FROM releasekit_leases WHERE name = %s"


def acquire(
    conn: psycopg.Connection[Any],
    location: str,
    name: str,
    *,
    holder: str,
    now: dt.datetime,
    ttl: dt.timedelta,
) -> Lease:
    """Take the lease *name* for *holder* until ``now + ttl``, under a new token."""
    check_stream(name, field="name")
    check_holder(holder)
    token = new_token()
    moment, expires = _span(now, ttl)
    params = {"name": name, "token": token, "holder": holder, "now": moment, "expires": expires}
    return _write(
        conn,
        location,
        _ACQUIRE,
        params,
        lambda held: decide_lease(held, name=name, holder=holder, token=token, now=moment, ttl=ttl),
    )


def renew(
    conn: psycopg.Connection[Any],
    location: str,
    name: str,
    *,
    token: str,
    now: dt.datetime,
    ttl: dt.timedelta,
) -> Lease:
    """Extend the lease *name* held by *token* until ``now + ttl``."""
    check_token(token)
    moment, expires = _span(now, ttl)
    params = {"name": name, "old": token, "now": moment, "expires": expires}
    return _write(
        conn,
        location,
        _RENEW,
        params,
        lambda held: decide_renewal(held, name=name, token=token, now=moment, ttl=ttl),
    )


def release(conn: psycopg.Connection[Any], location: str, name: str, *, token: str) -> Lease:
    """Give the lease *name* back; only the token that holds it may."""
    check_token(token)
    return _write(
        conn,
        location,
        _RELEASE,
        {"name": name, "old": token},
        lambda held: check_release(held, name=name, token=token),
    )


def take_over(
    conn: psycopg.Connection[Any],
    location: str,
    name: str,
    *,
    token: str,
    holder: str,
    now: dt.datetime,
    ttl: dt.timedelta,
) -> Lease:
    """Hand the lease *name* held by *token* to *holder*, under a new token."""
    check_token(token)
    check_holder(holder)
    new = new_token()
    moment, expires = _span(now, ttl)
    params = {
        "name": name,
        "old": token,
        "token": new,
        "holder": holder,
        "now": moment,
        "expires": expires,
    }
    return _write(
        conn,
        location,
        _TAKE_OVER,
        params,
        lambda held: decide_take_over(
            held, name=name, token=token, holder=holder, new=new, now=moment, ttl=ttl
        ),
    )


def _write(
    conn: psycopg.Connection[Any],
    location: str,
    statement: str,
    params: dict[str, Any],
    decide: Callable[[Lease | None], Lease],
) -> Lease:
    """Run *statement*, which writes a lease only where the rule *decide* allows it.

    The statement checks the rule in SQL, so two writers never both win.
    When it writes nothing, the rule is asked of the lease as it is now and
    raises the error that explains why — or, if the lease changed hands in
    between, the statement is tried again.
    """
    name = params["name"]
    for _ in range(3):
        row = conn.execute(statement, params).fetchone()
        if row is not None:
            return _lease_of(name, row)
        decide(read(conn, name))  # raises, unless it changed hands meanwhile
    msg = f"could not change {name} in {location}: it kept changing hands; retry"
    raise StoreError(msg)


def read(conn: psycopg.Connection[Any], name: str) -> Lease | None:
    """Return the lease *name* as stored, lapsed or not, or ``None``."""
    row = conn.execute(_SELECT_LEASE, (name,)).fetchone()
    return None if row is None else _lease_of(name, row)


def _lease_of(name: str, row: tuple[Any, ...]) -> Lease:
    """Build the lease *name* from its row: token, holder, since, expires."""
    token, holder, since, expires = row
    return Lease(
        name=name,
        token=token,
        holder=holder,
        since=instant(since, field="since"),
        expires=instant(expires, field="expires"),
    )


def _span(now: dt.datetime, ttl: dt.timedelta) -> tuple[pendulum.DateTime, pendulum.DateTime]:
    """Return *now* as an instant, and ``now + ttl``, refusing naive times and bad durations."""
    moment = instant(now, field="now")
    return moment, moment + check_ttl(ttl)
