package io.switchboard.signaling;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** Adapters keep their libraries to themselves; the domain is plain Java. */
@AnalyzeClasses(packages = "io.switchboard.signaling", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  @ArchTest
  static final ArchRule domainIsPlainJava = noClasses().that().resideInAPackage("..signaling.domain..")
      .should().dependOnClassesThat().resideInAnyPackage(
          "org.springframework..", "org.kurento..", "io.lettuce..", "tools.jackson..");

  @ArchTest
  static final ArchRule onlyTheKurentoAdapterTalksToKms = noClasses()
      .that().resideOutsideOfPackage("..signaling.media.kurento..")
      .should().dependOnClassesThat().resideInAPackage("org.kurento..");

  @ArchTest
  static final ArchRule onlyTheRedisAdapterTalksToRedis = noClasses()
      .that().resideOutsideOfPackages("..signaling.store.redis..", "..signaling.config..")
      .should().dependOnClassesThat().resideInAnyPackage("org.springframework.data.redis..", "io.lettuce..");
}
