package io.switchboard.placement;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** Adapters keep their libraries to themselves; the domain is plain Java. */
@AnalyzeClasses(packages = "io.switchboard.placement", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  @ArchTest
  static final ArchRule domainIsPlainJava = noClasses().that().resideInAPackage("..placement.domain..")
      .should().dependOnClassesThat().resideInAnyPackage(
          "org.springframework..", "org.kurento..", "io.lettuce..", "io.fabric8..", "io.micrometer..");

  @ArchTest
  static final ArchRule onlyTheKurentoAdapterTalksToKms = noClasses()
      .that().resideOutsideOfPackage("..placement.media.kurento..")
      .should().dependOnClassesThat().resideInAPackage("org.kurento..");

  @ArchTest
  static final ArchRule onlyTheRedisAdapterTalksToRedis = noClasses()
      .that().resideOutsideOfPackages("..placement.store.redis..", "..placement.config..")
      .should().dependOnClassesThat().resideInAnyPackage("org.springframework.data.redis..", "io.lettuce..");

  @ArchTest
  static final ArchRule onlyDiscoveryAndConfigTalkToKubernetes = noClasses()
      .that().resideOutsideOfPackages("..placement.nodes..", "..placement.config..")
      .should().dependOnClassesThat().resideInAPackage("io.fabric8..");
}
