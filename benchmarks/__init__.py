"""tunekit's benchmarks: ``python -m benchmarks`` (or ``make bench``); docs/guide/benchmarks.md."""
