package io.switchboard.signaling.domain;

import io.switchboard.groupcall.protocol.ServerMessage;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link ClientChannel} that keeps what was sent to it and how it was closed; thread-safe. Like
 * a real socket, it is closed once (later closes do nothing) and drops what is sent after.
 */
public final class RecordingChannel implements ClientChannel {

  public static final int REPLACED = 4000;
  public static final int ENDED = 4001;

  /** How the channel was closed: {@link #REPLACED} or {@link #ENDED}, and why. */
  public record Close(int code, String reason) {}

  private final List<ServerMessage> sent = new CopyOnWriteArrayList<>();
  private volatile Access access;
  private volatile Close close;

  /** A channel without a join token: {@link Access#ANYONE}. */
  public RecordingChannel() {
    this(Access.ANYONE);
  }

  public RecordingChannel(Access access) {
    this.access = access;
  }

  @Override
  public void send(ServerMessage message) {
    synchronized (this) {
      if (close != null) {
        return;
      }
      sent.add(message);
    }
  }

  @Override
  public void closeReplaced(String reason) {
    close(new Close(REPLACED, reason));
  }

  @Override
  public void closeEnded(String reason) {
    close(new Close(ENDED, reason));
  }

  private synchronized void close(Close how) {
    if (close == null) {
      close = how;
    }
  }

  @Override
  public Access access() {
    return access;
  }

  public void access(Access now) {
    access = now;
  }

  /** Every message sent before the channel closed, in order. */
  public List<ServerMessage> sent() {
    return List.copyOf(sent);
  }

  /** The messages of one type, in order. */
  public <T extends ServerMessage> List<T> sent(Class<T> type) {
    return sent.stream().filter(type::isInstance).map(type::cast).toList();
  }

  /** The last message of one type; fails when there is none. */
  public <T extends ServerMessage> T last(Class<T> type) {
    List<T> of = sent(type);
    if (of.isEmpty()) {
      throw new AssertionError("no " + type.getSimpleName() + " was sent; sent: " + sent());
    }
    return of.get(of.size() - 1);
  }

  /** Forgets what was sent so far (not how it was closed). */
  public void clear() {
    sent.clear();
  }

  public boolean closed() {
    return close != null;
  }

  /** How it was closed, or null while open. */
  public Close closedWith() {
    return close;
  }
}
