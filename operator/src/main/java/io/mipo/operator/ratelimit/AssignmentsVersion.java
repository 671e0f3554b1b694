package io.mipo.operator.ratelimit;

import io.mipo.operator.model.Assignment;
import io.mipo.operator.model.Scanner;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The version of what {@code GET /scanner/assignments} answers for a scanner. Heartbeats return it
 * as {@code assignmentsVersion}, so an agent fetches its assignments only when it changed. It is a
 * digest of exactly the fields the agent receives ({@code disabled} and each assignment's group,
 * subnet, ports and rate), so it changes when and only when the answer changes, and every replica
 * computes the same value from the same Scanner without keeping any state.
 */
public final class AssignmentsVersion {
    private AssignmentsVersion() {
    }

    /** The version of a Scanner as read (e.g. from an informer cache): its {@code disabled} flag and status assignments. */
    public static String of(Scanner scanner) {
        boolean disabled = scanner.getSpec() != null && Boolean.TRUE.equals(scanner.getSpec().getDisabled());
        List<Assignment> assignments = scanner.getStatus() == null ? null : scanner.getStatus().getAssignments();
        return of(disabled, assignments);
    }

    /** 16 hex characters; {@code assignments} may be null (none). */
    public static String of(boolean disabled, List<Assignment> assignments) {
        StringBuilder canonical = new StringBuilder(disabled ? "disabled" : "enabled");
        if (!disabled && assignments != null) {
            for (Assignment a : assignments) {
                canonical.append('\n').append(a.getGroup())
                        .append('|').append(a.getSubnet())
                        .append('|').append(a.getPorts())
                        .append('|').append(a.getMaxProbesPerSecond() == null ? 0.0 : a.getMaxProbesPerSecond());
            }
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonical.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
