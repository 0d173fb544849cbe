package io.switchboard.signaling.config;

import io.switchboard.signaling.ws.GroupCallSocketHandler;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;

/** The group-call protocol at {@code /groupcall}, for the allowed origins only. */
@Configuration(proxyBeanMethods = false)
@EnableWebSocket
class WebSocketConfiguration implements WebSocketConfigurer {

  private final GroupCallSocketHandler handler;
  private final SignalingProperties properties;

  WebSocketConfiguration(GroupCallSocketHandler handler, SignalingProperties properties) {
    this.handler = handler;
    this.properties = properties;
  }

  @Override
  public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
    registry.addHandler(handler, "/groupcall")
        .setAllowedOriginPatterns(properties.signaling().allowedOrigins().toArray(String[]::new));
  }
}
