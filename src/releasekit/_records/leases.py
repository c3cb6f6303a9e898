"""Leases: exclusive rights to do something until they lapse, and the rules of their changes.

A store keeps named :class:`Lease` records for exclusive work, such as the
test environment's lock. Each acquisition gets a token of its own, made by the
store (:func:`new_token`): only that token renews the lease, gives it back or
hands it over. The functions here decide, purely, what a change of a lease
gives or why it is refused; each store applies the decision in one
transaction (SQLite) or checks it in the statement that writes (PostgreSQL).
"""

from __future__ import annotations

import datetime as dt
import secrets

import attrs
import pendulum

from releasekit._rules._time import instant
from releasekit.exceptions import InvalidInputError, LeaseHeldError, LeaseNotHeldError

__all__ = [
    "Lease",
    "check_release",
    "check_ttl",
    "decide_lease",
    "decide_renewal",
    "decide_take_over",
    "new_token",
]


@attrs.frozen(kw_only=True)
class Lease:
    """An exclusive right to do something (run the tests, adjust data) until it lapses.

    Each acquisition gets a new, random :attr:`token`: only that token renews
    the lease, gives it back or hands it over. The holder's name is there for
    people to read — two acquisitions under one name are still two leases, and
    the second is refused while the first is held.

    Attributes:
        name: What the lease guards, e.g. ``"test-run:tests"``.
        token: Identifies this one acquisition; made by the store, never
            derived from a name. Keep it to renew or give back the lease.
        holder: Who took it, for people to read, e.g. ``"ci (r1)"``.
        since: When this acquisition took it (renewing keeps this).
        expires: When it lapses unless renewed.
    """

    name: str
    token: str
    holder: str
    since: pendulum.DateTime
    expires: pendulum.DateTime

    def held_at(self, now: dt.datetime) -> bool:
        """Whether the lease is still in force at *now*."""
        return instant(now, field="now") < self.expires


def check_ttl(ttl: object) -> dt.timedelta:
    """Return *ttl* if it is a positive duration.

    Raises:
        InvalidInputError: It is not a positive :class:`datetime.timedelta`.
    """
    if not isinstance(ttl, dt.timedelta) or ttl <= dt.timedelta():
        raise InvalidInputError(
            f"ttl must be a positive duration such as timedelta(minutes=30), got {ttl!r}",
            field="ttl",
            value=ttl,
        )
    return ttl


def new_token() -> str:
    """Return a new lease token: 128 random bits, as 32 hexadecimal digits."""
    return secrets.token_hex(16)


def decide_lease(
    held: Lease | None,
    *,
    name: str,
    holder: str,
    token: str,
    now: dt.datetime,
    ttl: dt.timedelta,
) -> Lease:
    """Return the lease *holder* gets under *token* by asking for *name* at *now* (pure).

    Args:
        held: The lease as stored, lapsed or not, or ``None``.
        name: The lease.
        holder: Who asks.
        token: The new acquisition's token.
        now: When.
        ttl: For how long.

    Raises:
        LeaseHeldError: *held* has not lapsed — whoever holds it.
    """
    moment = instant(now, field="now")
    expires = moment + check_ttl(ttl)
    if held is not None and held.held_at(moment):
        raise LeaseHeldError(lease=name, holder=held.holder, since=held.since, expires=held.expires)
    return Lease(name=name, token=token, holder=holder, since=moment, expires=expires)


def check_release(held: Lease | None, *, name: str, token: str) -> Lease:
    """Return *held* if *token* holds it (lapsed or not), so it may give it back or hand it over.

    Raises:
        LeaseNotHeldError: Nobody, or another acquisition, holds it.
    """
    if held is None or held.token != token:
        raise LeaseNotHeldError(
            lease=name,
            holder=held.holder if held is not None else None,
            since=held.since if held is not None else None,
        )
    return held


def decide_renewal(
    held: Lease | None, *, name: str, token: str, now: dt.datetime, ttl: dt.timedelta
) -> Lease:
    """Return *held* renewed until ``now + ttl``, if *token* holds it and it is in force (pure).

    Raises:
        LeaseNotHeldError: *token* does not hold it, or it lapsed before *now*.
    """
    moment = instant(now, field="now")
    expires = moment + check_ttl(ttl)
    lease = check_release(held, name=name, token=token)
    if not lease.held_at(moment):
        raise LeaseNotHeldError(lease=name, holder=None, since=None, lapsed=lease.expires)
    return attrs.evolve(lease, expires=expires)


def decide_take_over(
    held: Lease | None,
    *,
    name: str,
    token: str,
    holder: str,
    new: str,
    now: dt.datetime,
    ttl: dt.timedelta,
) -> Lease:
    """Return the lease *holder* gets under the token *new*, taking *name* over from *token* (pure).

    Raises:
        LeaseNotHeldError: *token* no longer holds it.
    """
    moment = instant(now, field="now")
    expires = moment + check_ttl(ttl)
    check_release(held, name=name, token=token)
    return Lease(name=name, token=new, holder=holder, since=moment, expires=expires)
