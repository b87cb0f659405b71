// What the command-line tools need to know about the terminal they write to.
#pragma once

#include <cstdio>

namespace sas::app {

/// Returns true when `stream` is an interactive terminal.
bool IsTerminal(std::FILE* stream);

/// Returns the width of the terminal behind `stream` in columns: the terminal's own
/// size, else $COLUMNS, else 80.
int TerminalColumns(std::FILE* stream);

}  // namespace sas::app
