"""What the studio starts in the background, each in its own process so the page never waits:
runs (runs.py, queued one per device), sweeps (sweeps.py) and the learning-rate finder
(rate_finder.py). registry.db (and a log file per job) is how the tabs see them; stopping one
sends SIGTERM, which the CLI turns into a clean ``cancelled``."""
