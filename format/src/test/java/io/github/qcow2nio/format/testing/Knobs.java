package io.github.qcow2nio.format.testing;

/**
 * Every test knob, a system property each (pass them as {@code -Dname=value} to Maven): the
 * defaults are what CI runs; larger values are the soak runs WRITE-PATH.md and README quote.
 */
public final class Knobs {
  private Knobs() {}

  /** Operations per random-operation run ({@code RandomOpsTest}, {@code ConcurrentWriteTest}). */
  public static final int OPS = Integer.getInteger("qcow2.ops", 2000);
  /** The base seed of the random-operation runs. */
  public static final long SEED = Long.getLong("qcow2.seed", 20261121L);
  /** Operations per bitmap model run ({@code BitmapWriteTest}). */
  public static final int BITMAP_OPS = Integer.getInteger("qcow2.bitmapOps", 600);
  /** Random crashes per configuration ({@code CrashTest}). */
  public static final int CRASHES = Integer.getInteger("qcow2.crashes", 16);
  /** Runs per fault point, each with other random choices ({@code FaultSweepTest}). */
  public static final int FAULT_SEEDS = Integer.getInteger("qcow2.faultSeeds", 1);
  /** Try every Nth fault point only ({@code FaultSweepTest}). */
  public static final int FAULT_STRIDE = Integer.getInteger("qcow2.faultStride", 1);
  /** Only this fault point, or -1 for all ({@code FaultSweepTest}, for debugging one point). */
  public static final long FAULT_POINT = Long.getLong("qcow2.faultPoint", -1);
  /** Only the fault-sweep workloads whose name contains this text ({@code FaultSweepTest}). */
  public static final String FAULT_SCENARIO = System.getProperty("qcow2.faultScenario", "");
  /** Print where each injected fault strikes. */
  public static final boolean FAULT_TRACE = Boolean.getBoolean("qcow2.faultTrace");
  /** MiB of mixed data for the size comparison with {@code qemu-img convert -c}. */
  public static final int COMPRESS_MIB = Integer.getInteger("qcow2.compressMiB", 6);
  /** Rounds of the mutation fuzzers. */
  public static final int FUZZ_ROUNDS = Integer.getInteger("fuzz.rounds", -1);
  /** The seed of the interop reads' random offsets. */
  public static final long INTEROP_SEED = Long.getLong("qcow2.interop.seed", 0x0C0FFEE5EEDL);

  /** The fuzz rounds to run: the knob when set, else the fuzzer's own default. */
  public static int fuzzRounds(int fallback) {
    return FUZZ_ROUNDS > 0 ? FUZZ_ROUNDS : fallback;
  }
}
