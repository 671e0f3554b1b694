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
    void aBundleGivenAsTextIsTrustedLikeAFileAndJunkTextIsRefusedNamingItsSource(@TempDir Path dir) throws Exception {
        Path store = dir.resolve("ca.p12");
        Path pem = dir.resolve("ca.pem");
        keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=mipo unit test CA",
                "-ext", "bc:c", "-validity", "2", "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", "unit-test-pw");
        keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", store.toString(), "-storepass", "unit-test-pw", "-file", pem.toString());
        String text = Files.readString(pem);
        assertTrue(text.contains("BEGIN CERTIFICATE"), text);
        javax.net.ssl.SSLContext fromText = CaBundle.fromText(text, CaBundle.PEM_ENV);
        javax.net.ssl.SSLContext fromFile = CaBundle.load(pem);
        assertEquals(fromFile.getProtocol(), fromText.getProtocol());

        IOException e = assertThrows(IOException.class, () -> CaBundle.fromText("-----BEGIN CERTIFICATE-----\nnot base64\n", CaBundle.PEM_ENV));
        assertTrue(e.getMessage().contains(CaBundle.PEM_ENV), e.getMessage());
    }

    private static void keytool(String... args) throws Exception {
        java.util.List<String> command = new java.util.ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(java.util.List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("keytool did not finish within 60 s: " + command);
        }
        assertEquals(0, p.exitValue(), "keytool " + String.join(" ", args));
    }

    @Test
    void aFileWithoutCertificatesIsRefused(@TempDir Path dir) throws IOException {
        Path junk = Files.writeString(dir.resolve("ca.pem"), "not a certificate\n");
        IOException e = assertThrows(IOException.class, () -> CaBundle.load(junk));
        assertTrue(e.getMessage().contains(junk.toString()), e.getMessage());
        assertThrows(IOException.class, () -> CaBundle.load(dir.resolve("missing.pem")));
    }
}
