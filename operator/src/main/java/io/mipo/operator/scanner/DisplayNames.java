package io.mipo.operator.scanner;

import io.mipo.operator.core.DisplayNameIndex;
import io.mipo.operator.model.Scanner;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** Display names are unique per namespace, case-insensitively; the earliest scanner keeps a name. */
public final class DisplayNames {
    private DisplayNames() {
    }

    /** The name the UI shows: spec.displayName, or metadata.name when unset. */
    public static String effective(Scanner s) {
        return DisplayNameIndex.effective(s);
    }

    /** What display names are compared by (the fleet cache's {@link DisplayNameIndex} files scanners under it). */
    public static String key(String displayName) {
        return DisplayNameIndex.normalised(displayName);
    }

    /** Orders scanners by age, then name: the first one holding a display name keeps it. */
    public static final Comparator<Scanner> SENIORITY = Comparator
            .comparing((Scanner s) -> Optional.ofNullable(s.getMetadata().getCreationTimestamp())
                    .map(Instant::parse).orElse(Instant.MAX))
            .thenComparing(s -> s.getMetadata().getName());

    /** The scanner of the same namespace that holds this scanner's display name before it, if any. */
    public static Optional<Scanner> holderBefore(Scanner scanner, List<Scanner> sameNamespace) {
        String key = key(effective(scanner));
        return sameNamespace.stream()
                .filter(o -> !o.getMetadata().getName().equals(scanner.getMetadata().getName()))
                .filter(o -> o.getMetadata().getDeletionTimestamp() == null)
                .filter(o -> key(effective(o)).equals(key))
                .filter(o -> SENIORITY.compare(o, scanner) < 0)
                .findFirst();
    }
}
