/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Choosing an ISA table: by the host we run on, or by a file's e_machine. */
#include "config.h"

#include <elf.h>
#include <errno.h>
#include <stddef.h>

#include "arch/arch.h"

const struct ct_arch *ct_arch_host(void)
{
#if defined(__x86_64__)
	return &ct_arch_x86_64;
#elif defined(__aarch64__)
	return &ct_arch_aarch64;
#else
	errno = ENOTSUP;
	return NULL;
#endif
}

const struct ct_arch *ct_arch_by_machine(uint16_t machine)
{
	switch (machine) {
	case EM_X86_64:
		return &ct_arch_x86_64;
	case EM_AARCH64:
		return &ct_arch_aarch64;
	default:
		errno = ENOTSUP;
		return NULL;
	}
}
