package io.switchboard.gateway;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The gateway's packages point one way: {@code config} (the properties) ← {@code tokens} ← {@code
 * edge} ← {@code routing}, and only the root package ({@link GatewayApplication}, {@link
 * GatewayConfiguration}: the wiring) knows them all.
 */
@AnalyzeClasses(packages = "io.switchboard.gateway", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  @ArchTest
  static final ArchRule packagesAreFreeOfCycles = slices().matching("io.switchboard.gateway.(*)..")
      .should().beFreeOfCycles();

  @ArchTest
  static final ArchRule packagesPointOneWay = layeredArchitecture().consideringOnlyDependenciesInLayers()
      .layer("wiring").definedBy("io.switchboard.gateway")
      .layer("routing").definedBy("io.switchboard.gateway.routing..")
      .layer("edge").definedBy("io.switchboard.gateway.edge..")
      .layer("tokens").definedBy("io.switchboard.gateway.tokens..")
      .layer("config").definedBy("io.switchboard.gateway.config..")
      .whereLayer("wiring").mayNotBeAccessedByAnyLayer()
      .whereLayer("routing").mayOnlyBeAccessedByLayers("wiring")
      .whereLayer("edge").mayOnlyBeAccessedByLayers("wiring", "routing")
      .whereLayer("tokens").mayOnlyBeAccessedByLayers("wiring", "edge")
      .whereLayer("config").mayOnlyBeAccessedByLayers("wiring", "routing", "edge", "tokens");
}
