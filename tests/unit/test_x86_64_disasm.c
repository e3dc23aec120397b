/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The capstone layer: handles, text for messages, prepare's return codes. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "disasm/disasm.h"

static void test_new(void **state CT_UNUSED)
{
	errno = 0;
	assert_null(ct_disasm_new(NULL));
	assert_int_equal(errno, EINVAL);
	ct_disasm_free(NULL);
}

static void test_text(void **state CT_UNUSED)
{
	struct ct_disasm *d = ct_disasm_new(&ct_arch_x86_64);
	static const uint8_t lea[] = { 0x48, 0x8d, 0x05, 0xf0, 0xff, 0xff, 0xff, 0xcc };
	static const uint8_t ret[] = { 0xc3 };
	static const uint8_t call[] = { 0xe8, 0x00, 0x01, 0x00, 0x00 };
	char buf[64], small[8];

	assert_non_null(d);
	assert_int_equal(ct_disasm_text(d, lea, sizeof(lea), 0x401000, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "lea rax, [rip - 0x10]");
	assert_int_equal(ct_disasm_text(d, ret, sizeof(ret), 0x401000, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "ret");
	/* the target is computed from the pc given: 0x401005 + 0x100 */
	assert_int_equal(ct_disasm_text(d, call, sizeof(call), 0x401000, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "call 0x401105");
	/* truncated to the buffer, still terminated */
	assert_int_equal(ct_disasm_text(d, lea, sizeof(lea), 0x401000, small, sizeof(small)), 0);
	assert_string_equal(small, "lea rax");
	/* two bytes of a seven-byte instruction */
	assert_int_equal(ct_disasm_text(d, lea, 2, 0x401000, buf, sizeof(buf)), -EINVAL);
	ct_disasm_free(d);
}

static void test_prepare_codes(void **state CT_UNUSED)
{
	struct ct_disasm *d = ct_disasm_new(&ct_arch_x86_64);
	static const uint8_t push_int3[] = { 0x55, 0xcc }; /* only the first is decoded */
	static const uint8_t int3[] = { 0xcc };
	struct ct_insn_plan plan;

	assert_non_null(d);
	assert_int_equal(ct_disasm_prepare(d, push_int3, sizeof(push_int3), 0x401000, &plan), 0);
	assert_int_equal(plan.action, CT_INSN_RELOCATE);
	assert_int_equal(plan.len, 1);
	assert_int_equal(plan.pc, 0x401000);
	assert_int_equal(ct_disasm_prepare(d, int3, sizeof(int3), 0x401000, &plan), -ENOTSUP);
	assert_int_equal(plan.action, CT_INSN_REJECT);
	assert_non_null(strstr(plan.why, "int3"));
	assert_int_equal(ct_disasm_prepare(d, int3, 0, 0x401000, &plan), -EINVAL);
	assert_int_equal(plan.action, CT_INSN_REJECT);
	ct_disasm_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_prepare_codes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
