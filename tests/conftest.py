"""Every test runs without real AWS credentials or endpoints. Helpers live in tests/support/;
the moto fixtures in tests/integration/conftest.py."""

import os

os.environ.update(
    AWS_DEFAULT_REGION="eu-west-1",
    AWS_ACCESS_KEY_ID="testing",
    AWS_SECRET_ACCESS_KEY="testing",
    POWERTOOLS_METRICS_NAMESPACE="Netz0HelpdeskTest",
)
os.environ.pop("AWS_ENDPOINT_URL", None)

from hypothesis import settings

# No per-example deadline: Hypothesis' default (200 ms) is a timing assertion, and on a shared
# two-core machine a slow example failed a property test that was right. Speed is measured in
# `make bench`, never asserted in tests.
settings.register_profile("helpdesk", deadline=None)
settings.load_profile("helpdesk")
