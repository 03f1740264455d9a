package io.github.qcow2nio.ext4;

import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.attribute.UserPrincipalNotFoundException;

/**
 * Owners as the disk holds them: numbers. There is no password database inside a file system,
 * so a user or group is named by its decimal id ("1000"), and only such names can be looked up.
 */
final class Principals {
  private Principals() {}

  record User(long id) implements UserPrincipal {
    @Override
    public String getName() {
      return Long.toString(id);
    }

    @Override
    public String toString() {
      return getName();
    }
  }

  record Group(long id) implements GroupPrincipal {
    @Override
    public String getName() {
      return Long.toString(id);
    }

    @Override
    public String toString() {
      return getName();
    }
  }

  static final UserPrincipalLookupService LOOKUP = new UserPrincipalLookupService() {
    @Override
    public UserPrincipal lookupPrincipalByName(String name) throws UserPrincipalNotFoundException {
      return new User(parse(name));
    }

    @Override
    public GroupPrincipal lookupPrincipalByGroupName(String group)
        throws UserPrincipalNotFoundException {
      return new Group(parse(group));
    }
  };

  private static long parse(String name) throws UserPrincipalNotFoundException {
    try {
      long id = Long.parseLong(name);
      if (id >= 0 && id <= 0xFFFF_FFFFL) {
        return id;
      }
    } catch (NumberFormatException e) {
      // not a number: no such principal on a disk that stores only numbers
    }
    throw new UserPrincipalNotFoundException(name);
  }
}
