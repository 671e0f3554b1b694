package io.mipo.operator.standalone;

import java.security.SecureRandom;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Lists in pages ({@code limit} and {@code continue}), as kube-apiserver serves them: every page of
 * one list shows the store as it was at the first page (one resourceVersion), so a client that
 * watches from that version afterwards misses nothing and sees nothing twice in the list. The first
 * page keeps the sorted result (references to the stored JSON, not copies); later pages are slices
 * of it. A list not continued for {@link #KEEP}, or pushed out by {@link #MAX_LISTS} newer ones, is
 * forgotten: its next page answers 410 Expired and the client lists again, as after an etcd
 * compaction.
 */
final class ListPages {
    static final int MAX_LISTS = 32;
    static final Duration KEEP = Duration.ofMinutes(5);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** One page: its items, the list's resourceVersion, the token of the next page (null at the end), how many follow. */
    record Page(List<String> items, long version, String next, long remaining) {
    }

    /** The continue token names no list this server remembers (too old, or never issued). */
    static final class Expired extends Exception {
        Expired(String message) {
            super(message, null, false, false);
        }
    }

    /** The continue token belongs to another list (another resource, namespace or selector). */
    static final class Mismatch extends Exception {
        Mismatch(String message) {
            super(message, null, false, false);
        }
    }

    private record Listing(String request, List<String> items, long version, long[] lastUsed) {
    }

    private final LongSupplier nanoTime;
    private final Map<String, Listing> listings = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Listing> eldest) {
            return size() > MAX_LISTS;
        }
    };

    ListPages() {
        this(System::nanoTime);
    }

    ListPages(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    /**
     * The first page of {@code sorted} (the whole result, in the server's order, at {@code version}).
     * {@code request} identifies the list (resource, namespace, selectors) for the pages that follow.
     */
    synchronized Page first(String request, List<String> sorted, long version, long limit) {
        if (limit <= 0 || sorted.size() <= limit) {
            return new Page(sorted, version, null, 0);
        }
        byte[] id = new byte[16];
        RANDOM.nextBytes(id);
        String key = HexFormat.of().formatHex(id);
        listings.put(key, new Listing(request, sorted, version, new long[] {nanoTime.getAsLong()}));
        return slice(key, listings.get(key), 0, limit);
    }

    /** The page a continue token names, {@code limit} items long (0: the rest). */
    synchronized Page next(String request, String token, long limit) throws Expired, Mismatch {
        String key;
        int offset;
        try {
            String decoded = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.US_ASCII);
            int colon = decoded.indexOf(':');
            key = decoded.substring(0, colon);
            offset = Integer.parseInt(decoded.substring(colon + 1));
        } catch (RuntimeException e) {
            throw new Mismatch("the continue token is not one this server issued");
        }
        Listing listing = listings.get(key);
        long now = nanoTime.getAsLong();
        if (listing != null && now - listing.lastUsed()[0] > KEEP.toNanos()) {
            listings.remove(key);
            listing = null;
        }
        if (listing == null) {
            throw new Expired("the list this continue token belongs to is no longer kept (a list not continued for "
                    + KEEP.toMinutes() + " minutes is dropped); start the list again without continue");
        }
        if (!listing.request().equals(request)) {
            throw new Mismatch("the continue token belongs to another list (resource, namespace and selectors must be those of its first page)");
        }
        if (offset < 0 || offset > listing.items().size()) {
            throw new Mismatch("the continue token is not one this server issued");
        }
        listing.lastUsed()[0] = now;
        return slice(key, listing, offset, limit <= 0 ? Long.MAX_VALUE : limit);
    }

    synchronized int kept() {
        return listings.size();
    }

    private Page slice(String key, Listing listing, int offset, long limit) {
        int size = listing.items().size();
        int end = (int) Math.min(size, offset + limit);
        List<String> items = listing.items().subList(offset, end);
        if (end >= size) {
            listings.remove(key);
            return new Page(items, listing.version(), null, 0);
        }
        String next = Base64.getUrlEncoder().withoutPadding().encodeToString((key + ":" + end).getBytes(StandardCharsets.US_ASCII));
        return new Page(items, listing.version(), next, size - end);
    }
}
