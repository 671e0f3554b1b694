package io.mipo.operator.distribution;

import java.io.InputStream;
import java.util.List;

/**
 * What the operator hands out about the scanner agent (docs/distribution.md): the bundle's hashes, the
 * install script, and the agent's source for review. The REST facade serves these under
 * /api/config/scanners (binary-hash, install-script-preview, source-code) and the ingest API under
 * /scanner. An implementation throws an UNAVAILABLE {@link io.mipo.operator.core.Refusal} when the bundle
 * or the source was not built into this installation.
 */
public interface AgentDistribution {

    /** What GET /api/config/scanners/binary-hash answers. {@code sha256} is that of linux/amd64. */
    record BinaryHashes(String version, String sha256, List<Artifact> artifacts) {
    }

    record Artifact(String os, String arch, String sha256, long size) {
    }

    /** One file of the agent's source, as listed by source-code?format=json. */
    record SourceFile(String path, long size, String sha256) {
    }

    /** A placeholder that is not a token (fails the token regex), for previews. */
    String PLACEHOLDER_TOKEN = "<your-provisioning-token>";

    BinaryHashes hashes();

    /**
     * The install script with the bundle's SHA-256 embedded; {@code baseUrl} is where it downloads
     * the bundle from. {@code token} is what the script shows or uses when MIPO_TOKEN is unset:
     * the facade's preview passes {@link #PLACEHOLDER_TOKEN}, the ingest endpoint null (the token
     * then only ever travels in the MIPO_TOKEN environment variable, never in a URL).
     */
    String installScript(String baseUrl, String token);

    /** The agent's source as a gzip-compressed tar archive. */
    InputStream sourceTarball();

    List<SourceFile> sourceFiles();
}
