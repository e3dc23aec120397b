# src/symtab
