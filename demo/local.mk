# The demo program of README's first command (built with -O1 -g: real
# calls, readable symbols, no sanitizers).
noinst_PROGRAMS = demo/demo
demo_demo_SOURCES = demo/demo.c
demo_demo_CFLAGS = -O1 -g -pthread
demo_demo_LDFLAGS = -pthread
