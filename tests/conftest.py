"""Shared test configuration: Hypothesis profiles switched by an environment variable.

``HYPOTHESIS_PROFILE=fast`` runs few examples while editing; ``ci`` (the default
when ``CI`` is set) is derandomized so a red run can be reproduced.
"""

import os

from hypothesis import HealthCheck, settings

settings.register_profile("fast", max_examples=20)
settings.register_profile("dev", max_examples=100)
settings.register_profile(
    "ci",
    max_examples=200,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))
