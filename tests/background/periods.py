"""The short periods of the kill test (seconds), shared by its settings and the test."""

SWEEP = 8
RECONCILE = 2
LEASE = 3
RECONCILE_AFTER = 4
