"""The local stack: template.yaml read as the single source of truth, the real handlers loaded
from functions/, real event shapes built for them, all on moto. Used by the tests, the benchmark
and `make run`. Never deployed."""
