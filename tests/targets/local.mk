# tests/targets: programs that print the ground truth calltrap must report.
#
# Each target is built twice, at -O0 and at -O2 (tests/targets/NAME-O0 and
# NAME-O2), without sanitizers.  automake puts the user's CFLAGS (by default
# "-g -O2") after the per-program flags, where its -O would win, so CFLAGS
# and CXXFLAGS are emptied for these programs and their objects (a GNU make
# target-specific assignment): a target's -O level is always its own.

check_PROGRAMS += tests/targets/calls-O0
tests_targets_calls_O0_SOURCES = tests/targets/calls.c
tests_targets_calls_O0_CFLAGS = $(TGT_CFLAGS) -O0
tests_targets_calls_O0_LDFLAGS = $(TGT_LINKFLAGS)
tests/targets/calls-O0$(EXEEXT) tests/targets/calls_O0-calls.$(OBJEXT): CFLAGS =

check_PROGRAMS += tests/targets/threads-O0
tests_targets_threads_O0_SOURCES = tests/targets/threads.c
tests_targets_threads_O0_CFLAGS = $(TGT_CFLAGS) -O0
tests_targets_threads_O0_LDFLAGS = $(TGT_LINKFLAGS)
tests/targets/threads-O0$(EXEEXT) tests/targets/threads_O0-threads.$(OBJEXT): CFLAGS =

check_PROGRAMS += tests/targets/longjmp-O0
tests_targets_longjmp_O0_SOURCES = tests/targets/longjmp.c
tests_targets_longjmp_O0_CFLAGS = $(TGT_CFLAGS) -O0
tests_targets_longjmp_O0_LDFLAGS = $(TGT_LINKFLAGS)
tests/targets/longjmp-O0$(EXEEXT) tests/targets/longjmp_O0-longjmp.$(OBJEXT): CFLAGS =

check_PROGRAMS += tests/targets/signals-O0
tests_targets_signals_O0_SOURCES = tests/targets/signals.c
tests_targets_signals_O0_CFLAGS = $(TGT_CFLAGS) -O0
tests_targets_signals_O0_LDFLAGS = $(TGT_LINKFLAGS)
tests/targets/signals-O0$(EXEEXT) tests/targets/signals_O0-signals.$(OBJEXT): CFLAGS =

check_PROGRAMS += tests/targets/fork-O0
tests_targets_fork_O0_SOURCES = tests/targets/fork.c
tests_targets_fork_O0_CFLAGS = $(TGT_CFLAGS) -O0
tests_targets_fork_O0_LDFLAGS = $(TGT_LINKFLAGS)
tests/targets/fork-O0$(EXEEXT) tests/targets/fork_O0-fork.$(OBJEXT): CFLAGS =

check_PROGRAMS += tests/targets/vfork-O0
tests_targets_vfork_O0_SOURCES = tests/targets/vfork.c
tests_targets_vfork_O0_CFLAGS = $(TGT_CFLAGS) -O0
tests_targets_vfork_O0_LDFLAGS = $(TGT_LINKFLAGS)
tests/targets/vfork-O0$(EXEEXT) tests/targets/vfork_O0-vfork.$(OBJEXT): CFLAGS =

check_PROGRAMS += tests/targets/exec-O0
tests_targets_exec_O0_SOURCES = tests/targets/exec.c
tests_targets_exec_O0_CFLAGS = $(TGT_CFLAGS) -O0
tests_targets_exec_O0_LDFLAGS = $(TGT_LINKFLAGS)
tests/targets/exec-O0$(EXEEXT) tests/targets/exec_O0-exec.$(OBJEXT): CFLAGS =

check_PROGRAMS += tests/targets/dlopen-O0
tests_targets_dlopen_O0_SOURCES = tests/targets/dlopen.c
tests_targets_dlopen_O0_CFLAGS = $(TGT_CFLAGS) -O0
tests_targets_dlopen_O0_LDFLAGS = $(TGT_LINKFLAGS)
tests_targets_dlopen_O0_LDADD = -ldl
tests/targets/dlopen-O0$(EXEEXT) tests/targets/dlopen_O0-dlopen.$(OBJEXT): CFLAGS =

check_PROGRAMS += tests/targets/libc-O0
tests_targets_libc_O0_SOURCES = tests/targets/libc.c
tests_targets_libc_O0_CFLAGS = $(TGT_CFLAGS) -O0
tests_targets_libc_O0_LDFLAGS = $(TGT_LINKFLAGS)
tests/targets/libc-O0$(EXEEXT) tests/targets/libc_O0-libc.$(OBJEXT): CFLAGS =

check_PROGRAMS += tests/targets/busy-O0
tests_targets_busy_O0_SOURCES = tests/targets/busy.c
tests_targets_busy_O0_CFLAGS = $(TGT_CFLAGS) -O0
tests_targets_busy_O0_LDFLAGS = $(TGT_LINKFLAGS)
tests/targets/busy-O0$(EXEEXT) tests/targets/busy_O0-busy.$(OBJEXT): CFLAGS =

check_PROGRAMS += tests/targets/exitcode-O0
tests_targets_exitcode_O0_SOURCES = tests/targets/exitcode.c
tests_targets_exitcode_O0_CFLAGS = $(TGT_CFLAGS) -O0
tests_targets_exitcode_O0_LDFLAGS = $(TGT_LINKFLAGS)
tests/targets/exitcode-O0$(EXEEXT) tests/targets/exitcode_O0-exitcode.$(OBJEXT): CFLAGS =

check_PROGRAMS += tests/targets/exceptions-O0
tests_targets_exceptions_O0_SOURCES = tests/targets/exceptions.cc
tests_targets_exceptions_O0_CXXFLAGS = $(TGT_CFLAGS) -O0
tests_targets_exceptions_O0_LDFLAGS = $(TGT_LINKFLAGS)
tests/targets/exceptions-O0$(EXEEXT) tests/targets/exceptions_O0-exceptions.$(OBJEXT): CXXFLAGS =

check_PROGRAMS += tests/targets/calls-O2
tests_targets_calls_O2_SOURCES = tests/targets/calls.c
tests_targets_calls_O2_CFLAGS = $(TGT_CFLAGS) -O2
tests_targets_calls_O2_LDFLAGS = $(TGT_LINKFLAGS)
tests/targets/calls-O2$(EXEEXT) tests/targets/calls_O2-calls.$(OBJEXT): CFLAGS =

check_PROGRAMS += tests/targets/threads-O2
tests_targets_threads_O2_SOURCES = tests/targets/threads.c
tests_targets_threads_O2_CFLAGS = $(TGT_CFLAGS) -O2
tests_targets_threads_O2_LDFLAGS = $(TGT_LINKFLAGS)
tests/targets/threads-O2$(EXEEXT) tests/targets/threads_O2-threads.$(OBJEXT): CFLAGS =

check_PROGRAMS += tests/targets/longjmp-O2
tests_targets_longjmp_O2_SOURCES = tests/targets/longjmp.c
tests_targets_longjmp_O2_CFLAGS = $(TGT_CFLAGS) -O2
tests_targets_longjmp_O2_LDFLAGS = $(TGT_LINKFLAGS)
tests/targets/longjmp-O2$(EXEEXT) tests/targets/longjmp_O2-longjmp.$(OBJEXT): CFLAGS =

check_PROGRAMS += tests/targets/signals-O2
tests_targets_signals_O2_SOURCES = tests/targets/signals.c
tests_targets_signals_O2_CFLAGS = $(TGT_CFLAGS) -O2
tests_targets_signals_O2_LDFLAGS = $(TGT_LINKFLAGS)
tests/targets/signals-O2$(EXEEXT) tests/targets/signals_O2-signals.$(OBJEXT): CFLAGS =

check_PROGRAMS += tests/targets/fork-O2
tests_targets_fork_O2_SOURCES = tests/targets/fork.c
tests_targets_fork_O2_CFLAGS = $(TGT_CFLAGS) -O2
tests_targets_fork_O2_LDFLAGS = $(TGT_LINKFLAGS)
tests/targets/fork-O2$(EXEEXT) tests/targets/fork_O2-fork.$(OBJEXT): CFLAGS =

check_PROGRAMS += tests/targets/vfork-O2
tests_targets_vfork_O2_SOURCES = tests/targets/vfork.c
tests_targets_vfork_O2_CFLAGS = $(TGT_CFLAGS) -O2
tests_targets_vfork_O2_LDFLAGS = $(TGT_LINKFLAGS)
tests/targets/vfork-O2$(EXEEXT) tests/targets/vfork_O2-vfork.$(OBJEXT): CFLAGS =

check_PROGRAMS += tests/targets/exec-O2
tests_targets_exec_O2_SOURCES = tests/targets/exec.c
tests_targets_exec_O2_CFLAGS = $(TGT_CFLAGS) -O2
tests_targets_exec_O2_LDFLAGS = $(TGT_LINKFLAGS)
tests/targets/exec-O2$(EXEEXT) tests/targets/exec_O2-exec.$(OBJEXT): CFLAGS =

check_PROGRAMS += tests/targets/dlopen-O2
tests_targets_dlopen_O2_SOURCES = tests/targets/dlopen.c
tests_targets_dlopen_O2_CFLAGS = $(TGT_CFLAGS) -O2
tests_targets_dlopen_O2_LDFLAGS = $(TGT_LINKFLAGS)
tests_targets_dlopen_O2_LDADD = -ldl
tests/targets/dlopen-O2$(EXEEXT) tests/targets/dlopen_O2-dlopen.$(OBJEXT): CFLAGS =

check_PROGRAMS += tests/targets/libc-O2
tests_targets_libc_O2_SOURCES = tests/targets/libc.c
tests_targets_libc_O2_CFLAGS = $(TGT_CFLAGS) -O2
tests_targets_libc_O2_LDFLAGS = $(TGT_LINKFLAGS)
tests/targets/libc-O2$(EXEEXT) tests/targets/libc_O2-libc.$(OBJEXT): CFLAGS =

check_PROGRAMS += tests/targets/busy-O2
tests_targets_busy_O2_SOURCES = tests/targets/busy.c
tests_targets_busy_O2_CFLAGS = $(TGT_CFLAGS) -O2
tests_targets_busy_O2_LDFLAGS = $(TGT_LINKFLAGS)
tests/targets/busy-O2$(EXEEXT) tests/targets/busy_O2-busy.$(OBJEXT): CFLAGS =

check_PROGRAMS += tests/targets/exitcode-O2
tests_targets_exitcode_O2_SOURCES = tests/targets/exitcode.c
tests_targets_exitcode_O2_CFLAGS = $(TGT_CFLAGS) -O2
tests_targets_exitcode_O2_LDFLAGS = $(TGT_LINKFLAGS)
tests/targets/exitcode-O2$(EXEEXT) tests/targets/exitcode_O2-exitcode.$(OBJEXT): CFLAGS =

check_PROGRAMS += tests/targets/exceptions-O2
tests_targets_exceptions_O2_SOURCES = tests/targets/exceptions.cc
tests_targets_exceptions_O2_CXXFLAGS = $(TGT_CFLAGS) -O2
tests_targets_exceptions_O2_LDFLAGS = $(TGT_LINKFLAGS)
tests/targets/exceptions-O2$(EXEEXT) tests/targets/exceptions_O2-exceptions.$(OBJEXT): CXXFLAGS =

# Loaded by the dlopen target; a program built with -shared is a library.
check_PROGRAMS += tests/targets/libplugin.so
tests_targets_libplugin_so_SOURCES = tests/targets/plugin.c
tests_targets_libplugin_so_CFLAGS = $(TGT_CFLAGS) -fPIC -O2
tests_targets_libplugin_so_LDFLAGS = $(TGT_LINKFLAGS) -shared
tests/targets/libplugin.so$(EXEEXT) tests/targets/libplugin_so-plugin.$(OBJEXT): CFLAGS =

# A process already traced by its parent, for the error tests.
check_PROGRAMS += tests/targets/traceme
tests_targets_traceme_SOURCES = tests/targets/traceme.c
tests_targets_traceme_CFLAGS = $(TGT_CFLAGS) -O2
tests_targets_traceme_LDFLAGS = $(TGT_LINKFLAGS)
tests/targets/traceme$(EXEEXT) tests/targets/traceme-traceme.$(OBJEXT): CFLAGS =

# calls again as a non-PIE executable (ET_EXEC, load bias 0)
check_PROGRAMS += tests/targets/calls-O2nopie
tests_targets_calls_O2nopie_SOURCES = tests/targets/calls.c
tests_targets_calls_O2nopie_CFLAGS = $(TGT_CFLAGS) -O2 -fno-pie
tests_targets_calls_O2nopie_LDFLAGS = $(TGT_LINKFLAGS) -no-pie
tests/targets/calls-O2nopie$(EXEEXT) tests/targets/calls_O2nopie-calls.$(OBJEXT): CFLAGS =

# attach while threads come and go
check_PROGRAMS += tests/targets/spawner-O2
tests_targets_spawner_O2_SOURCES = tests/targets/spawner.c
tests_targets_spawner_O2_CFLAGS = $(TGT_CFLAGS) -O2
tests_targets_spawner_O2_LDFLAGS = $(TGT_LINKFLAGS)
tests/targets/spawner-O2$(EXEEXT) tests/targets/spawner_O2-spawner.$(OBJEXT): CFLAGS =

check_PROGRAMS += tests/targets/ticker-O2
tests_targets_ticker_O2_SOURCES = tests/targets/ticker.c
tests_targets_ticker_O2_CFLAGS = $(TGT_CFLAGS) -O2
# libstdc++'s symbols give the attach real work to do (see ticker.c)
tests_targets_ticker_O2_LDFLAGS = $(TGT_LINKFLAGS) -Wl,--no-as-needed -lstdc++ -Wl,--as-needed
tests/targets/ticker-O2$(EXEEXT) tests/targets/ticker_O2-ticker.$(OBJEXT): CFLAGS =
