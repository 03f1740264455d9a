/**
 * {@code qcow2.jar}, the command-line tool in the manner of qemu-img, and its output formats
 * (qemu-img's human and JSON forms, written by hand to match them byte for byte). One class per
 * command (a picocli {@code @Command}), the options several commands share as picocli mixins
 * ({@code FormatOption}, {@code OutputOption}, ...), errors in qemu-img's words from
 * {@code ToolErrors}. Start-up: {@code DirectCommands} runs the well-formed lines of info, map,
 * check and measure without loading picocli ({@code DirectLine}, {@code DirectBinders}; anything
 * else goes to picocli), {@code ToolCommands} builds only the command a line runs, and
 * {@code CdsTraining} is the run whose classes the build archives for the {@code qcow2}
 * launcher (src/main/sh). Uses the core's exported packages only (ExamplesArchitectureTest), the
 * provider, the file-system modules and picocli; nothing depends on it.
 */
package io.github.qcow2nio.examples;
