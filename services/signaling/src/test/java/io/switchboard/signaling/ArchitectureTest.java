package io.switchboard.signaling;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** Adapters keep their libraries to themselves; the domain is plain Java; packages point one way. */
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
  static final ArchRule onlyTheRedisAdaptersTalkToRedis = noClasses()
      .that().resideOutsideOfPackages("..signaling.*.redis..", "..signaling.redis..", "..signaling.config..")
      .should().dependOnClassesThat().resideInAnyPackage("org.springframework.data.redis..", "io.lettuce..");

  /** Ports in the domain, one adapter package per job: adapters never reach into each other. */
  @ArchTest
  static final ArchRule adaptersStandAlone = slices().matching("io.switchboard.signaling.(*).(*)..")
      .should().notDependOnEachOther();

  @ArchTest
  static final ArchRule packagesAreFreeOfCycles = slices().matching("io.switchboard.signaling.(**)")
      .should().beFreeOfCycles();
}
