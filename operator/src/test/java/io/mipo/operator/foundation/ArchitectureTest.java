package io.mipo.operator.foundation;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import io.mipo.operator.testing.TestResources;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The floors of docs/architecture.md ("The floors"), held by the operator's bytecode: which package
 * may import which. A rule that fails prints every offending dependency (class, member, line).
 */
class ArchitectureTest {
    private static final String OURS = "io.mipo.operator";

    /** Feature packages and the floors below them: none of them may know HTTP or the REST layer. */
    static final String[] BELOW_HTTP = {
            OURS + ".core..", OURS + ".scanner..", OURS + ".liveness..", OURS + ".credentials..",
            OURS + ".binding..", OURS + ".group..", OURS + ".distribution..", OURS + ".ratelimit..",
            OURS + ".validation..", OURS + ".net..", OURS + ".kube..", OURS + ".model..", OURS + ".config..",
            OURS + ".standalone.."};

    /** HTTP knowledge: the JAX-RS API, Quarkus REST, Vert.x' HTTP types, and HTTP status enums. */
    static final String[] HTTP = {
            "jakarta.ws.rs..", "org.jboss.resteasy..", "io.quarkus.resteasy..", "io.vertx.core.http..",
            "io.vertx.ext.web..", "io.netty.handler.codec.http..", "org.eclipse.microprofile.openapi.."};

    private static JavaClasses operator;

    @BeforeAll
    static void importOperator() {
        operator = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(OURS);
        assertTrue(operator.size() > 200, "expected the operator's classes, imported " + operator.size());
    }

    @Test
    void topLevelPackagesFormNoCycle() {
        slices().matching(OURS + ".(*)..").should().beFreeOfCycles().check(operator);
    }

    @Test
    void packagesFormNoCycle() {
        slices().matching(OURS + ".(**)").should().beFreeOfCycles().check(operator);
    }

    @Test
    void nothingBelowTheHttpLayerDependsOnApi() {
        noClasses().that().resideInAnyPackage(BELOW_HTTP)
                .should().dependOnClassesThat().resideInAPackage(OURS + ".api..")
                .because("the HTTP layer (api) is the top floor: features report refusals as core.Refusal, "
                        + "and only api maps them to status codes")
                .check(operator);
    }

    @Test
    void nothingBelowTheHttpLayerKnowsHttp() {
        noClasses().that().resideInAnyPackage(BELOW_HTTP)
                .should().dependOnClassesThat().resideInAnyPackage(HTTP)
                .because("JAX-RS, HTTP status codes and OpenAPI annotations belong to the api package only")
                .check(operator);
    }

    @Test
    void endpointsLiveInApiOnly() {
        classes().that().areAnnotatedWith("jakarta.ws.rs.Path")
                .should().resideInAPackage(OURS + ".api..")
                .check(operator);
    }

    @Test
    void modelDependsOnNothingOfOurs() {
        noClasses().that().resideInAPackage(OURS + ".model..")
                .should().dependOnClassesThat(com.tngtech.archunit.base.DescribedPredicate.describe(
                        "are operator classes outside model",
                        c -> c.getPackageName().startsWith(OURS + ".")
                                && !c.getPackageName().startsWith(OURS + ".model")))
                .check(operator);
    }

    @Test
    void theFloorsHold() {
        ArchRule floors = com.tngtech.archunit.library.Architectures.layeredArchitecture()
                .consideringOnlyDependenciesInLayers()
                .layer("http").definedBy(OURS + ".api..")
                .layer("features").definedBy(OURS + ".liveness..", OURS + ".credentials..",
                        OURS + ".binding..", OURS + ".group..", OURS + ".distribution..", OURS + ".observability..")
                .layer("reconciler").definedBy(OURS + ".scanner..")
                .layer("core").definedBy(OURS + ".core..")
                .layer("kernel").definedBy(OURS + ".kube..", OURS + ".net..", OURS + ".validation..", OURS + ".ratelimit..")
                .layer("ground").definedBy(OURS + ".model..", OURS + ".config..")
                .layer("standalone").definedBy(OURS + ".standalone..")
                .whereLayer("http").mayNotBeAccessedByAnyLayer()
                .whereLayer("features").mayOnlyBeAccessedByLayers("http")
                .whereLayer("reconciler").mayOnlyBeAccessedByLayers("http", "features")
                .whereLayer("core").mayOnlyBeAccessedByLayers("http", "features", "reconciler")
                .whereLayer("kernel").mayOnlyBeAccessedByLayers("http", "features", "reconciler", "core")
                .whereLayer("standalone").mayNotBeAccessedByAnyLayer();
        floors.check(operator);
    }

    @Test
    void theOperatorUsesNoAgentCode() {
        noClasses().that().resideInAPackage(OURS + "..")
                .should().dependOnClassesThat().resideInAPackage("io.mipo.scanner..")
                .because("the agent and the operator share only the published protocol (docs/api.md), no code")
                .check(operator);
    }

    /** The agent module is built on its own (plain Java 17, no dependencies): no line of it may name the operator. */
    @Test
    void theAgentUsesNoOperatorCode() throws IOException {
        Path agentSources = TestResources.projectRoot().resolve("scanner-image/src");
        assertTrue(Files.isDirectory(agentSources), "no agent sources at " + agentSources);
        List<String> offenders;
        int files;
        try (Stream<Path> all = Files.walk(agentSources)) {
            List<Path> javaFiles = all.filter(p -> p.toString().endsWith(".java")).toList();
            files = javaFiles.size();
            offenders = javaFiles.stream().filter(p -> {
                try {
                    return Files.readString(p, StandardCharsets.UTF_8).contains(OURS);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).map(Path::toString).toList();
        }
        assertTrue(files > 10, "expected the agent's Java sources under " + agentSources + ", found " + files);
        assertEquals(List.of(), offenders, "agent sources that name " + OURS);
        Path agentClasses = TestResources.projectRoot().resolve("scanner-image/target/classes");
        if (Files.isDirectory(agentClasses)) {
            JavaClasses agent = new ClassFileImporter().importPath(agentClasses);
            noClasses().should().dependOnClassesThat().resideInAPackage(OURS + "..").check(agent);
        }
    }
}
