package io.mipo.operator.distribution;

import io.mipo.operator.core.Refusal;
import jakarta.enterprise.context.ApplicationScoped;
import io.mipo.operator.config.MipoConfig;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * Serves what the scanner-image build produced: {@code bundles.properties} (versions, hashes,
 * sizes), the per-platform bundles, the install-script template and the source archive. They are
 * read from {@code mipo.distribution.dir}; when unset, from the container image's
 * {@code /deployments/agent} or, in a source checkout, {@code scanner-image/target}.
 * The directory is read on each call (small files, rare calls), so a rebuilt agent is served
 * without a restart.
 */
@ApplicationScoped
public class BundleDistribution implements AgentDistribution {
    private static final Logger LOG = Logger.getLogger(BundleDistribution.class);
    private static final Pattern SHA256 = Pattern.compile("^[0-9a-f]{64}$");
    private static final List<String> CANDIDATES = List.of(
            "/deployments/agent", "scanner-image/target", "../scanner-image/target");

    @Inject
    MipoConfig config;

    /** A bundle on disk, as bundles.properties describes it. */
    public record Bundle(String os, String arch, Path file, String sha256, long size) {
    }

    @Override
    public BinaryHashes hashes() {
        Properties p = properties();
        List<Artifact> artifacts = bundles(p).stream()
                .map(b -> new Artifact(b.os(), b.arch(), b.sha256(), b.size())).toList();
        String main = artifacts.stream().filter(a -> a.os().equals("linux") && a.arch().equals("amd64"))
                .map(Artifact::sha256).findFirst().orElse(null);
        return new BinaryHashes(p.getProperty("version"), main, artifacts);
    }

    /** The agent version of this installation's bundles ({@code bundles.properties}); empty when there are none. */
    public Optional<String> version() {
        return Optional.ofNullable(properties().getProperty("version")).map(String::trim).filter(v -> !v.isEmpty());
    }

    /** The bundle for a platform, if this installation has one. */
    public Optional<Bundle> bundle(String os, String arch) {
        return bundles(properties()).stream().filter(b -> b.os().equals(os) && b.arch().equals(arch)).findFirst();
    }

    @Override
    public String installScript(String baseUrl, String token) {
        Path template = dir().resolve("install.sh");
        String script;
        try {
            script = Files.readString(template);
        } catch (IOException e) {
            throw unavailable("the install script template " + template.getFileName() + " is missing");
        }
        Properties p = properties();
        String sha = bundle("linux", "amd64").map(Bundle::sha256).orElse("");
        String shaArm64 = bundle("linux", "arm64").map(Bundle::sha256).orElse("");
        String url = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        // Only characters that cannot break out of the script's single quotes reach it.
        if (!url.matches("^https?://[A-Za-z0-9.:\\[\\]_/-]+$")) {
            throw new Refusal(Refusal.Kind.MISCONFIGURED, "PUBLIC_URL_INVALID", "the public URL is not a plain http(s) URL");
        }
        script = script.replace("@@PUBLIC_URL@@", url)
                .replace("@@SHA256_LINUX_AMD64@@", sha)
                .replace("@@SHA256_LINUX_ARM64@@", shaArm64)
                .replace("@@VERSION@@", p.getProperty("version", "unknown"));
        if (token != null) {
            // A preview: say how to run it; the token itself only ever travels in MIPO_TOKEN.
            int firstLineEnd = script.indexOf('\n') + 1;
            script = script.substring(0, firstLineEnd)
                    + "# Preview. Run with:\n#   curl -fsSL --proto '=https' " + url + "/scanner/install | sudo MIPO_TOKEN="
                    + token + " sh\n" + script.substring(firstLineEnd);
        }
        return script;
    }

    @Override
    public InputStream sourceTarball() {
        try {
            return new ByteArrayInputStream(Files.readAllBytes(sourceArchive()));
        } catch (IOException e) {
            throw unavailable("the agent's source archive is missing");
        }
    }

    @Override
    public List<SourceFile> sourceFiles() {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(sourceArchive()))) {
            return TarEntries.files(in);
        } catch (IOException e) {
            throw unavailable("the agent's source archive cannot be read");
        }
    }

    private Path sourceArchive() {
        return dir().resolve("mipo-scanner-source.tar.gz");
    }

    Path dir() {
        if (config.distributionDir().isPresent()) {
            return Path.of(config.distributionDir().get());
        }
        List<Path> candidates = candidates(codeLocation());
        for (Path p : candidates) {
            if (Files.isRegularFile(p.resolve("bundles.properties")) || Files.isRegularFile(p.resolve("install.sh"))) {
                return p;
            }
        }
        return candidates.get(0);
    }

    /**
     * Where to look, in order: the container image's directory, then relative to the working
     * directory (a source checkout's root or its operator/ module), then next to the running
     * code: {@code agent/} or {@code scanner-image/target/} in the directory of the jar (or
     * classes directory) and up to four levels above it. The operator packaged as
     * {@code operator/target/quarkus-app/app/*.jar} thus finds {@code scanner-image/target}
     * whatever directory it was started from.
     */
    static List<Path> candidates(Path codeLocation) {
        List<Path> out = new ArrayList<>();
        for (String c : CANDIDATES) {
            out.add(Path.of(c));
        }
        if (codeLocation != null) {
            Path dir = Files.isDirectory(codeLocation) ? codeLocation : codeLocation.getParent();
            for (int up = 0; dir != null && up <= 4; up++, dir = dir.getParent()) {
                out.add(dir.resolve("agent"));
                out.add(dir.resolve("scanner-image").resolve("target"));
            }
        }
        return out;
    }

    /** The jar or classes directory this class was loaded from, absolute; null when unknown. */
    static Path codeLocation() {
        try {
            var source = BundleDistribution.class.getProtectionDomain().getCodeSource();
            return source == null ? null : Path.of(source.getLocation().toURI()).toAbsolutePath();
        } catch (Exception e) {
            LOG.debugf("cannot tell where the operator's code was loaded from: %s", e.toString());
            return null;
        }
    }

    private Properties properties() {
        Path file = dir().resolve("bundles.properties");
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        } catch (IOException e) {
            LOG.debugf("no agent bundles at %s", file);
        }
        return p;
    }

    private List<Bundle> bundles(Properties p) {
        List<Bundle> out = new ArrayList<>();
        for (String key : p.getProperty("bundles", "").split(",")) {
            String k = key.trim();
            if (k.isEmpty()) {
                continue;
            }
            String prefix = "bundle." + k + ".";
            String sha = p.getProperty(prefix + "sha256", "");
            Path file = dir().resolve(p.getProperty(prefix + "file", ""));
            if (!SHA256.matcher(sha).matches() || !Files.isRegularFile(file)) {
                LOG.warnf("agent bundle %s is listed but missing or without a valid hash; not served", k);
                continue;
            }
            out.add(new Bundle(p.getProperty(prefix + "os"), p.getProperty(prefix + "arch"), file, sha,
                    Long.parseLong(p.getProperty(prefix + "size", "0"))));
        }
        return out;
    }

    private static Refusal unavailable(String detail) {
        return new Refusal(Refusal.Kind.UNAVAILABLE, "AGENT_DISTRIBUTION_UNAVAILABLE", detail + " (build scanner-image, or set mipo.distribution.dir)");
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads the regular files of a ustar archive: path, size, SHA-256. */
    static final class TarEntries {
        private TarEntries() {
        }

        static List<SourceFile> files(InputStream in) throws IOException {
            List<SourceFile> files = new ArrayList<>();
            byte[] header = new byte[512];
            while (in.readNBytes(header, 0, 512) == 512) {
                if (isZero(header)) {
                    break;
                }
                String name = field(header, 0, 100);
                String prefix = field(header, 345, 155);
                long size = Long.parseLong(field(header, 124, 12).trim().isEmpty() ? "0" : field(header, 124, 12).trim(), 8);
                char type = (char) header[156];
                byte[] data = in.readNBytes((int) size);
                long pad = (512 - size % 512) % 512;
                in.skipNBytes(pad);
                if (type == '0' || type == 0) {
                    String path = prefix.isEmpty() ? name : prefix + "/" + name;
                    files.add(new SourceFile(path, size, sha256(data)));
                }
            }
            return files;
        }

        private static String field(byte[] b, int off, int len) {
            int end = off;
            while (end < off + len && b[end] != 0) {
                end++;
            }
            return new String(b, off, end - off, StandardCharsets.UTF_8);
        }

        private static boolean isZero(byte[] b) {
            for (byte x : b) {
                if (x != 0) {
                    return false;
                }
            }
            return true;
        }
    }
}
