package io.switchboard.kms.emulator;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/** Prints every thread's stack when a test fails, so a rare stall can be diagnosed from CI logs. */
public final class ThreadDumpOnFailure implements TestWatcher {

  @Override
  public void testFailed(ExtensionContext context, Throwable cause) {
    StringBuilder dump = new StringBuilder("Thread dump after " + context.getDisplayName() + " failed:\n");
    for (ThreadInfo info : ManagementFactory.getThreadMXBean().dumpAllThreads(true, true)) {
      dump.append('"').append(info.getThreadName()).append("\" ").append(info.getThreadState());
      if (info.getLockName() != null) {
        dump.append(" on ").append(info.getLockName());
      }
      if (info.getLockOwnerName() != null) {
        dump.append(" owned by \"").append(info.getLockOwnerName()).append('"');
      }
      dump.append('\n');
      for (StackTraceElement e : info.getStackTrace()) {
        dump.append("    at ").append(e).append('\n');
      }
    }
    System.err.println(dump);
  }
}
