# The two commands a newcomer needs:
#   make run    install everything into .venv and start web + worker + scheduler
#               (under supervisord: a process that dies is restarted, the others stay up)
#   make test   install everything and run the whole test suite
# (make test-fast: the quick set, without the slow and browser tests)
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
SECRET_FILE := var/secret_key

.PHONY: run test test-fast install demo demo-full-text lint system-packages

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --disable-pip-version-check -q -r requirements.txt
	touch $@

$(SECRET_FILE):
	mkdir -p var
	$(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > $@
	chmod 600 $@

# What supervisord.conf reads from the environment.
RUN_ENV := SECRET_KEY=$${SECRET_KEY:-$$(cat $(SECRET_FILE))} SURGE_VAR_DIR=$${SURGE_VAR_DIR:-$(CURDIR)/var} \
	SURGE_BIND=$${SURGE_BIND:-127.0.0.1:8000} WORKER_CONCURRENCY=$${WORKER_CONCURRENCY:-2} \
	SURGE_PYTHON=$(abspath $(PY))

run: install $(SECRET_FILE)
	$(RUN_ENV) $(PY) manage.py migrate
	$(RUN_ENV) $(PY) manage.py createcachetable
	$(RUN_ENV) $(PY) manage.py load_default_feeds --if-empty
	$(RUN_ENV) $(PY) manage.py collectstatic --noinput -v0
	@echo "Surge on http://$${SURGE_BIND:-127.0.0.1:8000}/ (Ctrl-C stops web, worker and scheduler;" \
	  "one that dies is restarted)"
	$(RUN_ENV) $(VENV)/bin/supervisord -c supervisord.conf

# The replay demo on its own database (var/demo/): the site on :8001 (or the next free
# port) while the stream replays; manage.py demo stops and exits non-zero if anything fails.
DEMO_DATA ?= ../shared/data/newsriver/items-2025-12_2026-01.jsonl.gz
DEMO_PORT ?= 8001
demo: install $(SECRET_FILE)
	mkdir -p var/demo
	export SECRET_KEY=$${SECRET_KEY:-$$(cat $(SECRET_FILE))} SURGE_VAR_DIR=var/demo && \
	  $(PY) manage.py migrate -v0 && $(PY) manage.py createcachetable && \
	  $(PY) manage.py collectstatic --noinput -v0 && \
	  $(PY) manage.py demo $(DEMO_DATA) --web-port $(DEMO_PORT) $(REPLAY_ARGS)

# The full-text demo on its own database (var/demo-full-text/): the Giveme5W1H articles served as feeds
# and article pages, so page fetching, extraction and text briefs run offline; web on :8002.
FULL_TEXT_DATA ?= ../shared/data/giveme5w1h/news_cluster.jsonl.gz
demo-full-text: install $(SECRET_FILE)
	mkdir -p var/demo-full-text
	export SECRET_KEY=$${SECRET_KEY:-$$(cat $(SECRET_FILE))} SURGE_VAR_DIR=var/demo-full-text && \
	  $(PY) manage.py migrate -v0 && $(PY) manage.py collectstatic --noinput -v0 && \
	  { $(PY) -m gunicorn surge.wsgi --bind 127.0.0.1:8002 --workers 2 --log-level warning & web=$$!; \
	    echo "Full-text demo site on http://127.0.0.1:8002/"; \
	    $(PY) manage.py replay $(FULL_TEXT_DATA) --full-text --days 2 --port 8766 $(REPLAY_ARGS); \
	    echo "Replay done; the site stays up on http://127.0.0.1:8002/ (Ctrl-C to stop)"; wait $$web; }

# Browser tests drive Debian's Chromium; install it when we may (root, apt).
system-packages:
	@if [ ! -x /usr/bin/chromium ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; fi

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

TEST_ENV := SECRET_KEY=$${SECRET_KEY:-surge-test-key-not-secret} SURGE_VAR_DIR=$${SURGE_VAR_DIR:-var/test}
# Two test processes (pytest-xdist), a test file to each in turn: most slow tests wait on
# processes they start; tests/parallel_workers.py keeps the two apart. TEST_WORKERS=0: one process.
TEST_WORKERS ?= 2
PARALLEL := $(if $(filter 0,$(TEST_WORKERS)),,-n $(TEST_WORKERS) --dist loadfile)

test: install system-packages lint
	$(TEST_ENV) $(PY) -m pytest -q $(PARALLEL) $(PYTEST_ARGS)

# The quick set: no embedding-model loads or real-data replays (slow), no Chromium (browser).
test-fast: install lint
	$(TEST_ENV) $(PY) -m pytest -q $(PARALLEL) -m "not slow and not browser" $(PYTEST_ARGS)
