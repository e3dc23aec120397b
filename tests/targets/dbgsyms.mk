# tests/targets/dbgsyms.mk: the targets of tests/integration/debugsyms.sh,
# at -O0 and -O2 (see tests/targets/local.mk for why CFLAGS are emptied).
# The same objects are linked twice with one explicit build-id: dbgsyms-ON
# with its .symtab and DWARF, which serves as the separate debug file of
# dbgsyms-stripped-ON, linked with -s (no .symtab, no DWARF).  Built here
# rather than with objcopy/strip in the test, so the aarch64 guest (which
# has no binutils) runs the test too.
DBGSYMS_SOURCES = tests/targets/dbgsyms.c tests/targets/dbgsyms2.c tests/targets/dbgsyms_asm.S
DBGSYMS_BUILD_ID = 0xca11d0b6d0b6ca11d0b6d0b6ca11d0b6d0b6ca

check_PROGRAMS += tests/targets/dbgsyms-O0
tests_targets_dbgsyms_O0_SOURCES = $(DBGSYMS_SOURCES)
tests_targets_dbgsyms_O0_CFLAGS = $(TGT_CFLAGS) -O0
tests_targets_dbgsyms_O0_CCASFLAGS = -g
tests_targets_dbgsyms_O0_LDFLAGS = $(TGT_LINKFLAGS) -Wl,--build-id=$(DBGSYMS_BUILD_ID)00
tests/targets/dbgsyms-O0$(EXEEXT) tests/targets/dbgsyms_O0-dbgsyms.$(OBJEXT) \
	tests/targets/dbgsyms_O0-dbgsyms2.$(OBJEXT): CFLAGS =

check_PROGRAMS += tests/targets/dbgsyms-stripped-O0
tests_targets_dbgsyms_stripped_O0_SOURCES =
tests_targets_dbgsyms_stripped_O0_LDADD = $(tests_targets_dbgsyms_O0_OBJECTS)
tests_targets_dbgsyms_stripped_O0_LDFLAGS = $(TGT_LINKFLAGS) -s \
	-Wl,--build-id=$(DBGSYMS_BUILD_ID)00

check_PROGRAMS += tests/targets/dbgsyms-O2
tests_targets_dbgsyms_O2_SOURCES = $(DBGSYMS_SOURCES)
tests_targets_dbgsyms_O2_CFLAGS = $(TGT_CFLAGS) -O2
tests_targets_dbgsyms_O2_CCASFLAGS = -g
tests_targets_dbgsyms_O2_LDFLAGS = $(TGT_LINKFLAGS) -Wl,--build-id=$(DBGSYMS_BUILD_ID)02
tests/targets/dbgsyms-O2$(EXEEXT) tests/targets/dbgsyms_O2-dbgsyms.$(OBJEXT) \
	tests/targets/dbgsyms_O2-dbgsyms2.$(OBJEXT): CFLAGS =

check_PROGRAMS += tests/targets/dbgsyms-stripped-O2
tests_targets_dbgsyms_stripped_O2_SOURCES =
tests_targets_dbgsyms_stripped_O2_LDADD = $(tests_targets_dbgsyms_O2_OBJECTS)
tests_targets_dbgsyms_stripped_O2_LDFLAGS = $(TGT_LINKFLAGS) -s \
	-Wl,--build-id=$(DBGSYMS_BUILD_ID)02
