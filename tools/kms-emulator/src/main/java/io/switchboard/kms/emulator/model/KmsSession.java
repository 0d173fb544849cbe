package io.switchboard.kms.emulator.model;

import java.util.LinkedHashSet;
import java.util.Set;

/** A registered KMS session: the objects it keeps alive and whether it was active since the last GC pass. */
final class KmsSession {

  final String id;
  final Set<String> objects = new LinkedHashSet<>();
  boolean active = true;

  KmsSession(String id) {
    this.id = id;
  }
}
