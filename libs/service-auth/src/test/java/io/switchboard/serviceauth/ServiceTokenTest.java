package io.switchboard.serviceauth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ServiceTokenTest {

  static final String TOKEN = "0123456789abcdef0123456789abcdef-service";

  @Test
  void onlyTheBearerOfTheSameTokenIsAccepted() {
    ServiceToken token = ServiceToken.of(TOKEN);
    assertThat(token.authorization()).isEqualTo("Bearer " + TOKEN);
    assertThat(token.presentedIn("Bearer " + TOKEN)).isTrue();
    assertThat(token.presentedIn("bearer  " + TOKEN + " ")).isTrue();
    assertThat(token.presentedIn("Bearer " + TOKEN + "x")).isFalse();
    assertThat(token.presentedIn("Bearer " + TOKEN.substring(1))).isFalse();
    assertThat(token.presentedIn("Basic " + TOKEN)).isFalse();
    assertThat(token.presentedIn(TOKEN)).isFalse();
    assertThat(token.presentedIn("Bearer ")).isFalse();
    assertThat(token.presentedIn(null)).isFalse();
  }

  @Test
  void noTokenSetAcceptsNothingAndPresentsNothing() {
    assertThat(ServiceToken.of("")).isSameAs(ServiceToken.NONE);
    assertThat(ServiceToken.of(null).configured()).isFalse();
    assertThat(ServiceToken.NONE.presentedIn("Bearer ")).isFalse();
    assertThat(ServiceToken.NONE.presentedIn("Bearer x")).isFalse();
    assertThatThrownBy(ServiceToken.NONE::authorization).hasMessageContaining("switchboard.service-token is not set");
  }

  @Test
  void aGuessableOrUnsendableTokenIsRefusedWithWhatToSet() {
    assertThatThrownBy(() -> ServiceToken.of("short-token"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("switchboard.service-token must be at least 32 characters");
    assertThatThrownBy(() -> ServiceToken.of("0123456789abcdef 0123456789abcdef"))
        .hasMessageContaining("printable ASCII without spaces");
    assertThatThrownBy(() -> ServiceToken.of("0123456789abcdef0123456789abcdéf"))
        .hasMessageContaining("printable ASCII without spaces");
  }

  @Test
  void itNeverShowsItselfInLogs() {
    assertThat(ServiceToken.of(TOKEN).toString()).doesNotContain(TOKEN);
  }
}
