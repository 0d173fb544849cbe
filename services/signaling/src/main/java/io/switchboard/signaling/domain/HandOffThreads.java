package io.switchboard.signaling.domain;

import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Threads for work that waits on round trips (KMS, Redis), not on CPU: each task is handed to an
 * idle thread or a new one, up to {@code max}, never queued; when all are busy, or once the pool is
 * shut down, the caller runs it itself. (CallerRunsPolicy would drop a task once shut down and
 * leave whoever waits for it waiting for ever.) Idle threads end after 30 s; all are daemons.
 */
public final class HandOffThreads {

  private HandOffThreads() {}

  public static ThreadPoolExecutor create(String namePrefix, int max) {
    AtomicInteger threads = new AtomicInteger();
    return new ThreadPoolExecutor(0, max, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
      Thread t = new Thread(r, namePrefix + threads.incrementAndGet());
      t.setDaemon(true);
      return t;
    }, (task, pool) -> task.run());
  }
}
