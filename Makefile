# The commands of the README. Each sets up .venv first when pyproject.toml changed.
VENV ?= .venv
STAMP := $(VENV)/.tunekit-installed

.PHONY: run studio test setup

run: $(STAMP)
	$(VENV)/bin/tunekit run

studio: $(STAMP)
	$(VENV)/bin/tunekit studio

test: $(STAMP)
	$(VENV)/bin/python -m pytest

setup: $(STAMP)

$(STAMP): pyproject.toml scripts/setup.sh
	TUNEKIT_VENV=$(VENV) bash scripts/setup.sh
	touch $@
