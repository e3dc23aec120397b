libcalltrap_a_SOURCES += src/util/log.c src/util/log.h
