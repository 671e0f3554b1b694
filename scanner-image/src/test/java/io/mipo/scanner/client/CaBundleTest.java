package io.mipo.scanner.client;

import io.mipo.scanner.cli.CommandLine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** --ca-file / MIPO_CA_FILE: parsed for register and run; a file without certificates is refused, not ignored. */
class CaBundleTest {

    @Test
    void theCaFileIsAnOptionOfRegisterAndRunAndAnEnvironmentVariable() throws Exception {
        assertEquals("/etc/ca.pem", CommandLine.parse(new String[] {"register", "--server", "https://m.example", "--ca-file", "/etc/ca.pem"},
                Map.of()).value("ca-file", "MIPO_CA_FILE", null));
        assertEquals("/env/ca.pem", CommandLine.parse(new String[] {"run"}, Map.of("MIPO_CA_FILE", "/env/ca.pem"))
                .value("ca-file", "MIPO_CA_FILE", null));
    }

    @Test
    void aFileWithoutCertificatesIsRefused(@TempDir Path dir) throws IOException {
        Path junk = Files.writeString(dir.resolve("ca.pem"), "not a certificate\n");
        IOException e = assertThrows(IOException.class, () -> CaBundle.load(junk));
        assertTrue(e.getMessage().contains(junk.toString()), e.getMessage());
        assertThrows(IOException.class, () -> CaBundle.load(dir.resolve("missing.pem")));
    }
}
