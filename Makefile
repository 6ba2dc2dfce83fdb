# The two commands of the README. Each sets up .venv first when pyproject.toml changed.
VENV ?= .venv
STAMP := $(VENV)/.tunekit-installed

.PHONY: run test setup

run: $(STAMP)
	$(VENV)/bin/tunekit run

test: $(STAMP)
	$(VENV)/bin/python -m pytest

setup: $(STAMP)

$(STAMP): pyproject.toml scripts/setup.sh
	TUNEKIT_VENV=$(VENV) bash scripts/setup.sh
	touch $@
