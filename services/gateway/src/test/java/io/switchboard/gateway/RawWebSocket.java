package io.switchboard.gateway;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client written out by hand (RFC 6455, text frames only), for requests no library
 * client sends: here, a handshake with a {@code Connection} header of the client's choosing.
 */
final class RawWebSocket implements AutoCloseable {

  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;

  private RawWebSocket(Socket socket) throws IOException {
    this.socket = socket;
    this.socket.setSoTimeout(15_000);
    this.in = new DataInputStream(socket.getInputStream());
    this.out = socket.getOutputStream();
  }

  /** Opens {@code httpUrl} with this Connection header; fails unless the answer is 101. */
  static RawWebSocket open(String httpUrl, String connection) throws IOException {
    URI uri = URI.create(httpUrl);
    RawWebSocket ws = new RawWebSocket(new Socket(uri.getHost(), uri.getPort()));
    String request = "GET " + uri.getRawPath() + (uri.getRawQuery() != null ? "?" + uri.getRawQuery() : "") + " HTTP/1.1\r\n"
        + "Host: " + uri.getHost() + ":" + uri.getPort() + "\r\n"
        + "Upgrade: websocket\r\n"
        + "Connection: " + connection + "\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        + "Sec-WebSocket-Version: 13\r\n"
        + "X-Forwarded-For: " + GatewaySocket.freshAddress() + "\r\n\r\n";
    ws.out.write(request.getBytes(StandardCharsets.US_ASCII));
    ws.out.flush();
    String status = ws.line();
    if (!status.startsWith("HTTP/1.1 101")) {
      throw new IOException("not upgraded: " + status);
    }
    while (!ws.line().isEmpty()) {
      // headers
    }
    return ws;
  }

  private String line() throws IOException {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != '\n') {
      if (b < 0) {
        throw new IOException("closed");
      }
      if (b != '\r') {
        buffer.write(b);
      }
    }
    return buffer.toString(StandardCharsets.US_ASCII);
  }

  /** One masked text frame, as a client must send. */
  void sendText(String text) throws IOException {
    byte[] payload = text.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream frame = new ByteArrayOutputStream();
    frame.write(0x81);
    if (payload.length < 126) {
      frame.write(0x80 | payload.length);
    } else {
      frame.write(0x80 | 126);
      frame.write(payload.length >> 8);
      frame.write(payload.length & 0xff);
    }
    byte[] mask = new byte[4];
    ThreadLocalRandom.current().nextBytes(mask);
    frame.write(mask);
    for (int i = 0; i < payload.length; i++) {
      frame.write(payload[i] ^ mask[i % 4]);
    }
    out.write(frame.toByteArray());
    out.flush();
  }

  /**
   * Only the header of a masked text frame that announces {@code length} payload bytes, none of which
   * follow: what a server that refuses a frame by its size sees first.
   */
  void sendFrameHeader(long length) throws IOException {
    ByteArrayOutputStream header = new ByteArrayOutputStream();
    header.write(0x81);
    header.write(0x80 | 127);
    for (int shift = 56; shift >= 0; shift -= 8) {
      header.write((int) (length >> shift) & 0xff);
    }
    header.write(new byte[4]);
    out.write(header.toByteArray());
    out.flush();
  }

  /** Reads until the server's close frame and returns its status code. */
  int closeCode() throws IOException {
    while (true) {
      int first = in.readUnsignedByte();
      int second = in.readUnsignedByte();
      long length = second & 0x7f;
      if (length == 126) {
        length = in.readUnsignedShort();
      } else if (length == 127) {
        length = in.readLong();
      }
      byte[] payload = new byte[(int) length];
      in.readFully(payload);
      if ((first & 0x0f) == 0x8) {
        return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
      }
    }
  }

  /** The next text frame's content (pings and other control frames are skipped). */
  String nextText() throws IOException {
    while (true) {
      int first = in.readUnsignedByte();
      int second = in.readUnsignedByte();
      long length = second & 0x7f;
      if (length == 126) {
        length = in.readUnsignedShort();
      } else if (length == 127) {
        length = in.readLong();
      }
      byte[] payload = new byte[(int) length];
      in.readFully(payload);
      int opcode = first & 0x0f;
      if (opcode == 0x1) {
        return new String(payload, StandardCharsets.UTF_8);
      }
      if (opcode == 0x8) {
        throw new IOException("closed by the server");
      }
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
