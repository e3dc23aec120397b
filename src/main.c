/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <stdio.h>

int main(void)
{
	fputs("calltrap: under construction\n", stderr);
	return 1;
}
