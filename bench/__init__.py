"""The help desk benchmark (`make bench`): DynamoDB requests per operation, warm handler latency,
cold imports and the auto-close read cost, each reported against a baseline from the same run.
Nothing here is asserted; bench.__main__ says what each figure means."""

import sys

# Run from the repo, the benchmark writes no __pycache__ outside bench/ (children use a temp prefix).
sys.dont_write_bytecode = True

from devstack.functions import ensure_layer_on_path  # noqa: E402 - after the line above

# The layer's `helpdesk` package, importable as Lambda makes it (/opt/python on the path).
ensure_layer_on_path()
