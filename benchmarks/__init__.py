"""tunekit's benchmarks: ``python -m benchmarks`` (or ``make bench``); see the README."""
