package io.switchboard.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.validation.BindValidationException;
import org.springframework.boot.context.properties.bind.validation.ValidationBindHandler;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.validation.beanvalidation.LocalValidatorFactoryBean;

/** {@code switchboard.gateway.*} as Spring binds and validates it at startup. */
class GatewayPropertiesTest {

  static GatewayProperties bind(Map<String, String> values) {
    LocalValidatorFactoryBean validator = new LocalValidatorFactoryBean();
    validator.afterPropertiesSet();
    return new Binder(new MapConfigurationPropertySource(values))
        .bindOrCreate("switchboard.gateway", Bindable.of(GatewayProperties.class), new ValidationBindHandler(validator));
  }

  @Test
  void apiKeysLongEnoughToResistGuessingAreAccepted() {
    assertThat(bind(Map.of("switchboard.gateway.api-keys", "0123456789abcdef,ops-key-0123456789")).apiKeys())
        .containsExactly("0123456789abcdef", "ops-key-0123456789");
    assertThat(bind(Map.of()).apiKeys()).isEmpty();
  }

  @Test
  void aShortApiKeyStopsTheGatewayFromStartingWithAMessageSayingWhy() {
    assertThatThrownBy(() -> bind(Map.of("switchboard.gateway.api-keys", "0123456789abcdef,secret")))
        .isInstanceOf(BindException.class)
        .cause().isInstanceOf(BindValidationException.class)
        .hasMessageContaining("an API key must be at least 16 characters");
  }

  @Test
  void secureModeWithoutAnIdentitySecretStopsTheGatewayFromStarting() {
    assertThatThrownBy(() -> bind(Map.of("switchboard.gateway.mode", "secure",
        "switchboard.gateway.tokens.secret", "a-token-secret-of-at-least-32-bytes!!")))
        .isInstanceOf(BindException.class)
        .rootCause().hasMessageContaining("switchboard.gateway.mode=secure needs switchboard.gateway.identity-secret");
    assertThat(bind(Map.of("switchboard.gateway.mode", "secure",
        "switchboard.gateway.identity-secret", "an-identity-secret-of-at-least-32-bytes")).mode())
        .isEqualTo(GatewayProperties.Mode.SECURE);
    assertThat(bind(Map.of()).identitySecret()).isEmpty(); // open mode: pods in open mode read plain headers
  }
}
