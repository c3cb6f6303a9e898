"""The releasekit exception tree.

Every error releasekit raises on purpose derives from :class:`ReleaseKitError`.
Each carries structured attributes for tools and reads, through ``str()``, as a
sentence a person can act on. Where a built-in exception fits, it is mixed in,
so ``except ValueError`` keeps working for callers that already catch it::

    ReleaseKitError
    ├── InvalidInputError (ValueError)
    │   ├── NaiveDatetimeError
    │   └── ReleaseEndedError
    ├── PolicyError (ValueError)
    │   └── PolicyFileError
    ├── UnknownReleaseError (LookupError)
    ├── UnknownDataOperationError (LookupError)
    ├── NotPermittedError (PermissionError)
    │   ├── DataOperationRefusedError
    │   └── UnknownPersonError
    ├── PromotionRefusedError
    ├── NothingToRollBackError (LookupError)
    ├── LeaseHeldError
    ├── LeaseNotHeldError
    ├── ScheduleConflictError
    ├── AttemptInProgressError
    │   └── AttemptStillRunningError
    ├── StoreError
    │   ├── ConflictError
    │   ├── HistoryTamperedError
    │   ├── UnreadableDataError (ValueError)
    │   └── SchemaVersionError
    └── ExecutorError
        ├── ExecutorNotFoundError (LookupError)
        ├── ExecutorFailedError
        ├── ExecutorTimeoutError (TimeoutError)
        ├── ExecutorNotAllowedError
        └── PluginLoadError
"""

from __future__ import annotations

from releasekit._errors.base import (
    InvalidInputError,
    NaiveDatetimeError,
    PolicyError,
    PolicyFileError,
    ReleaseEndedError,
    ReleaseKitError,
    UnknownDataOperationError,
    UnknownReleaseError,
)
from releasekit._errors.busy import (
    AttemptInProgressError,
    AttemptStillRunningError,
    LeaseHeldError,
    LeaseNotHeldError,
    ScheduleConflictError,
)
from releasekit._errors.executors import (
    ExecutorError,
    ExecutorFailedError,
    ExecutorNotAllowedError,
    ExecutorNotFoundError,
    ExecutorTimeoutError,
    PluginLoadError,
)
from releasekit._errors.refusals import (
    DataOperationRefusedError,
    NothingToRollBackError,
    NotPermittedError,
    PromotionRefusedError,
    UnknownPersonError,
)
from releasekit._errors.store import (
    ConflictError,
    HistoryTamperedError,
    SchemaVersionError,
    StoreError,
    UnreadableDataError,
)

__all__ = [
    "AttemptInProgressError",
    "AttemptStillRunningError",
    "ConflictError",
    "DataOperationRefusedError",
    "ExecutorError",
    "ExecutorFailedError",
    "ExecutorNotAllowedError",
    "ExecutorNotFoundError",
    "ExecutorTimeoutError",
    "HistoryTamperedError",
    "InvalidInputError",
    "LeaseHeldError",
    "LeaseNotHeldError",
    "NaiveDatetimeError",
    "NotPermittedError",
    "NothingToRollBackError",
    "PluginLoadError",
    "PolicyError",
    "PolicyFileError",
    "PromotionRefusedError",
    "ReleaseEndedError",
    "ReleaseKitError",
    "ScheduleConflictError",
    "SchemaVersionError",
    "StoreError",
    "UnknownDataOperationError",
    "UnknownPersonError",
    "UnknownReleaseError",
    "UnreadableDataError",
]

# Each error is shown and pickled as releasekit.exceptions' own, the module users import it from.
for _name in __all__:
    globals()[_name].__module__ = __name__
del _name
