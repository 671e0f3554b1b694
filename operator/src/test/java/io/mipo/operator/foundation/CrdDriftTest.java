package io.mipo.operator.foundation;

import io.mipo.operator.testing.TestResources;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The committed CRDs under crds/ must be exactly what this build generates from the Java model.
 * A @QuarkusTest, because the Operator SDK extension generates the CRDs into
 * operator/target/kubernetes/ while it builds the application for the tests.
 * To update after a model change: {@code cp operator/target/kubernetes/*.mipo.io-v1.yml crds/}.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true, setup = TestResources.InstallCrds.class)
class CrdDriftTest {

    @Test
    void committedCrdsMatchTheGeneratedOnes() throws IOException {
        Path root = TestResources.projectRoot();
        for (String file : TestResources.CRD_FILES) {
            Path generated = root.resolve("operator/target/kubernetes").resolve(file);
            Path committed = root.resolve("crds").resolve(file);
            assertTrue(Files.exists(generated), "the build did not generate " + generated);
            assertEquals(Files.readString(generated), Files.readString(committed),
                    "crds/" + file + " is out of date with the Java model. Regenerate with:\n"
                            + "  cp operator/target/kubernetes/*.mipo.io-v1.yml crds/");
        }
    }
}
