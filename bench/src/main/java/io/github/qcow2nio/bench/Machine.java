package io.github.qcow2nio.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.util.List;

/** What the figures were measured on: processors, CPU, JDK, qemu-img, deflate inflater, load. */
final class Machine {
  private static final int LSCPU_LINES = 10;
  private static final String INFLATER_PROPERTY = "qcow2nio.inflater";

  private Machine() {}

  static void describe(PrintStream out) {
    out.println("processors (nproc): " + Runtime.getRuntime().availableProcessors());
    out.println("JDK: " + System.getProperty("java.vm.vendor") + " "
        + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
    out.println("qemu-img: " + firstLine(List.of("qemu-img", "--version")));
    out.println("deflate inflater: " + inflater());
    out.println("load before the run: " + load());
    out.println();
    out.println("```");
    String lscpu = output(List.of("lscpu"));
    lscpu.lines().limit(LSCPU_LINES).forEach(out::println);
    out.println("```");
    out.println();
  }

  /**
   * The inflater the core chose for deflate clusters, in its own words: the bench carries GKL
   * (bench/pom.xml), and the deflate rows mean different things with and without it. The core
   * keeps the choice internal, so it is read by reflection (the bench runs on the class path,
   * where nothing stops it); a core that moved it says so here instead of failing the run.
   */
  static String inflater() {
    String how = " (-D" + INFLATER_PROPERTY + "=jdk for the JDK's)";
    try {
      Class<?> c = Class.forName("io.github.qcow2nio.format.codec.NativeInflaters");
      Method chosen = c.getDeclaredMethod("chosen");
      chosen.setAccessible(true);
      Object k = chosen.invoke(null);
      if (k == null) {
        String asked = System.getProperty(INFLATER_PROPERTY);
        return "java.util.zip.Inflater (the JDK's"
            + ("jdk".equals(asked) ? ", as -D" + INFLATER_PROPERTY + "=jdk asks)"
                : ": no native inflater loaded)");
      }
      return ((Constructor<?>) k).getDeclaringClass().getName() + how;
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      return "unknown (" + e + ")";
    }
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
