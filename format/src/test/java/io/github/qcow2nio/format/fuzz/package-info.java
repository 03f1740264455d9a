/**
 * Coverage-guided fuzz targets (Jazzer {@code @FuzzTest}s) for every parser of an untrusted
 * image: the on-disk structures one by one, then whole images opened, read, written and checked.
 * In a normal build they replay the committed inputs under {@code src/test/resources}; with
 * {@code JAZZER_FUZZ=1} one of them fuzzes (format/FUZZING.md). The testing package's {@code
 * Mutation} (a fuzz input as patches over seed images) and {@code TreeReader} (a whole file
 * system read within budgets) serve the partition, FAT and ext4 fuzz targets too, through the
 * test jar. May import the format's public packages and its testing package.
 */
package io.github.qcow2nio.format.fuzz;
