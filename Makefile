# The two commands of the README: `make run` and `make test`. Both set everything up first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
INSTALLED := $(VENV)/.installed

.PHONY: run test setup lint browsers clean messages

$(INSTALLED): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $(INSTALLED)

setup: $(INSTALLED)
	$(BIN)/pybabel --quiet compile --directory app/translations

PORT ?= 5000

run: setup
	$(FLASK) db upgrade
	$(FLASK) surveys sync
	$(FLASK) users setup-link --base-url http://127.0.0.1:$(PORT)
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

lint: setup
	$(BIN)/ruff check .

test: lint
	$(BIN)/pytest

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache

# After changing interface strings: collect them, then add the new ones to each language's catalog.
messages: $(INSTALLED)
	$(BIN)/pybabel extract --mapping-file babel.cfg --keywords _l --keywords lazy_gettext --project Lyssna --no-wrap --sort-by-file --output-file app/translations/messages.pot .
	$(BIN)/pybabel update --input-file app/translations/messages.pot --output-dir app/translations --no-wrap --no-fuzzy-matching --ignore-obsolete
