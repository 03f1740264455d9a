package io.github.qcow2nio.format.disk;

/**
 * Everything about an image's layout that its disk needs, fixed for the disk's lifetime: the
 * cluster size, whether L2 entries are extended (subclusters), whether the image is version 2
 * (no zero flag), whether guest data lives in an external data file, and the virtual size at
 * open.
 */
public record DiskLayout(
    int clusterBits,
    boolean extendedL2,
    boolean v2,
    boolean externalData,
    long size) {

  int l2Bits() {
    return geometry().l2Bits();
  }

  ClusterGeometry geometry() {
    return new ClusterGeometry(clusterBits, extendedL2);
  }
}
