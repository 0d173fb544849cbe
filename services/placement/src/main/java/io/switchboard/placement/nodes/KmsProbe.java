package io.switchboard.placement.nodes;

import io.switchboard.placement.domain.KmsReading;

/** Reads a KMS node's health and load. */
public interface KmsProbe extends AutoCloseable {

  /** Throws when the node cannot be read in time: a node that cannot be read is never idle. */
  KmsReading read(String url) throws Exception;

  /** Drops whatever is held for a node that left. */
  void forget(String url);

  @Override
  void close();
}
