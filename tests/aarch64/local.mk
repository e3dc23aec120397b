# tests/aarch64: the test suite on a real aarch64 kernel, from an x86_64 build
# (tests/aarch64/run.sh: cross build, initramfs, qemu-system-aarch64).
#   make check-aarch64        on -cpu cortex-a72
#   make check-aarch64-pac    on -cpu max,pauth-impdef=on, built with
#                             -mbranch-protection=standard
# AARCH64_TIMEOUT: seconds before a hung VM counts as a failure;
# AARCH64_CACHE: downloads (default ~/.cache/calltrap-aarch64);
# AARCH64_FLAGS: more run.sh options, e.g. AARCH64_FLAGS='--tests tests/integration/calls.sh'.
AARCH64_TIMEOUT = 3600
AARCH64_CACHE =
AARCH64_FLAGS =
AARCH64_RUN = bash $(abs_top_srcdir)/tests/aarch64/run.sh --srcdir='$(abs_top_srcdir)' \
	--builddir='$(abs_top_builddir)' --timeout='$(AARCH64_TIMEOUT)' --cache='$(AARCH64_CACHE)'

check-aarch64:
	$(AARCH64_RUN) $(AARCH64_FLAGS)

check-aarch64-pac:
	$(AARCH64_RUN) --pac $(AARCH64_FLAGS)

# run.sh asks the aarch64 build directory what to run and what to copy
check-aarch64-vars:
	@printf 'tests:'; for t in $(TESTS); do \
		case ' $(HOST_ONLY_TESTS) ' in *" $$t "*) ;; *) printf ' %s' "$$t" ;; esac; \
	done; echo
	@echo 'xfail: $(XFAIL_TESTS)'
	@echo 'pac: $(PAC_GUEST_TESTS)'
	@echo 'programs: $(bin_PROGRAMS) $(check_PROGRAMS)'

.PHONY: check-aarch64 check-aarch64-pac check-aarch64-vars
EXTRA_DIST += tests/aarch64/run.sh tests/aarch64/init.sh

# the cross builds and VM work directories live in the build directory
clean-local: clean-aarch64
clean-aarch64:
	rm -rf build-aarch64 build-aarch64-pac aarch64-run aarch64-run-pac
.PHONY: clean-aarch64
