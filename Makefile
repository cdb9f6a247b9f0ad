# Two commands do everything: `make run` and `make test`. See README.md.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
RASA := $(VENV)/bin/rasa
MODEL := models/current.tar.gz
TRAINING_INPUTS := config.yml bot/domain.yml $(wildcard bot/data/*.yml) $(wildcard nlu/data/*.yml) $(wildcard nlu/heldout/*.yml) \
                   $(wildcard nlu/components/*.py) $(wildcard nlu/components/*.yml) \
                   sobu_privacy/text.py sobu_privacy/identifiers.py sobu_privacy/requests.py
ENV := source scripts/env.sh &&

.PHONY: run run-scaled test install train eval bench lock validate web browser proxy clean purge report kb-report mutate profile

run: install web browser $(MODEL)
	scripts/run.sh

# The scale path on this machine (two Rasa servers behind HAProxy, PostgreSQL, Redis,
# RabbitMQ; README "Scale path").
run-scaled: install web browser proxy $(MODEL)
	scripts/run_scaled.sh

test: install web browser proxy $(MODEL)
	$(ENV) $(PY) -m pytest -q

install: $(VENV)/.installed

# One virtual environment, every version from requirements.lock (what was tested).
$(VENV)/.installed: requirements.lock .python-version
	@test -x $(PY) || "$$(scripts/find_python.sh)" -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip==24.2"
	$(PY) -m pip install --quiet --no-deps -r requirements.lock
	$(PY) -m pip check
	touch $@

# Regenerate the lock after changing the top-level dependencies in pyproject.toml.
lock:
	$(PY) -c "import tomli,sys; d=tomli.load(open('pyproject.toml','rb'))['project']; print('\n'.join(d['dependencies']+d['optional-dependencies']['test']))" > /tmp/top-level.txt
	$(PY) -m pip install --quiet -r /tmp/top-level.txt
	$(PY) -m pip freeze --all --exclude-editable | grep -v "^pip==" | sort > requirements.lock

# The served model; retrained only when the training data, domain, config or components change.
# It learns from every labelled message, the held-out file included: `make eval` measures the
# held-out figure with its own model trained on nlu/data alone (models/eval), so serving a model
# that also saw those messages costs the measurement nothing and gives customers the most data.
$(MODEL): $(TRAINING_INPUTS) $(VENV)/.installed
	$(ENV) $(RASA) train --config config.yml --domain bot/domain.yml --data nlu/data nlu/heldout bot/data \
	    --out models --fixed-model-name current
	touch $@

train: $(MODEL)

validate: install
	$(ENV) $(RASA) data validate --config config.yml --domain bot/domain.yml --data nlu/data bot/data

# The widget's socket.io client and the analytics page's Chart.js, from the npm registry,
# pinned by package-lock.json.
web: bot/web/node_modules/.package-lock.json console/web/node_modules/.package-lock.json
bot/web/node_modules/.package-lock.json: bot/web/package-lock.json
	cd bot/web && npm ci --no-audit --no-fund --silent
console/web/node_modules/.package-lock.json: console/web/package-lock.json
	cd console/web && npm ci --no-audit --no-fund --silent

# Debian's chromium for the browser tests (Playwright drives it; no browser download) and for
# the disclosure document's PDF, with Japanese fonts.
browser:
	@test -x /usr/bin/chromium || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }
	@test -d /usr/share/fonts/opentype/noto || { apt-get update -qq && apt-get install -y -qq fonts-noto-cjk >/dev/null; }

# Debian's HAProxy for the scale path's one public origin (make run-scaled).
proxy:
	@test -x /usr/sbin/haproxy || { apt-get update -qq && apt-get install -y -qq haproxy >/dev/null; }

# Three held-out sets, each scored by a model trained without it: heldout.yml (2026-11-26) with
# nlu/data; fresh.yml and unseen.yml (both written blind on 2026-12-04, after heldout.yml had
# joined the training data) with nlu/data and heldout.yml, one model for both.
# The served model (make train) learns from all of them.
eval: install
	$(ENV) $(PY) scripts/eval_nlu.py
	$(ENV) $(PY) scripts/eval_nlu.py --train nlu/data --train nlu/heldout/heldout.yml \
	  --test nlu/heldout/fresh.yml --model-dir models/eval-fresh --name nlu_eval_fresh
	$(ENV) $(PY) scripts/eval_nlu.py --train nlu/data --train nlu/heldout/heldout.yml --skip-train \
	  --test nlu/heldout/unseen.yml --model-dir models/eval-fresh --name nlu_eval_unseen

bench: install $(MODEL)
	$(ENV) $(PY) scripts/bench.py
	$(ENV) $(PY) scripts/bench_analytics.py

# Where the time of a turn goes: the bench with py-spy on both servers (and on the floor bot's),
# a table per stage in results/profile/profile.md (README's profile table comes from it).
profile: install $(MODEL)
	$(ENV) $(PY) scripts/bench.py --profile results/profile --out results/profile/bench.json

# Mutation testing of the rule modules ([tool.mutmut] in pyproject.toml): the kill rate per
# module, each at least 90 %, survivors reviewed in scripts/mutation_survivors.yml. Slow the
# first time (results are kept in mutants/), so it is not part of `make test`.
mutate: install
	$(ENV) $(PY) scripts/mutate.py

# The analysts' figures for the last 30 days: reports/latest/index.html (self-contained,
# viewable offline) and a CSV per table; `python -m analytics report --help` for other periods.
report: install web
	$(ENV) $(PY) -m analytics report --out reports/latest

# Each piece of the policy (section, item, table row, note ※1–※5) with the answers that reach
# it; fails when a piece is reached by none (policy_kb/coverage.py).
kb-report: install
	$(ENV) $(PY) -m policy_kb.coverage

# Delete what is past its retention period now (make run does it every PURGE_INTERVAL_MINUTES).
purge: install
	$(ENV) $(PY) -m storage purge

clean:
	rm -rf models results var .bot_api_token
