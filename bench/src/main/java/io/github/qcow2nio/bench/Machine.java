package io.github.qcow2nio.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.util.List;

/** What the figures were measured on: processors, CPU, JDK, qemu-img, load. */
final class Machine {
  private static final int LSCPU_LINES = 10;

  private Machine() {}

  static void describe(PrintStream out) {
    out.println("processors (nproc): " + Runtime.getRuntime().availableProcessors());
    out.println("JDK: " + System.getProperty("java.vm.vendor") + " "
        + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
    out.println("qemu-img: " + firstLine(List.of("qemu-img", "--version")));
    out.println("load before the run: " + load());
    out.println();
    out.println("```");
    String lscpu = output(List.of("lscpu"));
    lscpu.lines().limit(LSCPU_LINES).forEach(out::println);
    out.println("```");
    out.println();
  }

  static String load() {
    return firstLine(List.of("uptime"));
  }

  private static String firstLine(List<String> command) {
    return output(command).lines().findFirst().orElse("?").strip();
  }

  private static String output(List<String> command) {
    try {
      return Proc.capture(command).text();
    } catch (IOException e) {
      return "(" + command.get(0) + " unavailable: " + e.getMessage() + ")";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "(interrupted)";
    }
  }
}
