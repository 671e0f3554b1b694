package io.mipo.operator.kube;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.deser.std.StringDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;

import java.io.IOException;

/**
 * One String object for a value that many cached objects hold.
 *
 * <p>Every object the client decodes carries its own copies of values that repeat across the
 * fleet: the namespace, apiVersion and kind, label values, condition types, statuses, reasons and
 * messages, owner references, finalizers, timestamps shared by a batch. At 100,000 scanners the
 * informer caches held 19 million Strings, 85 % of them copies of another's value (the JVM's
 * string deduplication shares their bytes but not the 24-byte String objects).
 *
 * <p>{@link #share} looks a decoded value up in a fixed table of recent values, by hash: an equal
 * value found there is returned in its place (the decoded one becomes garbage at once); otherwise the
 * value takes the slot. The table never grows and holds nothing alive that a cached object does not
 * (a value evicted from it is simply not shared with later decodes). Values that repeat across
 * objects keep their slot, since each decode refreshes it; one-off values (names, uids, hashes) pass
 * through. Races between decoding threads only cost a missed share: a slot holds one reference,
 * and Strings are immutable.
 */
public final class SharedStrings {
    /** Slots: 2^15 references, 128 KB with compressed pointers. */
    static final int SLOTS = 1 << 15;
    /** Longer values are passed through: rarely repeated, and hashing them costs more. */
    static final int LONGEST = 256;

    private final String[] table = new String[SLOTS];

    /** {@code value}, or an equal String decoded before it. */
    public String share(String value) {
        if (value == null || value.length() > LONGEST) {
            return value;
        }
        int h = value.hashCode();
        int slot = (h ^ (h >>> 15)) & (SLOTS - 1);
        String known = table[slot];
        if (known != null && known.equals(value)) {
            return known;
        }
        table[slot] = value;
        return value;
    }

    /** A Jackson module whose String deserializer is the standard one, followed by {@link #share}. */
    public SimpleModule module() {
        SimpleModule m = new SimpleModule("mipo-shared-strings");
        m.addDeserializer(String.class, new Deserializer(this));
        return m;
    }

    /** Decodes exactly as Jackson's own String deserializer (coercions included), then shares the value. */
    private static final class Deserializer extends StdScalarDeserializer<String> {
        private final transient SharedStrings strings;

        Deserializer(SharedStrings strings) {
            super(String.class);
            this.strings = strings;
        }

        @Override
        public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            return strings.share(StringDeserializer.instance.deserialize(p, ctxt));
        }

        @Override
        public boolean isCachable() {
            return true;
        }
    }
}
