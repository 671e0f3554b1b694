package io.mipo.operator.core;

/**
 * CDI event: a scanner's provisioning or credentials changed (observed by the informer or done
 * here). The liveness side reacts by reconciling that scanner (registration makes it Active,
 * regeneration makes it Pending).
 */
public record CredentialsChanged(ScannerRef ref) {
}
