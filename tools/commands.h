/* SPDX-License-Identifier: MIT */
/* tools/commands.h - the subcommands pageframe.c dispatches to that live in files of their own. */
#ifndef PAGEFRAME_TOOLS_COMMANDS_H
#define PAGEFRAME_TOOLS_COMMANDS_H

/* pageframe replay ... (tools/replay.c); argv holds what follows "replay". */
int cmd_replay(int argc, char **argv);
/* pageframe report --live ... (tools/live.c); argv holds what follows "report". */
int cmd_report(int argc, char **argv);

/* pageframe run [-m MACHINE] SCENARIO (tools/simulate.c); argv holds what follows "run". */
int cmd_run_scenario(int argc, char **argv);

#endif
