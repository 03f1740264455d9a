package io.github.qcow2nio.examples;

import java.io.PrintStream;

/** Where a command prints: results to {@code out}, notes and warnings to {@code err}. */
record ToolIo(PrintStream out, PrintStream err) {}
