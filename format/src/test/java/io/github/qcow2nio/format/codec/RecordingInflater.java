package io.github.qcow2nio.format.codec;

import java.io.File;

/**
 * A stand-in native inflater that says, in a system property, when the core loaded it as GKL's
 * library is loaded: the moment the inflater is chosen.
 */
public class RecordingInflater extends FakeNativeInflater {
  static final String LOADED = "qcow2nio.test.recordingInflater.loaded";

  public RecordingInflater(boolean nowrap) {
    super(nowrap);
  }

  @Override
  public boolean load(File tmpDir) {
    System.setProperty(LOADED, "true");
    return true;
  }
}
