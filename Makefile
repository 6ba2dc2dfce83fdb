# The commands of the README. Each sets up .venv first when pyproject.toml changed.
VENV ?= .venv
STAMP := $(VENV)/.tunekit-installed
# the example plugins (examples/*/), each a distribution of its own: the tests use them, the
# studio does not need them
EXAMPLES := examples/tunekit-bitfit examples/tunekit-mcc
EXAMPLES_STAMP := $(VENV)/.tunekit-examples-installed

.PHONY: run studio test setup examples bench

run: $(STAMP)
	$(VENV)/bin/tunekit run

studio: $(STAMP)
	$(VENV)/bin/tunekit studio

# one worker per core (pytest-xdist), a test file to a worker: a file's fixtures stay shared;
# the files go out in the order tests/conftest.py gives them (longest first), not by test count
test: $(STAMP) $(EXAMPLES_STAMP)
	$(VENV)/bin/python -m pytest -n auto --dist loadfile --no-loadscope-reorder

setup: $(STAMP)

# the comparisons of benchmarks/ (docs/guide/benchmarks.md); BENCH="--quick" for a smoke test
bench: $(STAMP)
	$(VENV)/bin/python -m benchmarks $(BENCH)

examples: $(EXAMPLES_STAMP)

$(STAMP): pyproject.toml scripts/setup.sh
	TUNEKIT_VENV=$(VENV) bash scripts/setup.sh
	touch $@

# installed with pip like any third-party plugin (editable; the build uses the setuptools
# that setup.sh put in the environment, so nothing more is downloaded)
$(EXAMPLES_STAMP): $(STAMP) $(addsuffix /pyproject.toml,$(EXAMPLES))
	$(VENV)/bin/python -m pip install --disable-pip-version-check --quiet \
		--no-build-isolation $(addprefix -e ,$(EXAMPLES))
	touch $@
