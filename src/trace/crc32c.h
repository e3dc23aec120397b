/* SPDX-License-Identifier: GPL-2.0-or-later */
/* CRC-32C (Castagnoli), the checksum of every trace file chunk. */
#ifndef CT_CRC32C_H
#define CT_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/*
 * CRC-32C of buf[0..len) continuing from crc, which is 0 for a fresh
 * checksum or the result of a previous call over the preceding bytes:
 * ct_crc32c(ct_crc32c(0, a, n), b, m) is the CRC of a followed by b.
 * Reflected polynomial 0x82f63b78, initial value and final xor ~0, as in
 * iSCSI (RFC 3720) and ext4; ct_crc32c(0, "123456789", 9) == 0xe3069283.
 */
uint32_t ct_crc32c(uint32_t crc, const void *buf, size_t len);

/* Entry [k][i] of the slicing-by-8 tables (k < 8, i < 256), for tests. */
uint32_t ct_crc32c_table_entry(unsigned k, unsigned i);

#endif
