# customer_aware_dunning developer commands. `make help` lists them.
DEV      := .dev
PYTHON   := $(DEV)/venv/bin/python
CONF     := $(DEV)/odoo.conf
ODOO     := $(PYTHON) $(DEV)/odoo/usr/bin/odoo
ADDON    := customer_aware_dunning
DEMO_DB  ?= cad_demo
TEST_DB  ?= cad_test
PYTEST_ARGS ?=
BENCH_SIZE ?= 10k
BENCH_PREFIX ?= cad_bench
BENCH_TPL ?= $(BENCH_PREFIX)_tpl_$(BENCH_SIZE)
BENCH_DB ?= $(BENCH_PREFIX)_$(BENCH_SIZE)
BENCH_ARGS ?=
# make bench: the first run, then this many simulated days after it (0: the first run only)
BENCH_DAYS ?= 30
POT_DB   ?= cad_pot
I18N     := $(ADDON)/i18n

.PHONY: help bootstrap run test lint db-test stop-pg bench-run

help:
	@echo "make run        bootstrap, create/upgrade the demo database '$(DEMO_DB)' and serve Odoo on 127.0.0.1:8069"
	@echo "make test       bootstrap, build a fresh '$(TEST_DB)' database with the addon and run every test"
	@echo "make lint       ruff, pylint-odoo (OCA mandatory checks), OCA's manifest/XML/.po checks"
	@echo "make bootstrap  only prepare Odoo, the virtualenv, PostgreSQL and $(CONF)"
	@echo "make bench-data build the template database $(BENCH_TPL) with BENCH_SIZE=1k|10k|50k customers (default 10k)"
	@echo "make bench      the daily run by phase beside OCA credit control and a SQL floor, on a copy of $(BENCH_TPL)"
	@echo "make bench-jobs the batches as queue_job jobs with BENCH_WORKERS=0,1,2 job-runner workers (0: in process)"
	@echo "make pot        export $(I18N)/$(ADDON).pot from the database '$(POT_DB)' and merge it into every .po"

bootstrap:
	@python3 tools/bootstrap.py

run: bootstrap
	@if $(PYTHON) tools/devdb.py exists $(DEMO_DB); then \
		echo "Upgrading $(ADDON) in the demo database $(DEMO_DB)"; \
		$(ODOO) -c $(CONF) -d $(DEMO_DB) -u $(ADDON) --stop-after-init --no-http --log-level=warn; \
	else \
		echo "Creating the demo database $(DEMO_DB) (about 2.5 minutes of CPU: a few minutes on an idle machine, see README)"; \
		$(ODOO) -c $(CONF) -d $(DEMO_DB) -i $(ADDON) --with-demo --stop-after-init --no-http --log-level=warn; \
	fi
	@echo ""
	@echo "  Odoo is at http://127.0.0.1:8069  -  log in as admin / admin  (Ctrl-C stops it)"
	@echo ""
	$(ODOO) -c $(CONF) -d $(DEMO_DB) --db-filter='^$(DEMO_DB)$$'

# ruff, then OCA's checks as OCA's repositories run them in pre-commit: pylint-odoo with the
# mandatory checks (.pylintrc-mandatory), oca-checks-odoo-module (manifest, XML, CSV) and
# oca-checks-po (OCA's own config disables po-pretty-format: make pot writes msgmerge's form);
# and the addon's README.rst is the one its readme/ fragments give.
lint: bootstrap
	$(DEV)/venv/bin/ruff check .
	$(DEV)/venv/bin/pylint --rcfile=.pylintrc-mandatory $(ADDON)
	$(DEV)/venv/bin/oca-checks-odoo-module $(ADDON)/__manifest__.py
	$(DEV)/venv/bin/oca-checks-po --disable=po-pretty-format $(I18N)/*.po $(I18N)/*.pot
	$(PYTHON) tools/gen_addon_readme.py --check

# With OCA queue_job beside the addon (an optional peer, installed by requirements.lock), so that
# the run's batches-as-jobs are tested too; the other tests keep the batches in process.
# Odoo's account_qr_code_sepa (Community, with base_iban) builds the EPC/SEPA QR code on letters.
# crm (with sale_crm) so the pipeline's opportunities are tested (tests/test_pipeline_crm.py): about 27 s
# more to build the database on a loaded 2-core machine (6 s of Odoo's CPU).
# The copy is the template of tests/test_run_faults.py's scratch databases: the test session keeps
# connections to $(TEST_DB) open, and PostgreSQL copies only a database nobody is connected to.
db-test: bootstrap
	@$(PYTHON) tools/devdb.py drop $(TEST_DB)
	$(ODOO) -c $(CONF) -d $(TEST_DB) -i $(ADDON),queue_job,snailmail,account_qr_code_sepa,crm --stop-after-init --no-http --log-level=warn
	@$(PYTHON) tools/devdb.py copy $(TEST_DB) $(TEST_DB)_faults

# The suite runs as two pytest processes side by side, each about half of it: the addon's database and
# browser tests (with the CLI's and the bench data's, which use the same database), and beside them the
# tests that run Odoo in processes of their own on scratch databases (faults, job runner, wheel, upgrade)
# with the pure ones. Both must pass; the second's output is printed after the first's. A run in which
# neither collected a test (exit code 5) fails.
SIDE_TESTS_OUT := tests/test_cli_odoo.py tests/test_bench_data.py
test: lint db-test
	@work=$$(mktemp -d); \
	$(PYTHON) -m pytest --odoo-config=$(CONF) --odoo-database=$(TEST_DB) --fail-on-skip \
		--basetemp=$$work/side $(addprefix --ignore=,$(SIDE_TESTS_OUT)) tests $(PYTEST_ARGS) \
		>$$work/side.log 2>&1 & side=$$!; \
	$(PYTHON) -m pytest --odoo-config=$(CONF) --odoo-database=$(TEST_DB) --odoo-http --fail-on-skip \
		--basetemp=$$work/main $(ADDON)/tests $(SIDE_TESTS_OUT) $(PYTEST_ARGS); \
	status=$$?; wait $$side; side_status=$$?; \
	echo "---- beside it: the tests that run Odoo in processes of their own, and the pure ones ----"; \
	cat $$work/side.log; rm -rf $$work; \
	echo "make test: exit $$status (addon tests), $$side_status (the others)"; \
	if [ $$status -eq 5 ] && [ $$side_status -eq 5 ]; then echo "make test: no test was collected" >&2; exit 1; fi; \
	[ $$status -eq 0 -o $$status -eq 5 ] && [ $$side_status -eq 0 -o $$side_status -eq 5 ]

# Figures for the closing notes, never a timed test. bench-data builds the template once (minutes);
# bench copies it (seconds) and measures ours, OCA account_credit_control and a SQL floor side by side.
.PHONY: bench-data bench
bench-data: bootstrap
	$(PYTHON) tools/bench_data.py -c $(CONF) --size $(BENCH_SIZE) --template $(BENCH_TPL)

bench: bootstrap
	@$(PYTHON) tools/devdb.py exists $(BENCH_TPL) || { echo "make bench: run 'make bench-data BENCH_SIZE=$(BENCH_SIZE)' first" >&2; exit 1; }
	$(PYTHON) tools/bench.py -c $(CONF) --template $(BENCH_TPL) -d $(BENCH_DB) --size $(BENCH_SIZE) --days $(BENCH_DAYS) $(BENCH_ARGS)

bench-run: bench

# The run's batches as queue_job jobs, done by the real job runner with 1 and 2 workers, against the run in
# process (0), each on a fresh copy of $(BENCH_TPL) with queue_job: results.json's job_runner section.
BENCH_WORKERS ?= 0,1,2
.PHONY: bench-jobs
bench-jobs: bootstrap
	@$(PYTHON) tools/devdb.py exists $(BENCH_TPL) || { echo "make bench-jobs: run 'make bench-data BENCH_SIZE=$(BENCH_SIZE)' first" >&2; exit 1; }
	$(PYTHON) tools/bench_jobs.py -c $(CONF) --template $(BENCH_TPL) -d $(BENCH_PREFIX)_jobs_$(BENCH_SIZE) --size $(BENCH_SIZE) --workers $(BENCH_WORKERS)

stop-pg:
	@python3 tools/bootstrap.py --stop-private-pg

# Odoo's own account and sale tests (tools/run_compat.py names the selection) on a fresh database
# with the addon installed: fails on any failure or when no test ran; prints the time taken.
COMPAT_DB ?= cad_compat
.PHONY: compat
compat: bootstrap
	@$(PYTHON) tools/devdb.py drop $(COMPAT_DB)
	$(ODOO) -c $(CONF) -d $(COMPAT_DB) -i $(ADDON) --stop-after-init --no-http --log-level=warn
	$(PYTHON) tools/run_compat.py -c $(CONF) -d $(COMPAT_DB)
.PHONY: pot

# The translation template, exported by Odoo itself from a database with the addon installed or upgraded
# (model terms come from the database, code terms from the sources); then every language file gets the
# new terms, untranslated (gettext's msgmerge). tests/test_translations.py lists what is left to translate.
pot: bootstrap
	@if $(PYTHON) tools/devdb.py exists $(POT_DB); then step=-u; else step=-i; fi; \
		$(ODOO) -c $(CONF) -d $(POT_DB) $$step $(ADDON) --stop-after-init --no-http --log-level=warn
	$(ODOO) i18n export -c $(CONF) -d $(POT_DB) $(ADDON)
	@for po in $(I18N)/*.po; do \
		msgmerge --quiet --update --backup=none --no-fuzzy-matching --no-wrap "$$po" $(I18N)/$(ADDON).pot && echo "merged $$po"; \
	done
