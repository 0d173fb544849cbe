package io.switchboard.launchers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ServiceProcessTest {

  @Test
  void servicesStartSmallAndQuickUnlessTheEnvironmentSaysOtherwise() {
    assertThat(ServiceProcess.jvmOptions(null)).isEqualTo(ServiceProcess.DEFAULT_JVM_OPTIONS)
        .contains("-XX:TieredStopAtLevel=1");
    assertThat(ServiceProcess.jvmOptions("  ")).isEqualTo(ServiceProcess.DEFAULT_JVM_OPTIONS);
    assertThat(ServiceProcess.jvmOptions(" -Xmx1g   -XX:+UseG1GC ")).isEqualTo(List.of("-Xmx1g", "-XX:+UseG1GC"));
  }

  @Test
  void somethingThatIsNotAJvmOptionIsRefusedWithTheVariablesName() {
    assertThatThrownBy(() -> ServiceProcess.jvmOptions("-Xmx1g 1g"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(ServiceProcess.JVM_OPTIONS).hasMessageContaining("'1g'");
  }

  @Test
  void aTestPodRehearsesOnceUnlessToldOtherwiseAndOtherServicesAreLeftAlone() {
    assertThat(ServiceProcess.forTests("signaling", "--a=b"))
        .containsExactly("--a=b", ServiceProcess.ONE_REHEARSAL, ServiceProcess.ONE_ROOM);
    assertThat(ServiceProcess.forTests("signaling", "--switchboard.signaling.kms-warmup-rehearsals=50"))
        .containsExactly("--switchboard.signaling.kms-warmup-rehearsals=50", ServiceProcess.ONE_ROOM);
    assertThat(ServiceProcess.forTests("signaling", "--switchboard.signaling.join-rehearsal-rooms=0"))
        .containsExactly("--switchboard.signaling.join-rehearsal-rooms=0", ServiceProcess.ONE_REHEARSAL);
    assertThat(ServiceProcess.forTests("placement", "--a=b")).containsExactly("--a=b");
  }
}
