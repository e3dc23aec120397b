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

const char *ct_patch_why_name(enum ct_patch_why why)
{
	static const char *const names[CT_PATCH_NR_WHY] = {
		[CT_PATCH_OK] = "patched",
		[CT_PATCH_NO_SIZE] = "no-size",
		[CT_PATCH_TOO_SHORT] = "too-short",
		[CT_PATCH_UNDECODABLE] = "undecodable",
		[CT_PATCH_INDIRECT_JUMP] = "indirect-jump",
		[CT_PATCH_FAR_BRANCH] = "far-branch",
		[CT_PATCH_BRANCH_INSIDE] = "branch-inside",
		[CT_PATCH_BRANCH_MIDINSN] = "branch-mid-insn",
		[CT_PATCH_CALL_DISPLACED] = "call-displaced",
		[CT_PATCH_NOT_RELOCATABLE] = "not-relocatable",
		[CT_PATCH_OVERLAP] = "overlap",
	};

	if ((unsigned)why >= CT_PATCH_NR_WHY)
		return "unknown";
	return names[why];
}

void ct_patch_site_external_target(struct ct_patch_site *site, uint64_t target)
{
	uint64_t off = target - site->addr;
	size_t n = site->nr_exits < site->exits_cap ? site->nr_exits : site->exits_cap;

	if (target < site->addr || off >= site->size)
		return;
	if (site->why == CT_PATCH_OK && off > site->patch_off &&
	    off < (uint64_t)site->patch_off + site->displaced_len) {
		site->why = CT_PATCH_BRANCH_INSIDE;
		site->detail = "a branch from outside the function";
	}
	for (size_t i = 0; i < n; i++) {
		struct ct_patch_exit *e = &site->exits[i];

		if (e->why == CT_PATCH_OK && off > e->patch_off && off < (uint64_t)e->off + e->len) {
			e->why = CT_PATCH_BRANCH_INSIDE;
			site->nr_exits_patchable--;
		}
	}
}
