# src/symtab
libcalltrap_a_SOURCES += src/symtab/symtab.h src/symtab/maps.c src/symtab/elf.c \
	src/symtab/elfcache.c src/symtab/module.c src/symtab/match.c src/symtab/demangle.c \
	src/symtab/ctype.h src/symtab/dwarf.c src/symtab/dwarf_int.h src/symtab/dwarf_protos.c \
	src/symtab/debugfile.c src/symtab/render.h src/symtab/render.c src/symtab/parts.c

# C++ names are demangled with libstdc++'s __cxa_demangle (demangle.c).
CT_LIBS += -lstdc++
