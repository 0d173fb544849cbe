package io.switchboard.testing;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Playwright;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Real headless Chromium — Debian's package, which {@code .ci/run} installs (no browser download
 * works here) — driven by Playwright, with a fake camera and microphone that need no permission
 * prompt. {@code CHROMIUM_PATH} points elsewhere. Needs Playwright on the test classpath.
 */
public final class HeadlessChromium implements AutoCloseable {

  private final Playwright playwright;
  private final Browser browser;

  private HeadlessChromium(Playwright playwright, Browser browser) {
    this.playwright = playwright;
    this.browser = browser;
  }

  public static HeadlessChromium launch() {
    Playwright playwright = Playwright.create(new Playwright.CreateOptions()
        .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
    try {
      Browser browser = playwright.chromium().launch(new BrowserType.LaunchOptions()
          .setExecutablePath(executable())
          .setHeadless(true)
          .setArgs(List.of("--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
              "--disable-background-networking", "--disable-component-update", "--disable-sync",
              "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream")));
      return new HeadlessChromium(playwright, browser);
    } catch (RuntimeException e) {
      playwright.close();
      throw e;
    }
  }

  /** Debian's chromium; {@code CHROMIUM_PATH} overrides it. */
  public static Path executable() {
    String configured = System.getenv("CHROMIUM_PATH");
    Path path = Path.of(configured != null ? configured : "/usr/bin/chromium");
    if (!Files.isExecutable(path)) {
      throw new IllegalStateException(path + " is missing: run .ci/run once, or apt-get install chromium");
    }
    return path;
  }

  public Browser browser() {
    return browser;
  }

  @Override
  public void close() {
    browser.close();
    playwright.close();
  }
}
