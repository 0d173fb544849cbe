package io.switchboard.signaling.config;

import io.switchboard.signaling.ws.GroupCallSocketHandler;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.security.Principal;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import org.springframework.boot.tomcat.TomcatConnectorCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.http.server.ServletServerHttpRequest;
import org.springframework.web.socket.WebSocketExtension;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.server.HandshakeFailureException;
import org.springframework.web.socket.server.RequestUpgradeStrategy;
import org.springframework.web.socket.server.standard.StandardWebSocketUpgradeStrategy;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;
import org.springframework.web.socket.server.support.DefaultHandshakeHandler;

/**
 * The group-call protocol at {@code /groupcall}, for the allowed origins only, on a Tomcat sized
 * for many idle sockets (docs/operations.md, "Sizing").
 */
@Configuration(proxyBeanMethods = false)
@EnableWebSocket
class WebSocketConfiguration implements WebSocketConfigurer {

  private final GroupCallSocketHandler handler;
  private final SignalingProperties properties;

  WebSocketConfiguration(GroupCallSocketHandler handler, SignalingProperties properties) {
    this.handler = handler;
    this.properties = properties;
  }

  /**
   * Tomcat's WebSocket buffers, in bytes, unless {@code -D}{@value #TOMCAT_BUFFER_PROPERTY} says
   * otherwise: each socket's frame input buffer, output buffer and text encoder buffer.
   */
  static final int TOMCAT_BUFFER_BYTES = 2048;
  static final String TOMCAT_BUFFER_PROPERTY = "org.apache.tomcat.websocket.DEFAULT_BUFFER_SIZE";

  /**
   * Buffers every socket keeps as long as it is open, sized for a signaling message, not for the
   * frame limit. Tomcat's per-connection read and write buffers are 8 KiB each by default; 4 KiB
   * each. Its WebSocket frame input, output and encoder buffers are 8 KiB each, set only by a
   * system property read once, when its WebSocket classes load (at the server's start, after this
   * runs): {@value #TOMCAT_BUFFER_BYTES} bytes each unless the JVM was started with it. Together
   * ~18 KB less per socket. Longer frames are read in several passes and longer messages go out as
   * several frames of one message; the frame limit is enforced by the handler, not by these buffers.
   */
  @Bean
  TomcatConnectorCustomizer smallSocketBuffers() {
    return connector -> {
      connector.setProperty("socket.appReadBufSize", "4096");
      connector.setProperty("socket.appWriteBufSize", "4096");
      if (System.getProperty(TOMCAT_BUFFER_PROPERTY) == null) {
        System.setProperty(TOMCAT_BUFFER_PROPERTY, Integer.toString(TOMCAT_BUFFER_BYTES));
      }
    };
  }

  /**
   * Accepts no WebSocket extension. Browsers ask for permessage-deflate, which would keep a zlib
   * compressor and decompressor per socket (~120 KB outside the heap, measured) to shrink messages
   * of a few hundred bytes. Tomcat negotiates extensions from the request's header itself, whatever
   * the handshake handler selects, so the header is hidden from it.
   */
  static final class NoExtensions implements RequestUpgradeStrategy {
    static final String EXTENSIONS = "Sec-WebSocket-Extensions";
    private final RequestUpgradeStrategy standard = new StandardWebSocketUpgradeStrategy();

    @Override
    public String[] getSupportedVersions() {
      return standard.getSupportedVersions();
    }

    @Override
    public List<WebSocketExtension> getSupportedExtensions(ServerHttpRequest request) {
      return List.of();
    }

    @Override
    public void upgrade(ServerHttpRequest request, ServerHttpResponse response, String selectedProtocol,
        List<WebSocketExtension> selectedExtensions, Principal user, WebSocketHandler handler,
        Map<String, Object> attributes) throws HandshakeFailureException {
      ServerHttpRequest plain = request instanceof ServletServerHttpRequest servlet
          ? new ServletServerHttpRequest(new WithoutExtensions(servlet.getServletRequest())) : request;
      standard.upgrade(plain, response, selectedProtocol, List.of(), user, handler, attributes);
    }
  }

  private static final class WithoutExtensions extends HttpServletRequestWrapper {
    WithoutExtensions(HttpServletRequest request) {
      super(request);
    }

    @Override
    public String getHeader(String name) {
      return NoExtensions.EXTENSIONS.equalsIgnoreCase(name) ? null : super.getHeader(name);
    }

    @Override
    public Enumeration<String> getHeaders(String name) {
      return NoExtensions.EXTENSIONS.equalsIgnoreCase(name) ? Collections.emptyEnumeration() : super.getHeaders(name);
    }

    @Override
    public Enumeration<String> getHeaderNames() {
      return Collections.enumeration(Collections.list(super.getHeaderNames()).stream()
          .filter(name -> !NoExtensions.EXTENSIONS.equalsIgnoreCase(name)).toList());
    }
  }

  @Override
  public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
    registry.addHandler(handler, "/groupcall").setHandshakeHandler(new DefaultHandshakeHandler(new NoExtensions()))
        .setAllowedOriginPatterns(properties.signaling().allowedOrigins().toArray(String[]::new));
  }
}
