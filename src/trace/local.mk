# src/trace
libcalltrap_a_SOURCES += src/trace/event.c src/trace/event.h
