package io.switchboard.signaling.domain;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Releases KMS objects that may already be gone, and runs the KMS requests nobody waits for on its
 * own thread ({@code media-cleanup}): a slow KMS must hold up neither events, rebuilds nor the janitor.
 */
final class MediaCleanup implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(MediaCleanup.class);

  private final MediaServer media;
  private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "media-cleanup");
    t.setDaemon(true);
    return t;
  });

  MediaCleanup(MediaServer media) {
    this.media = media;
  }

  /** Releases an object that may be gone already (with its pipeline, or released by another pod); never throws. */
  void release(String kmsUrl, String objectId) {
    try {
      media.release(kmsUrl, objectId);
    } catch (RuntimeException e) {
      log.info("{} not released (gone already?): {}", objectId, e.toString());
    }
  }

  /** Stops a recorder so that its file is complete, and releases it; never throws. */
  void finishRecording(String kmsUrl, String recorder) {
    try {
      media.stopRecording(kmsUrl, recorder);
    } catch (RuntimeException e) {
      log.warn("recorder {} not stopped cleanly: {}", recorder, e.toString());
      release(kmsUrl, recorder);
    }
  }

  /** Runs {@code work} on the clean-up thread, later; dropped when the pod is stopping (its KMS sessions go with it). */
  void later(Runnable work) {
    try {
      thread.execute(work);
    } catch (RejectedExecutionException stopping) {
      log.debug("pod stopping: a media clean-up was dropped");
    }
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }

  /** Takes no more work and waits up to {@code wait} for what is queued to be done. */
  void closeWhenDone(java.time.Duration wait) {
    thread.shutdown();
    try {
      if (!thread.awaitTermination(wait.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
        log.warn("media clean-up not done within {}: what is left is dropped", wait);
        thread.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      thread.shutdownNow();
    }
  }
}
