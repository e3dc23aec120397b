libcalltrap_a_SOURCES += \
	src/breakpoints/breakpoints.h \
	src/breakpoints/scratch.h \
	src/breakpoints/scratch.c \
	src/breakpoints/call.c \
	src/breakpoints/site.c \
	src/breakpoints/patch.c \
	src/breakpoints/shadow.c
