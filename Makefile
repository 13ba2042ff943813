# customer_aware_dunning developer commands. `make help` lists them.
DEV      := .dev
PYTHON   := $(DEV)/venv/bin/python
CONF     := $(DEV)/odoo.conf
ODOO     := $(PYTHON) $(DEV)/odoo/usr/bin/odoo
ADDON    := customer_aware_dunning
DEMO_DB  ?= cad_demo
TEST_DB  ?= cad_test
PYTEST_ARGS ?=
BENCH_DB ?= cad_bench
BENCH_SIZES ?= 100 1000
POT_DB   ?= cad_pot
I18N     := $(ADDON)/i18n

.PHONY: help bootstrap run test lint db-test stop-pg bench-run

help:
	@echo "make run        bootstrap, create/upgrade the demo database '$(DEMO_DB)' and serve Odoo on 127.0.0.1:8069"
	@echo "make test       bootstrap, build a fresh '$(TEST_DB)' database with the addon and run every test"
	@echo "make lint       ruff over the repository"
	@echo "make bootstrap  only prepare Odoo, the virtualenv, PostgreSQL and $(CONF)"
	@echo "make bench-run  queries and seconds of the daily run for $(BENCH_SIZES) customers (database $(BENCH_DB))"
	@echo "make pot        export $(I18N)/$(ADDON).pot from the database '$(POT_DB)' and merge it into every .po"

bootstrap:
	@python3 tools/bootstrap.py

run: bootstrap
	@if $(PYTHON) tools/devdb.py exists $(DEMO_DB); then \
		echo "Upgrading $(ADDON) in the demo database $(DEMO_DB)"; \
		$(ODOO) -c $(CONF) -d $(DEMO_DB) -u $(ADDON) --stop-after-init --no-http --log-level=warn; \
	else \
		echo "Creating the demo database $(DEMO_DB) (takes about a minute)"; \
		$(ODOO) -c $(CONF) -d $(DEMO_DB) -i $(ADDON) --with-demo --stop-after-init --no-http --log-level=warn; \
	fi
	@echo ""
	@echo "  Odoo is at http://127.0.0.1:8069  -  log in as admin / admin  (Ctrl-C stops it)"
	@echo ""
	$(ODOO) -c $(CONF) -d $(DEMO_DB) --db-filter='^$(DEMO_DB)$$'

lint: bootstrap
	$(DEV)/venv/bin/ruff check .

# With OCA queue_job beside the addon (an optional peer, installed by requirements.lock), so that
# the run's batches-as-jobs are tested too; the other tests keep the batches in process.
db-test: bootstrap
	@$(PYTHON) tools/devdb.py drop $(TEST_DB)
	$(ODOO) -c $(CONF) -d $(TEST_DB) -i $(ADDON),queue_job,snailmail --stop-after-init --no-http --log-level=warn

# Exit code 5 means pytest collected no test: that is a failure here.
test: lint db-test
	@$(PYTHON) -m pytest --odoo-config=$(CONF) --odoo-database=$(TEST_DB) --odoo-http \
		$(ADDON)/tests tests $(PYTEST_ARGS); \
	status=$$?; \
	if [ $$status -eq 5 ]; then echo "make test: no test was collected" >&2; exit 1; fi; \
	exit $$status

# Figures for the closing notes, never a timed test: the script rolls back what it builds.
bench-run: bootstrap
	@if $(PYTHON) tools/devdb.py exists $(BENCH_DB); then step=-u; else step=-i; fi; \
		$(ODOO) -c $(CONF) -d $(BENCH_DB) $$step $(ADDON) --stop-after-init --no-http --log-level=warn
	$(PYTHON) tools/bench_daily_run.py -c $(CONF) -d $(BENCH_DB) $(BENCH_SIZES)

stop-pg:
	@python3 tools/bootstrap.py --stop-private-pg

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
