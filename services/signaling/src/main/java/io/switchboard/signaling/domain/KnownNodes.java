package io.switchboard.signaling.domain;

import java.util.List;

/** The KMS nodes placement may put rooms on (registered and not down), as their control URLs. */
public interface KnownNodes {

  /** Their URLs; empty when placement knows none yet. Throws when the registry cannot be read. */
  List<String> urls();
}
