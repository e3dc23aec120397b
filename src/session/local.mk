libcalltrap_a_SOURCES += \
	src/session/session.h \
	src/session/internal.h \
	src/session/session.c \
	src/session/mm.c \
	src/session/modrt.c \
	src/session/entries.c \
	src/session/nonlocal.c \
	src/session/stop.c src/session/frames.c \
	src/session/retsite.c \
	src/session/sigframe.c \
	src/session/typed.c \
	src/session/children.c \
	src/session/detach.c \
	src/session/control.c src/session/edits.c src/session/attach.c \
	src/session/notes.c \
	src/session/fast.h src/session/fast.c src/session/fastmove.c src/session/fastout.c \
	src/session/fastev.c
