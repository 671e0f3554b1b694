package io.mipo.operator.distribution;

import io.mipo.operator.testing.TestResources;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The linux/arm64 bundle, checked without running it: its bin/java is an AArch64 ELF executable,
 * its runtime is Java 17 with the agent's modules, and its jar is the agent jar the build made.
 * Without arm64 jmods the build makes no arm64 bundle: this test then fails when CI=true and
 * skips, saying why, otherwise.
 */
class Arm64BundleTest {
    /** ELF e_machine of AArch64. */
    static final int EM_AARCH64 = 183;

    static void requireArm64(boolean built) {
        if (built) {
            return;
        }
        String why = "the build made no linux/arm64 bundle: there are no arm64 jmods. Fetch them with"
                + " scanner-image/src/build/fetch-arm64-jmods.sh (as root; .ci/run does) and build again";
        if ("true".equals(System.getenv("CI"))) {
            fail(why);
        }
        Assumptions.abort(why);
    }

    @Test
    void theArm64BundleCarriesAnAarch64Java17RuntimeAndTheAgentJar() throws Exception {
        Path target = TestResources.projectRoot().resolve("scanner-image/target");
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(target.resolve("bundles.properties"))) {
            p.load(in);
        }
        requireArm64(p.getProperty("bundles", "").contains("linux-arm64"));
        Path bundle = target.resolve(p.getProperty("bundle.linux-arm64.file"));
        assertEquals(p.getProperty("bundle.linux-arm64.sha256"), BundleDistribution.sha256(Files.readAllBytes(bundle)),
                "bundles.properties names the bundle's hash");

        Map<String, byte[]> files = untar(bundle);
        byte[] java = files.get("mipo-scanner/runtime/bin/java");
        assertTrue(java != null, "no runtime/bin/java in " + files.keySet());
        assertTrue(java.length > 64, "bin/java is " + java.length + " bytes");
        assertArrayEquals(new byte[] {0x7f, 'E', 'L', 'F'}, slice(java, 0, 4), "bin/java is an ELF file");
        assertEquals(2, java[4], "64-bit ELF");
        assertEquals(1, java[5], "little-endian ELF");
        int machine = ByteBuffer.wrap(java, 18, 2).order(ByteOrder.LITTLE_ENDIAN).getShort() & 0xffff;
        assertEquals(EM_AARCH64, machine, "ELF machine of bin/java (183 = AArch64, 62 = x86-64)");

        String release = new String(files.get("mipo-scanner/runtime/release"), StandardCharsets.UTF_8);
        assertTrue(release.matches("(?s).*JAVA_VERSION=\"17\\.[0-9.]+\".*"), "a Java 17 runtime:\n" + release);
        assertTrue(release.contains("java.base") && release.contains("java.net.http"), "the agent's modules:\n" + release);

        assertArrayEquals(Files.readAllBytes(target.resolve("mipo-scanner.jar")), files.get("mipo-scanner/lib/mipo-scanner.jar"),
                "the bundle's jar is the agent jar");
        assertTrue(files.containsKey("mipo-scanner/bin/mipo-scanner"), "the launcher");
        assertEquals(p.getProperty("version"), new String(files.get("mipo-scanner/VERSION"), StandardCharsets.UTF_8).trim());
    }

    private static byte[] slice(byte[] b, int from, int len) {
        byte[] out = new byte[len];
        System.arraycopy(b, from, out, 0, len);
        return out;
    }

    /** The regular files of a gzip'd tar (GNU or ustar; long names via GNU 'L' entries). */
    static Map<String, byte[]> untar(Path file) throws IOException {
        Map<String, byte[]> out = new HashMap<>();
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file), 1 << 16)) {
            byte[] header = new byte[512];
            String longName = null;
            while (in.readNBytes(header, 0, 512) == 512) {
                boolean zero = true;
                for (byte x : header) {
                    if (x != 0) {
                        zero = false;
                        break;
                    }
                }
                if (zero) {
                    break;
                }
                String name = field(header, 0, 100);
                String prefix = field(header, 345, 155);
                String sizeText = field(header, 124, 12).trim();
                long size = sizeText.isEmpty() ? 0 : Long.parseLong(sizeText, 8);
                char type = (char) header[156];
                ByteArrayOutputStream data = new ByteArrayOutputStream();
                data.write(in.readNBytes((int) size));
                in.skipNBytes((512 - size % 512) % 512);
                if (type == 'L') {
                    longName = new String(data.toByteArray(), StandardCharsets.UTF_8).replace("\0", "");
                    continue;
                }
                String path = longName != null ? longName : prefix.isEmpty() || type == 'L' ? name : prefix + "/" + name;
                longName = null;
                if (type == '0' || type == 0) {
                    out.put(path, data.toByteArray());
                }
            }
        }
        return out;
    }

    private static String field(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && b[end] != 0) {
            end++;
        }
        return new String(b, off, end - off, StandardCharsets.UTF_8);
    }
}
