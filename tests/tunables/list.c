// SPDX-License-Identifier: GPL-2.0
/* Prints src/tunables_list.h, the one definition, for tests/tunables.sh. */
#include <stdio.h>
#include "tunables_list.h"

#define SM_PRINT_RW(_name, _min, _max, _default, _desc)			\
	printf("rw %s %d %d %d\n", #_name, _min, _max, _default);
#define SM_PRINT_RO(_name) printf("ro %s\n", #_name);

int main(void)
{
	SM_TUNABLES(SM_PRINT_RW)
	SM_INFO_FILES(SM_PRINT_RO)
	return 0;
}
