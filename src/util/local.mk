libcalltrap_a_SOURCES += \
	src/util/log.c src/util/log.h \
	src/util/hashmap.c src/util/hashmap.h \
	src/util/strbuf.c src/util/strbuf.h \
	src/util/outfile.c src/util/outfile.h \
	src/util/cxxname.c src/util/cxxname.h src/util/labels.c
