package io.switchboard.testing;

/** Credentials the tests give the services they start, and present to them. */
public final class TestCredentials {

  /** {@code switchboard.service-token} of every service a test starts (at least 32 characters). */
  public static final String SERVICE_TOKEN = "test-service-token-0123456789abcdef0123";
  /** The setting, as a command-line argument. */
  public static final String SERVICE_TOKEN_SETTING = "--switchboard.service-token=" + SERVICE_TOKEN;
  /** The header value that presents it. */
  public static final String SERVICE_AUTHORIZATION = "Bearer " + SERVICE_TOKEN;

  private TestCredentials() {}
}
