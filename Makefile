# Passerelle: `make run` to try it, `make test` to check it. `make help` lists every target.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.DEFAULT_GOAL := help
.PHONY: help install pdf-libs varnish-pkg install-dev migrate demo run serve lint format check test test-fast test-browser clean federation sso-idp

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-14s %s\n", $$1, $$2}'

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is required")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@ $(VENV)/.runtime

install: $(VENV)/.runtime pdf-libs $(LOCALE_MO) ## Create .venv and install the runtime dependencies

PDF_LIBS := libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core
pdf-libs: ## Debian libraries WeasyPrint needs for the guide PDF export (installed when root)
	@if ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0.so.0; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(PDF_LIBS) >/dev/null; \
	else echo "Pango missing: install $(PDF_LIBS) (the guide PDF export answers 503 without it)"; fi

# Corrections of machina's French (locale/fr): compiled with msgfmt (Debian package gettext) when
# the .po is newer; the committed .mo serves when gettext is absent.
LOCALE_MO := locale/fr/LC_MESSAGES/django.mo
$(LOCALE_MO): locale/fr/LC_MESSAGES/django.po
	@if command -v msgfmt >/dev/null; then msgfmt --check-format -o $@ $<; \
	else echo "gettext missing (msgfmt): using the committed $@"; fi

# axe-core for the accessibility sweep of the browser tests (tests/browser/axe/package-lock.json)
AXE := tests/browser/axe/node_modules/axe-core/axe.min.js
$(AXE): tests/browser/axe/package.json tests/browser/axe/package-lock.json
	@if command -v npm >/dev/null; then npm ci --prefix tests/browser/axe --no-audit --no-fund --silent; \
	else echo "npm missing: the axe-core sweep of the browser tests is skipped"; fi
	@touch $@ 2>/dev/null || true

install-dev: $(VENV)/.dev $(LOCALE_MO) $(AXE) varnish-pkg ## Install the test and lint dependencies too

varnish-pkg: ## Debian's Varnish, for the front cache test (installed when root)
	@if command -v varnishd >/dev/null || [ -x /usr/sbin/varnishd ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq varnish >/dev/null; \
	else echo "Varnish missing: install the Debian package varnish (front cache test)"; fi

migrate: install ## Apply the database migrations
	$(MANAGE) migrate --no-input

demo: migrate ## Load the French demo content (idempotent)
	$(MANAGE) load_demo_data

# Links in the demo's emails and in the admin point at the server make run starts.
run demo: export PASSERELLE_BASE_URL ?= http://$(HOST):$(PORT)

run: demo ## Install, migrate, load the demo content and serve http://127.0.0.1:8000
	@echo ""
	@echo "  Passerelle : http://$(HOST):$(PORT)/   (administration : http://$(HOST):$(PORT)/admin/)"
	@echo "  Comptes de démonstration (mot de passe : passerelle-demo)"
	@echo "    personnel    Personnel d'établissement (Université de Valmont)"
	@echo "    personnel2   Personnel d'établissement (Université Rhône-Alpine)"
	@echo "    charge       Chargée de domaine Télétravail et Sécurité SI"
	@echo "    charge-rh    Chargé de domaine RH / Siham"
	@echo "    editeur      Éditrice"
	@echo "    admin        Administrateur"
	@echo "  editeur et admin : double authentification ; le code TOTP du moment :"
	@echo "    $(MANAGE) demo_totp editeur   (ou admin)"
	@echo ""
	@echo "  Tâches d'arrière-plan : manage.py tasks_worker (lancé à côté du serveur, arrêté avec lui)"
	@echo ""
	@trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	  $(MANAGE) tasks_worker & worker=$$!; \
	  $(MANAGE) runserver $(HOST):$(PORT)

SSO_IDP := tests/idp/oidc
sso-idp: ## Test identity providers' tools: xmlsec1 (Debian, when root) and node-oidc-provider (npm ci)
	@command -v xmlsec1 >/dev/null || { [ "$$(id -u)" = 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq xmlsec1 >/dev/null; } || echo "xmlsec1 missing: install the Debian package xmlsec1"
	@[ -d $(SSO_IDP)/node_modules/oidc-provider ] || (cd $(SSO_IDP) && npm ci --no-audit --no-fund --silent)

federation: demo sso-idp ## Demo federation: 2 establishments' SAML IdPs + an OpenID provider on 127.0.0.1:8101-8103 (then `make run`)
	$(BIN)/python tests/idp/demo.py

lint: install-dev ## Ruff (lint and format) and djhtml (template indentation)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djhtml --check templates

format: install-dev ## Rewrite the code and templates in the house format
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	$(BIN)/djhtml templates

check: install-dev ## Django checks, missing migrations, production settings with --deploy
	DJANGO_SETTINGS_MODULE=config.settings.test $(MANAGE) check
	DJANGO_SETTINGS_MODULE=config.settings.test $(MANAGE) makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=config.settings.production \
	  DJANGO_SECRET_KEY=check-deploy-$$(date +%s)-a-long-random-value-for-the-deploy-check-only \
	  DJANGO_ALLOWED_HOSTS=passerelle.example.fr \
	  $(MANAGE) check --deploy --fail-level WARNING

test: lint check sso-idp ## Lint, checks and the whole test suite (browser tests when Chromium is present)
	$(BIN)/pytest -p no:cacheprovider $(PYTEST_ARGS)

test-fast: install-dev ## The test suite only, without lint and checks
	$(BIN)/pytest -p no:cacheprovider -x $(PYTEST_ARGS)

test-browser: install-dev ## The browser tests only (needs /usr/bin/chromium)
	PASSERELLE_REQUIRE_BROWSER=1 $(BIN)/pytest -p no:cacheprovider -m browser $(PYTEST_ARGS)

clean: ## Remove the virtualenv, the local database and caches
	rm -rf $(VENV) var .pytest_cache .ruff_cache
