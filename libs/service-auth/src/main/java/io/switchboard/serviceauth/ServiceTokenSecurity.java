package io.switchboard.serviceauth;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpHeaders;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AuthenticationEntryPointFailureHandler;
import org.springframework.security.web.authentication.AuthenticationFilter;
import org.springframework.security.web.authentication.preauth.PreAuthenticatedAuthenticationToken;
import org.springframework.security.web.authentication.www.BasicAuthenticationFilter;

/**
 * The internal API ({@value #API}) of the service that imports this configuration answers only
 * requests that present {@code switchboard.service-token} as {@code Authorization: Bearer <token>};
 * anything else gets 401 with an RFC 9457 problem saying what is missing, counted in
 * {@code switchboard.service.auth.refusals} by {@code reason} (missing, wrong, unset). A service
 * without a token serves its internal API to nobody (secure by default) and says so at startup.
 * Health and metrics live on the management port, which this chain does not cover.
 */
@Configuration(proxyBeanMethods = false)
public class ServiceTokenSecurity {

  /** The paths the token guards: every internal API is versioned under it. */
  public static final String API = "/v1/**";

  static final String MISSING = "this API is internal to Switchboard: present switchboard.service-token as"
      + " 'Authorization: Bearer <token>' (operators go through the gateway's /api with an API key)";
  static final String WRONG = "the bearer token presented is not this service's switchboard.service-token"
      + " (every service must have the same one)";
  static final String UNSET = "this service has no switchboard.service-token, so its internal API serves"
      + " nobody: set the same token (at least 32 characters) on every service";

  @Bean
  ServiceToken serviceToken(Environment environment) {
    return ServiceToken.fromSettings(environment, "this service's internal API (" + API + ") serves nobody");
  }

  /** Checks a presented token; a bean of its own, so Spring Boot makes up no user and password. */
  @Bean
  AuthenticationManager serviceTokenAuthentication(ServiceToken token) {
    return authentication -> {
      if (!token.configured()) {
        throw new BadCredentialsException(UNSET);
      }
      if (!token.presentedIn((String) authentication.getCredentials())) {
        throw new BadCredentialsException(WRONG);
      }
      return new PreAuthenticatedAuthenticationToken("switchboard-service", null,
          List.of(new SimpleGrantedAuthority("ROLE_SERVICE")));
    };
  }

  @Bean
  SecurityFilterChain internalApi(HttpSecurity http, ServiceToken token, AuthenticationManager serviceTokenAuthentication,
      ObjectProvider<MeterRegistry> registry) throws Exception {
    Refusal refusal = new Refusal(token, registry.getIfAvailable());
    AuthenticationFilter bearer = new AuthenticationFilter(serviceTokenAuthentication, ServiceTokenSecurity::presented);
    bearer.setSuccessHandler((request, response, authentication) -> { }); // carry on to the API
    bearer.setFailureHandler(new AuthenticationEntryPointFailureHandler(refusal));
    http.securityMatcher(API)
        .csrf(AbstractHttpConfigurer::disable)
        .formLogin(AbstractHttpConfigurer::disable)
        .httpBasic(AbstractHttpConfigurer::disable)
        .logout(AbstractHttpConfigurer::disable)
        .requestCache(AbstractHttpConfigurer::disable)
        .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
        .exceptionHandling(e -> e.authenticationEntryPoint(refusal))
        .addFilterAt(bearer, BasicAuthenticationFilter.class)
        .authorizeHttpRequests(a -> a
            // An SSE stream's later dispatches were authorized when it opened.
            .dispatcherTypeMatchers(DispatcherType.ASYNC, DispatcherType.ERROR).permitAll()
            .anyRequest().authenticated());
    return http.build();
  }

  /**
   * A request Spring Security's firewall refuses (an encoded dot or slash, a path that would climb
   * out of its directory): 400 with a problem like every other refusal, not the container's error page.
   */
  @Bean
  org.springframework.security.web.firewall.RequestRejectedHandler requestRejectedHandler() {
    return (request, response, rejected) -> {
      if (response.isCommitted()) {
        return;
      }
      problem(response, HttpServletResponse.SC_BAD_REQUEST, "Bad Request", "invalid-path",
          "the path must not contain encoded dots, slashes or dot segments");
    };
  }

  static void problem(HttpServletResponse response, int status, String title, String code, String detail)
      throws IOException {
    response.setStatus(status);
    response.setContentType("application/problem+json");
    byte[] body = ("{\"type\":\"about:blank\",\"title\":\"" + title + "\",\"status\":" + status + ",\"code\":\""
        + code + "\",\"detail\":\"" + detail.replace("\"", "\\\"") + "\"}").getBytes(StandardCharsets.UTF_8);
    response.setContentLength(body.length);
    response.getOutputStream().write(body);
  }

  /** The request's Authorization header, as credentials to check; none: anonymous (refused). */
  private static PreAuthenticatedAuthenticationToken presented(HttpServletRequest request) {
    String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
    return authorization == null ? null : new PreAuthenticatedAuthenticationToken("presented", authorization);
  }

  /** 401 with a problem saying what to present, and the refusal counted. */
  static final class Refusal implements AuthenticationEntryPoint {
    private final ServiceToken token;
    private final MeterRegistry registry;

    Refusal(ServiceToken token, MeterRegistry registry) {
      this.token = token;
      this.registry = registry;
    }

    @Override
    public void commence(HttpServletRequest request, HttpServletResponse response, AuthenticationException e)
        throws IOException {
      String reason;
      String detail;
      if (!token.configured()) {
        reason = "unset";
        detail = UNSET;
      } else if (e instanceof BadCredentialsException) {
        reason = "wrong";
        detail = WRONG;
      } else {
        reason = "missing";
        detail = MISSING;
      }
      if (registry != null) {
        Counter.builder("switchboard.service.auth.refusals")
            .description("Requests to the internal API refused for want of the service token, by reason")
            .tag("reason", reason).register(registry).increment();
      }
      response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "wrong".equals(reason)
          ? "Bearer realm=\"switchboard\", error=\"invalid_token\"" : "Bearer realm=\"switchboard\"");
      problem(response, HttpServletResponse.SC_UNAUTHORIZED, "Unauthorized", "unauthorized", detail);
    }
  }
}
