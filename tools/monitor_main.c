// SPDX-License-Identifier: GPL-2.0
/* Standalone monitor: the same as "smadvctl monitor ARGS". */
int smadvctl_monitor(int argc, char **argv);

int main(int argc, char **argv)
{
	return smadvctl_monitor(argc, argv);
}
