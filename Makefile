# govit — `make run` serves the demo on SQLite; `make test` runs every test.
# GOVIT_TEST_POSTGRES=<server URL> adds a second full run on PostgreSQL. The browser journeys run
# wherever Debian's chromium is installed (`make browser-deps` installs it; .ci/run does).
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PYTHON ?= python3

.PHONY: install fonts browser-deps bench-deps faketime-deps run test test-sqlite test-postgres test-clock test-clock-full \
	mutation mutation-ci bench bench-crypto bench-ledger bench-peer clean

# Charts and exports need a freely licensed CJK font (Debian's Noto CJK); installed when missing.
# The official documents' PDF (WeasyPrint, issue 21) needs pango too; installed when missing.
fonts:
	@fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || { \
	  echo "installing fonts-noto-cjk (Chinese in charts)"; \
	  tools/apt-install fontconfig fonts-noto-cjk; }
	@libs=$$( { ldconfig -p || /sbin/ldconfig -p; } 2>/dev/null ); \
	echo "$$libs" | grep -q "libpango-1.0.so.0" && echo "$$libs" | grep -q "libpangoft2-1.0.so.0" || { \
	  echo "installing pango (PDF of the official documents)"; \
	  tools/apt-install libpango-1.0-0 libpangoft2-1.0-0; }

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

install: $(STAMP) fonts

browser-deps:
	@command -v chromium >/dev/null || { \
	  echo "installing Debian chromium"; \
	  tools/apt-install chromium; }

# The demo is a training environment: its story runs through the June 2026 round, so the app's
# date is pinned there (GOVIT_TODAY, API.md). `make run DEMO_TODAY=` serves on the real date.
DEMO_TODAY ?= 2026-06-22

run: install
	$(VENV)/bin/govit init
	$(VENV)/bin/govit demo
	@echo "govit 启动后在浏览器打开 http://127.0.0.1:5000/login 登录，演示账号的密码均为 Govit@2026："
	@echo "  营商环境局 planner、reviewer_business；网信办 reviewer_cyber；密码管理局 reviewer_crypto；"
	@echo "  财政厅 finance；发改委 ndrc；内网办 intranet；审计厅 auditor；系统管理员 admin；安全管理员 security_admin；"
	@echo "  部门 jyt_applicant、jyt_head、wjw_applicant、wjw_head、rst_applicant、rst_head、mzt_head、scjg_head、ybj_head、jtt_head。"
	@echo "  各角色的操作指引在右上角用户菜单；API 文档 http://127.0.0.1:5000/api/v1/docs。按 Ctrl+C 停止。"
	GOVIT_TODAY=$(DEMO_TODAY) $(VENV)/bin/govit run --host 127.0.0.1 --port 5000

# With GOVIT_TEST_POSTGRES set (CI), the two databases' runs go side by side, one per core; each
# run's log is printed whole when it ends (failures and the slowest tests at its end). Each run also
# proves that no test depends on the machine's date (issue 18): its tests run with the machine's clock
# faked by libfaketime, the SQLite run's to the first of CLOCK_DATES and the PostgreSQL run's to the
# second; the browser journeys and the `wallclock` tests, which need time to flow as it does, run after
# them on the real clock. (`make test-clock` runs the SQLite suite at every date on its own.)
TEST_RUN = $(PY) -m pytest -p no:cacheprovider --durations=15
test: install
ifeq ($(strip $(GOVIT_TEST_POSTGRES)),)
	@$(MAKE) --no-print-directory test-sqlite
else
	@$(MAKE) --no-print-directory faketime-deps
	@echo "==== govit test suite on SQLite and on PostgreSQL ($(GOVIT_TEST_POSTGRES)), side by side, the machine's clock faked to $(CLOCK_DATES) ===="
	@set -- $(CLOCK_DATES); \
	( export GOVIT_TEST_POSTGRES=; faketime "$$1 09:00:00" $(TEST_RUN) -m "not browser and not wallclock"; r=$$?; \
	  $(TEST_RUN) -m "browser or wallclock" || r=1; exit $$r ) > .test-sqlite.log 2>&1 & a=$$!; \
	( faketime "$$2 09:00:00" $(TEST_RUN) -m "not browser and not wallclock"; r=$$?; \
	  $(TEST_RUN) -m "browser or wallclock" || r=1; exit $$r ) > .test-postgres.log 2>&1 & b=$$!; \
	status=0; wait $$a || status=1; wait $$b || status=1; \
	echo "---- SQLite (clock faked to $$1)"; cat .test-sqlite.log; echo "---- PostgreSQL (clock faked to $$2)"; cat .test-postgres.log; \
	rm -f .test-sqlite.log .test-postgres.log; exit $$status
endif

test-sqlite: install
	@echo "==== govit test suite on SQLite ===="
	GOVIT_TEST_POSTGRES= $(PY) -m pytest

test-postgres: install
	@echo "==== govit test suite on PostgreSQL ($(GOVIT_TEST_POSTGRES)) ===="
	$(PY) -m pytest

# No test may depend on the machine's date (issue 18): the suite (SQLite, browser journeys aside) runs
# again with the machine's clock faked by libfaketime to each of CLOCK_DATES.
CLOCK_DATES ?= 2026-01-01 2028-06-01
faketime-deps:
	@command -v faketime >/dev/null || { \
	  echo "installing Debian faketime (libfaketime)"; \
	  tools/apt-install faketime; }

# `make test-clock` (CI) splits the test files between the dates (each file runs under one of them, by
# a hash of its path: --shard in tests/conftest.py), so the suite runs once in all; `make test-clock-full`
# runs the whole suite at every date.
CLOCK_SHARDS ?= 1
test-clock-full: CLOCK_SHARDS=0
test-clock-full: test-clock
test-clock: install faketime-deps
	@echo "==== govit test suite on SQLite, machine clock faked to each of $(CLOCK_DATES) (in parallel) ===="
	@pids=""; i=0; n=$(words $(CLOCK_DATES)); for day in $(CLOCK_DATES); do \
	  shard=$$( [ "$(CLOCK_SHARDS)" = 1 ] && echo "--shard=$$i/$$n" ); i=$$((i+1)); \
	  GOVIT_TEST_POSTGRES= timeout 1500 faketime "$$day 09:00:00" $(PY) -m pytest -q -p no:cacheprovider \
	    --ignore=tests/browser -m "not wallclock" $$shard > .clock-$$day.log 2>&1 & pids="$$pids $$!"; \
	done; status=0; for pid in $$pids; do wait $$pid || status=1; done; \
	for day in $(CLOCK_DATES); do echo "---- clock faked to $$day"; tail -n 15 .clock-$$day.log; rm -f .clock-$$day.log; done; \
	exit $$status

# Mutation testing of the rules (issue 18): mutmut (configured in setup.cfg) mutates govit/domain/ and
# runs tests/unit against each mutant; tests/mutation/check.py reads the results. `make mutation`
# prints the score and every surviving mutant; `make mutation-ci` fails when a mutant on a line that
# names a rule survives (tests/mutation/equivalent.txt lists the equivalent ones, with reasons).
MUTATION_JOBS ?= 2
mutation: install
	rm -rf mutants
	$(VENV)/bin/mutmut run --max-children $(MUTATION_JOBS) > mutation.log 2>&1 || { tail -c 3000 mutation.log; exit 1; }
	$(PY) tests/mutation/check.py --all

mutation-ci: install
	rm -rf mutants
	$(VENV)/bin/mutmut run --max-children $(MUTATION_JOBS) > mutation.log 2>&1 || { tail -c 3000 mutation.log; exit 1; }
	$(PY) tests/mutation/check.py

bench-deps:
	@command -v wrk >/dev/null || { \
	  echo "installing Debian wrk (the load generator)"; \
	  tools/apt-install wrk; }

# The benchmark of issues 9 and 24: SQLite and PostgreSQL (GOVIT_BENCH_POSTGRES, default the local server)
# at 20,000 projects, without and with a writer (every 500 ms, every 100 ms), in process, cold starts;
# about 25 minutes. BENCH_SCALES=2000,20000 adds the growth check; BENCH_ARGS passes bench.run's options
# (--duration, --repeat, --writers, ...). Writes docs/PERFORMANCE.md. On PostgreSQL it first loads
# pg_stat_statements into the local server (tools/pg-stat-statements; a restart, once) to say where the time goes.
BENCH_SCALES ?= 20000
BENCH_DATABASES ?= sqlite,postgresql
BENCH_ARGS ?=
bench: install bench-deps
	@case ",$(BENCH_DATABASES)," in *,postgresql,*) tools/pg-stat-statements $(GOVIT_BENCH_POSTGRES);; esac
	$(PY) -m bench.run --databases $(BENCH_DATABASES) --scales $(BENCH_SCALES) $(BENCH_ARGS)

# CRYPTO.md (issue 23): a 10 MB download with and without SM4 (≤ 20% slower) and sign-in p50 (< 200 ms)
bench-crypto: install
	$(PY) -m bench.crypto

clean:
	rm -rf $(VENV) instance/govit.sqlite .pytest_cache mutants mutation.log

# Issue 20: check and import a 2,000-row ledger on SQLite and PostgreSQL (targets: check < 10 s, import < 60 s)
bench-ledger: install
	$(PY) -m bench.ledger --rows 2000 --databases $(BENCH_DATABASES)

# Issue 24: govit side by side with its peer, Redmine 5.0 (Debian's redmine and puma, installed when missing),
# both at 20,000 records: list, record page and API list, interleaved, three rounds. Optional, not part of
# `make test`; needs root for apt. Writes its own section of docs/PERFORMANCE.md (bench/peer.py).
BENCH_PEER_DATABASES ?= sqlite
bench-peer: install bench-deps
	$(PY) -m bench.peer --databases $(BENCH_PEER_DATABASES)
