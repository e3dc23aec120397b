# tests/targets/modules.mk: the targets of tests/integration/modules.sh,
# at -O0 and -O2 like every target (see tests/targets/local.mk for why
# CFLAGS is emptied): IFUNCs of libraries loaded at run time.  The target
# must not link libm: it dlopens it.

check_PROGRAMS += tests/targets/ifunc-O0
tests_targets_ifunc_O0_SOURCES = tests/targets/ifunc.c
tests_targets_ifunc_O0_CFLAGS = $(TGT_CFLAGS) -O0
tests_targets_ifunc_O0_LDFLAGS = $(TGT_LINKFLAGS)
tests_targets_ifunc_O0_LDADD = -ldl
tests/targets/ifunc-O0$(EXEEXT) tests/targets/ifunc_O0-ifunc.$(OBJEXT): CFLAGS =

check_PROGRAMS += tests/targets/ifunc-O2
tests_targets_ifunc_O2_SOURCES = tests/targets/ifunc.c
tests_targets_ifunc_O2_CFLAGS = $(TGT_CFLAGS) -O2
tests_targets_ifunc_O2_LDFLAGS = $(TGT_LINKFLAGS)
tests_targets_ifunc_O2_LDADD = -ldl
tests/targets/ifunc-O2$(EXEEXT) tests/targets/ifunc_O2-ifunc.$(OBJEXT): CFLAGS =

# Loaded by the ifunc target; a program built with -shared is a library.
check_PROGRAMS += tests/targets/libifunc.so
tests_targets_libifunc_so_SOURCES = tests/targets/ifunclib.c
tests_targets_libifunc_so_CFLAGS = $(TGT_CFLAGS) -fPIC -O2
tests_targets_libifunc_so_LDFLAGS = $(TGT_LINKFLAGS) -shared
tests/targets/libifunc.so$(EXEEXT) tests/targets/libifunc_so-ifunclib.$(OBJEXT): CFLAGS =

# libplugin.so again, named as a versioned library is: the file
# libfoo.so.1.2.3 with the soname libfoo.so.1 (tests/integration/patterns.sh
# loads it through a symlink libfoo.so.1, as ldconfig would make one).
check_PROGRAMS += tests/targets/libfoo.so.1.2.3
tests_targets_libfoo_so_1_2_3_SOURCES = tests/targets/plugin.c
tests_targets_libfoo_so_1_2_3_CFLAGS = $(TGT_CFLAGS) -fPIC -O2
tests_targets_libfoo_so_1_2_3_LDFLAGS = $(TGT_LINKFLAGS) -shared -Wl,-soname,libfoo.so.1
tests/targets/libfoo.so.1.2.3$(EXEEXT) tests/targets/libfoo_so_1_2_3-plugin.$(OBJEXT): CFLAGS =
