package io.github.qcow2nio.ext4;

import io.github.qcow2nio.ext4.read.Xattrs;
import io.github.qcow2nio.nio.PathAttributeView;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileSystemException;
import java.nio.file.ReadOnlyFileSystemException;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@code user.*} extended attributes, named without their "user." prefix as on Linux's
 * default provider. Other namespaces (security, trusted, system) are not user-defined and stay
 * hidden.
 */
final class XattrView extends PathAttributeView<Ext4Path>
    implements UserDefinedFileAttributeView {
  private static final String PREFIX = "user.";
  private final boolean follow;

  XattrView(Ext4Path path, boolean follow) {
    super(path, "user");
    this.follow = follow;
  }

  private Map<String, byte[]> all() throws IOException {
    Ext4FileSystem fs = path().getFileSystem();
    return Xattrs.read(fs.volume(), fs.inode(path(), follow));
  }

  @Override
  public List<String> list() throws IOException {
    List<String> out = new ArrayList<>();
    for (String n : all().keySet()) {
      if (n.startsWith(PREFIX)) {
        out.add(n.substring(PREFIX.length()));
      }
    }
    return out;
  }

  byte[] value(String name) throws IOException {
    byte[] v = all().get(PREFIX + name);
    if (v == null) {
      throw new FileSystemException(path().toString(), null, "no extended attribute user." + name);
    }
    return v;
  }

  @Override
  public int size(String name) throws IOException {
    return value(name).length;
  }

  @Override
  public int read(String name, ByteBuffer dst) throws IOException {
    byte[] v = value(name);
    if (dst.remaining() < v.length) {
      throw new IOException("extended attribute user." + name + " holds " + v.length
          + " bytes; the buffer has room for " + dst.remaining());
    }
    dst.put(v);
    return v.length;
  }

  @Override
  public int write(String name, ByteBuffer src) {
    throw new ReadOnlyFileSystemException();
  }

  @Override
  public void delete(String name) {
    throw new ReadOnlyFileSystemException();
  }
}
