# pageframe - top-level entry points.  CMake does the building; this file
# installs what a fresh Debian 12 machine lacks and runs the right builds.
#
#   make         build what users get into build/: the optimised library (Release,
#                PF_DEBUG_VM=0: libpageframe.a/.so), its checked variant (PF_DEBUG_VM=2:
#                libpageframe-debug.a/.so) and the CLI (build/pageframe); no tests
#   make run     build the CLI, then run the demo
#   make test    build and run every test (gcc, checked build in build-test/), then again with
#                clang ASan+UBSan, then the concurrency tests under TSan; then install build/
#                into a temporary prefix and check it is the optimised library (test-install)
#   make bench   run pageframe (the library of build/, the one make install installs) and its
#                peers side by side (bench/run.sh; EXTRA_PEERS adds programs built elsewhere)
#   make fuzz    run the libFuzzer fuzzers (FUZZ_SECONDS each)
#   make soak    a multi-threaded soak with fault injection (SOAK_SECONDS, SOAK_THREADS)
#   make install install build/ into PREFIX (default /usr/local): both libraries, headers, the CLI,
#                pageframe.pc and pageframe-debug.pc, the CMake package
#   make deps    install the Debian packages the build needs (as root)
#   make deps-report  install what the HTML report and its browser test need (Chart.js, Chromium)
#   make check-words  fail on comments copied word for word from Linux 6.12 (part of make test)
#   make kernel-tools build the kernel's tools/mm/page_owner_sort and page-types from Debian's
#                linux-source-6.12 into build-test/kernel-tools (the kernel_tools test reads our views with them)

PREFIX   ?= /usr/local
JOBS     ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE    ?= cmake
CTEST    ?= ctest
DEBIAN_PACKAGES := cmake gcc clang make pkg-config libcmocka-dev
BENCH_PACKAGES  := libjemalloc-dev libmimalloc-dev libgoogle-perftools-dev valgrind python3
# The HTML report embeds Debian's Chart.js; its browser test drives Debian's headless Chromium.
REPORT_PACKAGES := libjs-chart.js chromium python3

.PHONY: all deps deps-report configure build run test test-build test-gcc test-asan test-tsan test-install check-words kernel-tools bench fuzz soak install clean

all: build

# Install what is missing.  As root, with apt-get; otherwise name the packages.
deps:
	@missing=""; \
	for p in $(DEBIAN_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "deps: installing$$missing"; \
	    (apt-get update -qq || true) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "deps: missing Debian packages:$$missing (run: sudo apt-get install$$missing)"; exit 1; \
	  fi; \
	fi

# Chart.js for `pageframe replay --report` / `report --live`, Chromium for the report's browser test
# (tests/tools/report_browser.py; without Chromium that test is skipped).
deps-report:
	@$(MAKE) --no-print-directory deps DEBIAN_PACKAGES="$(REPORT_PACKAGES)"

# build/: what `make install` installs and `make bench` measures.  Release, debug checks off, plus
# the checked variant libpageframe-debug (PAGEFRAME_DEBUG_VARIANT); no tests (they live in build-test/).
configure: deps
	@$(CMAKE) -S . -B build -DCMAKE_C_COMPILER=gcc -DCMAKE_BUILD_TYPE=Release -DPAGEFRAME_DEBUG_VM=0 \
	  -DPAGEFRAME_DEBUG_VARIANT=ON -DPAGEFRAME_BUILD_TESTS=OFF >/dev/null

build: configure
	@$(CMAKE) --build build -j $(JOBS)

# The CLI alone (with the optimised library it links): what the demo needs.
run: configure
	@$(CMAKE) --build build -j $(JOBS) --target pageframe_cli
	./build/pageframe run

# build-test/: the checked gcc build the tests run in (expensive checks on, as before).
test-build: deps
	@$(CMAKE) -S . -B build-test -DCMAKE_C_COMPILER=gcc -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPAGEFRAME_DEBUG_VM=2 \
	  -DPAGEFRAME_DEBUG_VARIANT=OFF >/dev/null
	@$(CMAKE) --build build-test -j $(JOBS)

test-gcc: test-build deps-report kernel-tools
	$(CTEST) --test-dir build-test --output-on-failure -j $(JOBS)

test-asan: deps deps-report kernel-tools
	@$(CMAKE) -S . -B build-asan -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug \
	  -DPAGEFRAME_SANITIZE=address,undefined -DPAGEFRAME_DEBUG_VM=2 -DPAGEFRAME_DEBUG_VARIANT=OFF >/dev/null
	@$(CMAKE) --build build-asan -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  $(CTEST) --test-dir build-asan --output-on-failure -j $(JOBS)

# ThreadSanitizer build of the concurrency tests (label "concurrency"), the short soak (label "soak":
# 15 s of every subsystem at once, under pressure), and the link/contract tests.
test-tsan: deps
	@$(CMAKE) -S . -B build-tsan -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DPAGEFRAME_SANITIZE=thread -DPAGEFRAME_DEBUG_VM=1 -DPAGEFRAME_DEBUG_VARIANT=OFF >/dev/null
	@$(CMAKE) --build build-tsan -j $(JOBS)
	TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
	  $(CTEST) --test-dir build-tsan --output-on-failure -L 'concurrency|link|soak'

# The public contract is a CTest test of its own (tests/contract: install into a prefix under
# the build tree, build a program against it with pkg-config and find_package); with the symbol
# tests (tests/link, label "link") it runs in each build above.
# test-install: what `make install` installs, checked from a temporary prefix (tests/install/run.sh):
# build/ (the Release, PF_DEBUG_VM=0 library users get; gcc -O3 finds warnings the debug builds do
# not) installed, consumers built through pkg-config and find_package, pf_build_info() and the
# binaries themselves showing libpageframe is the optimised library and libpageframe-debug the
# checked one; then the public contract (tests/contract) against that install.
test-install: build
	tests/install/run.sh build gcc $(CMAKE)

test: test-gcc test-asan test-tsan test-install check-words

# Our comments in our own words: no comment line of 40+ characters in src/ or include/ may be
# a Linux 6.12 line verbatim (installs linux-source-6.12, extracts what we follow into build/kernel-words/).
check-words:
	@tools/check-own-words.sh

# The kernel's own readers of page_owner and kpageflags (Linux 6.12 tools/mm), built at test time:
# installs linux-source-6.12 when missing (as root), extracts tools/mm and what its Makefile needs.
# The kernel_tools test (tests/kernel_tools) builds them itself in each build tree when absent.
kernel-tools:
	@tools/kernel-tools.sh build-test/kernel-tools --install

# Benchmarks against glibc, jemalloc, mimalloc, tcmalloc and a bare free list, then the fragmentation
# benchmark (bench/frag.c, bench/frag_malloc.c) and the pressure benchmark (bench/pressure.c); prints
# figures, never fails on speed.  It measures build/'s libpageframe.a: the library make install installs.
# EXTRA_PEERS: more bench programs built outside the tree, run beside the peers (bench/run.sh).
bench: build
	@$(MAKE) --no-print-directory deps DEBIAN_PACKAGES="$(BENCH_PACKAGES)"
	bench/run.sh build

# Coverage-guided fuzzing with libFuzzer (clang), FUZZ_SECONDS per fuzzer; findings in build-fuzz/artifacts/.
FUZZ_SECONDS ?= 300
fuzz: deps
	@$(CMAKE) -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPAGEFRAME_DEBUG_VM=2 \
	  -DPAGEFRAME_DEBUG_VARIANT=OFF >/dev/null
	@$(CMAKE) --build build-fuzz -j $(JOBS) --target fuzz_api fuzz_machine fuzz_trace
	mkdir -p build-fuzz/corpus_api build-fuzz/corpus_machine build-fuzz/corpus_trace build-fuzz/artifacts
	./build-fuzz/tests/fuzz/fuzz_api -max_total_time=$(FUZZ_SECONDS) -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
	  -artifact_prefix=build-fuzz/artifacts/ build-fuzz/corpus_api tests/fuzz/corpus_api
	./build-fuzz/tests/fuzz/fuzz_machine -max_total_time=$(FUZZ_SECONDS) -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
	  -artifact_prefix=build-fuzz/artifacts/ build-fuzz/corpus_machine tests/fuzz/corpus_machine
	./build-fuzz/tests/fuzz/fuzz_trace -max_total_time=$(FUZZ_SECONDS) -max_len=8192 -timeout=10 -rss_limit_mb=2048 \
	  -artifact_prefix=build-fuzz/artifacts/ build-fuzz/corpus_trace tests/fuzz/corpus_trace

# A multi-threaded soak with fault injection: SOAK_SECONDS, SOAK_THREADS; prints pages lost (must be 0).
SOAK_SECONDS ?= 600
SOAK_THREADS ?= $(JOBS)
soak: test-build
	./build-test/tests/soak/soak $(SOAK_SECONDS) $(SOAK_THREADS)

install: build
	$(CMAKE) --install build --prefix $(PREFIX)

clean:
	rm -rf build build-test build-asan build-tsan build-release build-bench build-fuzz
