package io.github.qcow2nio.provider;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The env keys {@code locking} and {@code forceShare}: values, defaults, and what they forbid. */
class Qcow2EnvLockingTest {
  @Test
  void lockingIsOnAndForceShareOffByDefault() {
    Qcow2Env e = Qcow2Env.parse(Map.of());
    assertTrue(e.locking());
    assertFalse(e.forceShare());
  }

  @Test
  void stringsAndBooleansMeanTheSame() {
    assertFalse(Qcow2Env.parse(Map.of("locking", "false")).locking());
    assertFalse(Qcow2Env.parse(Map.of("locking", false)).locking());
    assertFalse(Qcow2Env.parse(Map.of("locking", "off")).locking());
    assertTrue(Qcow2Env.parse(Map.of("locking", "true")).locking());
    assertTrue(Qcow2Env.parse(Map.of("forceShare", "true")).forceShare());
    assertTrue(Qcow2Env.parse(Map.of("forceShare", true)).forceShare());
  }

  @Test
  void badValuesNameTheKeyAndTheValidValues() {
    for (String key : new String[] {"locking", "forceShare"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> Qcow2Env.parse(Map.of(key, "maybe")));
      assertTrue(e.getMessage().contains("'" + key + "'") && e.getMessage().contains("true"),
          e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> Qcow2Env.parse(Map.of(key, 1)));
    }
  }

  @Test
  void unknownKeysListTheNewOnes() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Qcow2Env.parse(Map.of("lock", true)));
    assertTrue(e.getMessage().contains("locking") && e.getMessage().contains("forceShare"),
        e.getMessage());
  }

  @Test
  void forceShareIsReadOnly() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Qcow2Env.parse(Map.of("forceShare", true, "accessMode", "readWrite")));
    assertTrue(e.getMessage().contains("force-share=on can only be used with read-only images"),
        e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> Qcow2Env.parse(Map.of("forceShare", true, "create", true, "size", "1M")));
    assertFalse(Qcow2Env.parse(Map.of("forceShare", true)).writable(() -> true));
    assertTrue(Qcow2Env.parse(Map.of()).writable(() -> true));
    assertFalse(Qcow2Env.parse(Map.of()).writable(() -> false));
  }
}
