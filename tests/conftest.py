import os

from hypothesis import HealthCheck, settings

# `ci`: derandomized, so every run checks the same examples; enough of them to matter.
settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
# `dev`: random examples, for finding new failures locally (HYPOTHESIS_PROFILE=dev make test).
settings.register_profile("dev", max_examples=200, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
