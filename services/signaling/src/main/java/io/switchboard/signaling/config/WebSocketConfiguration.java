package io.switchboard.signaling.config;

import io.switchboard.signaling.ws.GroupCallSocketHandler;
import org.springframework.boot.tomcat.TomcatConnectorCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;

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
   * Tomcat's per-connection read and write buffers are 8 KiB each by default and live as long as
   * the socket; 4 KiB each saves 8 KB per idle socket. Longer frames are read and written in
   * several passes; the frame limit is enforced by the handler, not by these buffers.
   */
  @Bean
  TomcatConnectorCustomizer smallSocketBuffers() {
    return connector -> {
      connector.setProperty("socket.appReadBufSize", "4096");
      connector.setProperty("socket.appWriteBufSize", "4096");
    };
  }

  @Override
  public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
    registry.addHandler(handler, "/groupcall")
        .setAllowedOriginPatterns(properties.signaling().allowedOrigins().toArray(String[]::new));
  }
}
