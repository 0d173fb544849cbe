package io.switchboard.signaling.domain;

import io.switchboard.groupcall.protocol.ClientMessage;
import io.switchboard.groupcall.protocol.ErrorCode;
import io.switchboard.groupcall.protocol.ProtocolException;
import io.switchboard.groupcall.protocol.ServerMessage;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Recording a participant's camera with a RecorderEndpoint: start, stop, and a failure KMS reports. */
final class Recording {

  private static final Logger log = LoggerFactory.getLogger(Recording.class);

  private final MediaServer media;
  private final MediaCleanup cleanup;
  private final LoadReporter load;
  private final RoomEvents events;
  private final MemberRecords records;
  private final RoomOpener rooms;
  private final RoomLimits limits;
  private final Clock clock;
  private final String podId;

  Recording(MediaServer media, MediaCleanup cleanup, LoadReporter load, RoomEvents events, MemberRecords records,
      RoomOpener rooms, RoomLimits limits, Clock clock, String podId) {
    this.media = media;
    this.cleanup = cleanup;
    this.load = load;
    this.events = events;
    this.records = records;
    this.rooms = rooms;
    this.limits = limits;
    this.clock = clock;
    this.podId = podId;
  }

  /** {@code startRecording}: the participant's published camera into a file; the room is told. */
  void start(Participant self, ClientMessage.StartRecording start) {
    if (!limits.mayRecord()) {
      throw new ProtocolException(ErrorCode.NOT_ALLOWED, "recording is not allowed in this room", start.requestId());
    }
    String uri = limits.recordingUri(self.roomId, self.name, clock.millis());
    synchronized (self) {
      if (self.recorder != null || self.recordingUri != null) {
        throw new ProtocolException(ErrorCode.NOT_ALLOWED, "already recording (" + idOf(self.recordingUri) + ")",
            start.requestId());
      }
      if (!self.publishing) {
        throw new ProtocolException(ErrorCode.UNKNOWN_STREAM, "publish your camera before recording it",
            start.requestId());
      }
      self.recordingUri = uri; // taken: a second start is refused while this one runs
    }
    String recorder = null;
    try {
      recorder = media.createRecorder(self.kmsUrl, rooms.pipelineOf(self), uri);
      media.connect(self.kmsUrl, self.publisherEndpoint, recorder);
      synchronized (self) {
        // Known before it records: a failure KMS reports at once must find it.
        self.recorder = recorder;
        if (!records.write(self)) {
          throw new ProtocolException(ErrorCode.NOT_JOINED, "this session moved to another socket", start.requestId());
        }
      }
      String started = recorder;
      media.record(self.kmsUrl, recorder, reason -> cleanup.later(() -> failed(self, started, reason)));
    } catch (RuntimeException e) {
      synchronized (self) {
        self.recorder = null;
        self.recordingUri = null;
      }
      if (recorder != null) {
        cleanup.release(self.kmsUrl, recorder);
      }
      throw e;
    }
    BestEffort.run(self.name, self.roomId, () -> load.report(self.roomId, self.nodeId, 1, 0));
    log.info("{} in room {}: recording {} to {}", self.name, self.roomId, idOf(uri), uri);
    events.publish(self.roomId, new RoomEvents.RecordingChanged(self.name, self.memberId, podId, true, idOf(uri)));
  }

  /** {@code stopRecording}: the file is completed and the recorder released; the room is told. */
  void stop(Participant self, ClientMessage.StopRecording stop) {
    String recorder;
    String uri;
    synchronized (self) {
      recorder = self.recorder;
      uri = self.recordingUri;
      if (recorder == null) {
        throw new ProtocolException(ErrorCode.UNKNOWN_STREAM, "nothing is being recorded", stop.requestId());
      }
      self.recorder = null;
      self.recordingUri = null;
      records.write(self);
    }
    cleanup.finishRecording(self.kmsUrl, recorder);
    BestEffort.run(self.name, self.roomId, () -> load.report(self.roomId, self.nodeId, -1, 0));
    events.publish(self.roomId, new RoomEvents.RecordingChanged(self.name, self.memberId, podId, false, idOf(uri)));
  }

  /**
   * What clients are told a recording is: the last segment of its URI's path (the file's name, by
   * the default {@code recording-uri}), never the URI, whose user info, host or query may carry
   * storage credentials. The URI itself is logged, and kept in the member's record.
   */
  static String idOf(String uri) {
    if (uri == null) {
      return null;
    }
    String path;
    try {
      path = java.net.URI.create(uri).getPath();
    } catch (IllegalArgumentException notAUri) {
      path = null;
    }
    if (path == null || path.isEmpty()) {
      return "recording"; // an opaque URI: nothing of it is safe to show
    }
    String last = path.substring(path.lastIndexOf('/') + 1);
    return last.isEmpty() ? "recording" : last;
  }

  /** KMS's reason for a failure as a client may read it: the URI, or the file's path, named by its id. */
  static String withoutLocation(String reason, String uri) {
    if (reason == null || uri == null) {
      return reason;
    }
    String told = reason.replace(uri, idOf(uri));
    try {
      String path = java.net.URI.create(uri).getPath();
      if (path != null && path.length() > 1) {
        told = told.replace(path, idOf(uri));
      }
    } catch (IllegalArgumentException notAUri) {
      // the URI itself was replaced above
    }
    return told;
  }

  /** KMS reported that a recording failed: it ends, and the participant is told why. */
  void failed(Participant self, String recorder, String reason) {
    String uri;
    synchronized (self) {
      if (self.gone || !recorder.equals(self.recorder)) {
        return; // stopped meanwhile
      }
      uri = self.recordingUri;
      self.recorder = null;
      self.recordingUri = null;
      BestEffort.run(self.name, self.roomId, () -> records.write(self));
    }
    log.warn("{} in room {}: recording to {} failed: {}", self.name, self.roomId, uri, reason);
    cleanup.release(self.kmsUrl, recorder);
    BestEffort.run(self.name, self.roomId, () -> load.report(self.roomId, self.nodeId, -1, 0));
    self.channel.send(new ServerMessage.Error(ErrorCode.UNAVAILABLE.wire(), "recording " + idOf(uri) + " failed: "
        + withoutLocation(reason, uri), null));
    BestEffort.run(self.name, self.roomId, () -> events.publish(self.roomId,
        new RoomEvents.RecordingChanged(self.name, self.memberId, podId, false, idOf(uri))));
  }
}
