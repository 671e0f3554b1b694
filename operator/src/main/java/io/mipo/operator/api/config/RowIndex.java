package io.mipo.operator.api.config;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The scanner rows of the facade's list, kept sorted by every sort key incrementally: a changed row
 * costs O(log n) per kept sort key ({@link RowTree}), never a pass over all rows. Writers (one at a
 * time, under this object's lock) add, replace and remove rows, then {@link #publish()} an immutable
 * {@link View}; readers take the current view with no lock and nothing that blocks, and cut a page
 * from it: an unfiltered page in O(log n + page size), a filtered one in one ordered walk that stops
 * as soon as the page is full when the filter's total is known from the value counts.
 *
 * <p>The console's default order, by name, is kept from the start; the others when first asked for
 * (that query sorts its view's rows once, as before, and {@code onWanted} is told, so the writer
 * starts keeping that key for later views). Every heartbeat puts its scanner's row again in each kept
 * order, so an order nobody asks for is not kept: at 100,000 scanners that is thousands of path
 * copies a second per order.
 *
 * <p>A text search ({@code q}) has to look at every row. A text asked for again (a console polling
 * its search, or paging through it) is then kept like a sort key: the writer keeps the rows that
 * contain it, by name, and updates them as rows change (one {@code contains} per kept text per
 * change), so later queries for it walk only its matches. At most {@link #MAX_TEXTS} texts are
 * kept, the least recently asked for give way; a text asked for once never costs the writer
 * anything.
 */
final class RowIndex {
    // The common orders and the heartbeat order are written out rather than composed
    // (Comparator.comparing(...).thenComparing(...)): every heartbeat puts its scanner's row again,
    // which costs about 14 comparisons per kept order at 10,000 rows, and chains of composed lambdas
    // were the largest item of the facade index's profile under heartbeats. RowIndexTest checks each
    // against the composed form it replaces.
    static final Comparator<ScannerRow> BY_NAME = (a, b) -> {
        int c = a.nameKey().compareTo(b.nameKey());
        return c != 0 ? c : a.id().compareTo(b.id());
    };
    static final Comparator<ScannerRow> BY_STATUS = (a, b) -> {
        int c = a.view().status().compareTo(b.view().status());
        return c != 0 ? c : BY_NAME.compare(a, b);
    };
    /** Earliest created first; unknown creation times last. */
    static final Comparator<ScannerRow> BY_CREATED = (a, b) -> {
        int c = nullsLast(a.createdAt(), b.createdAt());
        return c != 0 ? c : a.id().compareTo(b.id());
    };
    static final Comparator<ScannerRow> BY_RATE = (a, b) -> {
        int c = Integer.compare(a.view().rateLimit(), b.view().rateLimit());
        return c != 0 ? c : BY_NAME.compare(a, b);
    };
    /** Never heard from first; the time is parsed once per row, not at every comparison. */
    static final Comparator<ScannerRow> BY_HEARTBEAT = (a, b) -> {
        int c = nullsFirst(a.lastHeartbeat(), b.lastHeartbeat());
        return c != 0 ? c : BY_NAME.compare(a, b);
    };
    private static final Comparator<String> TEXT = Comparator.nullsLast(String.CASE_INSENSITIVE_ORDER);
    static final Comparator<ScannerRow> BY_DESCRIPTION = Comparator.comparing((ScannerRow r) -> r.view().description(), TEXT).thenComparing(BY_NAME);
    static final Comparator<ScannerRow> BY_BINDING = Comparator.comparing((ScannerRow r) -> r.view().binding().mode(), TEXT)
            .thenComparing(r -> r.view().binding().value(), TEXT).thenComparing(BY_NAME);
    static final Comparator<ScannerRow> BY_CREATOR = Comparator.comparing((ScannerRow r) -> r.view().createdBy(), TEXT).thenComparing(BY_NAME);

    /** Natural order, null after every time. */
    private static int nullsLast(Instant a, Instant b) {
        if (a == null) {
            return b == null ? 0 : 1;
        }
        return b == null ? -1 : a.compareTo(b);
    }

    /** Natural order, null before every time. */
    private static int nullsFirst(Instant a, Instant b) {
        if (a == null) {
            return b == null ? 0 : -1;
        }
        return b == null ? 1 : a.compareTo(b);
    }

    /** How many searched texts are kept at most. */
    static final int MAX_TEXTS = 16;
    /** Matches of a kept text up to which a query sorts them itself, rather than walk the whole order. */
    static final int SORT_MATCHES_AT_MOST = 4_096;
    private final int sortMatchesAtMost;
    /** Rows looked at by queries: the cost counter the tests read. */
    private final LongAdder looked = new LongAdder();
    /** How many texts' request counts are remembered before the counts start again. */
    private static final int ASKED_AT_MOST = 1_024;

    static final Set<ScannerQuery.Sort> KEPT_FROM_START = EnumSet.of(ScannerQuery.Sort.name);
    private static final ScannerQuery.Sort[] SORTS = ScannerQuery.Sort.values();

    static Comparator<ScannerRow> order(ScannerQuery.Sort sort) {
        return switch (sort) {
            case name -> BY_NAME;
            case status -> BY_STATUS;
            case createdAt -> BY_CREATED;
            case rateLimit -> BY_RATE;
            case description -> BY_DESCRIPTION;
            case binding -> BY_BINDING;
            case createdBy -> BY_CREATOR;
            case lastHeartbeatAt -> BY_HEARTBEAT;
        };
    }

    /** What readers see: immutable, all parts from one {@link #publish()}. */
    record View(long version, RowTree.Node[] roots, boolean[] kept, FilterValues values,
                Map<ScannerQuery.Sort, ScannerRow[]> lazilySorted, Map<String, RowTree.Node> texts) {
        static final View EMPTY = new View(0, new RowTree.Node[SORTS.length], keptArray(KEPT_FROM_START),
                new FilterValues(List.of(), List.of(), List.of(), List.of()), new ConcurrentHashMap<>(), Map.of());

        int size() {
            return RowTree.size(roots[ScannerQuery.Sort.name.ordinal()]);
        }

        /** Every row, by name. */
        ScannerRow[] byName() {
            return RowTree.toArray(roots[ScannerQuery.Sort.name.ordinal()]);
        }
    }

    private static boolean[] keptArray(Set<ScannerQuery.Sort> sorts) {
        boolean[] k = new boolean[SORTS.length];
        sorts.forEach(s -> k[s.ordinal()] = true);
        return k;
    }

    // ---- the writer's state, guarded by this ----
    private final Map<String, ScannerRow> byId = new ConcurrentHashMap<>();
    private final RowTree.Node[] roots = new RowTree.Node[SORTS.length];
    private final boolean[] kept = keptArray(KEPT_FROM_START);
    @SuppressWarnings("unchecked")
    private final Comparator<ScannerRow>[] counted = new Comparator[SORTS.length];
    private final Map<String, Integer> statusCounts = new TreeMap<>();
    private final Map<String, Integer> modeCounts = new TreeMap<>();
    private final Map<String, Integer> creatorCounts = new TreeMap<>();
    private final Map<String, Integer> groupCounts = new TreeMap<>();
    /** Each kept text's matching rows, by name (null when none match). */
    private final Map<String, RowTree.Node> texts = new HashMap<>();
    private boolean changed;
    private boolean countsChanged;
    private long version;
    /** Comparator calls made by writes: the cost counter the tests read. */
    private long comparisons;

    private volatile View view = View.EMPTY;
    private final Set<ScannerQuery.Sort> wanted = ConcurrentHashMap.newKeySet();
    private final Set<String> wantedTexts = ConcurrentHashMap.newKeySet();
    /** Per searched text: how often it was asked for, and when last (a tick of {@link #clock}). */
    private final Map<String, long[]> asked = new ConcurrentHashMap<>();
    private final AtomicLong clock = new AtomicLong();
    private final Runnable onWanted;

    RowIndex(Runnable onWanted) {
        this(onWanted, SORT_MATCHES_AT_MOST);
    }

    RowIndex(Runnable onWanted, int sortMatchesAtMost) {
        this.onWanted = onWanted;
        this.sortMatchesAtMost = sortMatchesAtMost;
        for (ScannerQuery.Sort s : SORTS) {
            Comparator<ScannerRow> o = order(s);
            counted[s.ordinal()] = (a, b) -> {
                comparisons++;
                return o.compare(a, b);
            };
        }
    }

    // ---- writes ----

    /** Adds the row, or replaces the row of the same id: O(log n) per kept sort key. */
    synchronized void put(ScannerRow row) {
        ScannerRow old = byId.put(row.id(), row);
        if (old == row) {
            return;
        }
        for (int i = 0; i < SORTS.length; i++) {
            if (!kept[i]) {
                continue;
            }
            Comparator<ScannerRow> o = counted[i];
            if (old != null && o.compare(old, row) != 0) {
                roots[i] = RowTree.remove(roots[i], old, o);
            }
            // equal to the old row by this order: it takes the old row's node, the same place
            roots[i] = RowTree.insert(roots[i], row, o);
        }
        for (Map.Entry<String, RowTree.Node> t : texts.entrySet()) {
            boolean was = old != null && old.searchText().contains(t.getKey());
            boolean is = row.searchText().contains(t.getKey());
            RowTree.Node root = t.getValue();
            if (was && (!is || BY_NAME.compare(old, row) != 0)) {
                root = RowTree.remove(root, old, BY_NAME);
            }
            if (is) {
                root = RowTree.insert(root, row, BY_NAME);
            }
            t.setValue(root);
        }
        if (old == null || !sameCounts(old, row)) {
            if (old != null) {
                count(old, -1);
            }
            count(row, 1);
        }
        changed = true;
    }

    /** Removes the row of this id, if any: O(log n) per kept sort key. */
    synchronized void remove(String id) {
        ScannerRow old = byId.remove(id);
        if (old == null) {
            return;
        }
        for (int i = 0; i < SORTS.length; i++) {
            if (kept[i]) {
                roots[i] = RowTree.remove(roots[i], old, counted[i]);
            }
        }
        for (Map.Entry<String, RowTree.Node> t : texts.entrySet()) {
            if (old.searchText().contains(t.getKey())) {
                t.setValue(RowTree.remove(t.getValue(), old, BY_NAME));
            }
        }
        count(old, -1);
        changed = true;
    }

    /** Replaces every row at once (the first list): one sort per kept key, O(n log n). */
    synchronized void load(Collection<ScannerRow> rows) {
        byId.clear();
        statusCounts.clear();
        modeCounts.clear();
        creatorCounts.clear();
        groupCounts.clear();
        ScannerRow[] all = rows.toArray(new ScannerRow[0]);
        for (ScannerRow r : all) {
            byId.put(r.id(), r);
            count(r, 1);
        }
        for (int i = 0; i < SORTS.length; i++) {
            if (kept[i]) {
                ScannerRow[] sorted = all.clone();
                Arrays.sort(sorted, order(SORTS[i]));
                roots[i] = RowTree.build(sorted, 0, sorted.length);
            }
        }
        ScannerRow[] byName = RowTree.toArray(roots[ScannerQuery.Sort.name.ordinal()]);
        texts.replaceAll((text, root) -> matching(byName, text));
        changed = true;
    }

    /** The rows (in name order) that contain the text, as a tree by name. */
    private static RowTree.Node matching(ScannerRow[] byName, String text) {
        ScannerRow[] out = new ScannerRow[byName.length];
        int m = 0;
        for (ScannerRow r : byName) {
            if (r.searchText().contains(text)) {
                out[m++] = r;
            }
        }
        return RowTree.build(out, 0, m);
    }

    /** Starts keeping the sort keys readers asked for: one O(n log n) sort each, once. */
    synchronized void keepWanted() {
        for (ScannerQuery.Sort s : wanted) {
            wanted.remove(s);
            int i = s.ordinal();
            if (!kept[i]) {
                ScannerRow[] sorted = RowTree.toArray(roots[ScannerQuery.Sort.name.ordinal()]);
                Arrays.sort(sorted, order(s));
                roots[i] = RowTree.build(sorted, 0, sorted.length);
                kept[i] = true;
                changed = true;
            }
        }
        ScannerRow[] byName = null;
        for (String text : wantedTexts) {
            wantedTexts.remove(text);
            if (!texts.containsKey(text)) {
                if (byName == null) {
                    byName = RowTree.toArray(roots[ScannerQuery.Sort.name.ordinal()]);
                }
                texts.put(text, matching(byName, text));
                changed = true;
            }
        }
        while (texts.size() > MAX_TEXTS) {
            String least = null;
            long leastUse = Long.MAX_VALUE;
            for (String text : texts.keySet()) {
                long[] a = asked.get(text);
                long use;
                if (a == null) {
                    use = Long.MIN_VALUE;
                } else {
                    synchronized (a) {
                        use = a[1];
                    }
                }
                if (use < leastUse) {
                    least = text;
                    leastUse = use;
                }
            }
            texts.remove(least);
            changed = true;
        }
    }

    /** The texts kept now (for tests). */
    synchronized Set<String> keptTexts() {
        return Set.copyOf(texts.keySet());
    }

    /** Makes the writes so far visible to readers, as one view. */
    synchronized View publish() {
        if (!changed && view != View.EMPTY) {
            return view;
        }
        FilterValues values = view.values();
        if (countsChanged || view == View.EMPTY) {
            values = new FilterValues(counts(statusCounts), counts(modeCounts), counts(creatorCounts), counts(groupCounts));
            countsChanged = false;
        }
        changed = false;
        View v = new View(++version, roots.clone(), kept.clone(), values, new ConcurrentHashMap<>(),
                Collections.unmodifiableMap(new HashMap<>(texts))); // a text that matches nothing has a null tree
        view = v;
        return v;
    }

    private static boolean sameCounts(ScannerRow a, ScannerRow b) {
        return a.view().status().equals(b.view().status()) && a.view().binding().mode().equals(b.view().binding().mode())
                && java.util.Objects.equals(a.view().createdBy(), b.view().createdBy()) && a.view().groups().equals(b.view().groups());
    }

    private void count(ScannerRow r, int delta) {
        add(statusCounts, r.view().status(), delta);
        add(modeCounts, r.view().binding().mode(), delta);
        if (r.view().createdBy() != null) {
            add(creatorCounts, r.view().createdBy(), delta);
        }
        for (String g : r.view().groups()) {
            add(groupCounts, g, delta);
        }
        countsChanged = true;
    }

    private static void add(Map<String, Integer> counts, String value, int delta) {
        counts.merge(value, delta, (a, b) -> a + b == 0 ? null : a + b);
    }

    private static List<FilterValues.ValueCount> counts(Map<String, Integer> m) {
        List<FilterValues.ValueCount> out = new ArrayList<>(m.size());
        m.forEach((k, v) -> out.add(new FilterValues.ValueCount(k, v)));
        return List.copyOf(out);
    }

    synchronized long comparisons() {
        return comparisons;
    }

    /** Rows looked at by queries since start. */
    long rowsLookedAt() {
        return looked.sum();
    }

    // ---- reads: no lock ----

    View view() {
        return view;
    }

    /** The current row of a scanner; may be a write ahead of {@link #view()} while a writer is between put and publish. */
    ScannerRow row(String id) {
        return byId.get(id);
    }

    int size() {
        return byId.size();
    }

    /** The rows of one page, and how many rows match in all. */
    record Matches(List<ScannerRow> rows, int total) {
    }

    Matches query(ScannerQuery q) {
        return query(view, q);
    }

    Matches query(View v, ScannerQuery q) {
        if (q.q() != null) {
            boolean kept = v.texts().containsKey(q.q());
            asked(q.q(), kept);
            Matches m = kept ? byText(v, v.texts().get(q.q()), q) : null;
            if (m != null) {
                return m;
            }
        }
        int i = q.sort().ordinal();
        if (!v.kept()[i]) {
            return counted(v.lazilySorted().computeIfAbsent(q.sort(), s -> sortedOnce(v, s)), q);
        }
        return walk(v.roots()[i], q, knownTotal(q, v.values()), q.filtersNothing());
    }

    /**
     * A query whose text is kept: only its matches are looked at, unless there are many and another
     * order is wanted; null when that order is not kept yet either (then the query goes the common
     * way, which sorts the view once and asks the writer to keep the order).
     */
    private Matches byText(View v, RowTree.Node matches, ScannerQuery q) {
        int m = RowTree.size(matches);
        if (q.sort() == ScannerQuery.Sort.name) {
            return walk(matches, q, q.onlyText() ? m : -1, q.onlyText());
        }
        if (m <= sortMatchesAtMost) {
            ScannerRow[] rows = RowTree.toArray(matches);
            Arrays.sort(rows, order(q.sort()));
            return counted(rows, q);
        }
        if (!v.kept()[q.sort().ordinal()]) {
            return null;
        }
        // most rows match: walking the wanted order stops once the page is full, the total being known
        return walk(v.roots()[q.sort().ordinal()], q, q.onlyText() ? m : -1, false);
    }

    /**
     * Notes a query for the text; when it was asked for before and is not kept yet, asks the
     * writer to keep it.
     */
    private void asked(String text, boolean kept) {
        long tick = clock.incrementAndGet();
        if (asked.size() >= ASKED_AT_MOST && !asked.containsKey(text)) {
            // many different texts (someone typing, or probing): count again, remembering the kept ones
            asked.keySet().removeIf(t -> !view.texts().containsKey(t));
        }
        long[] a = asked.computeIfAbsent(text, t -> new long[2]);
        long times;
        synchronized (a) {
            times = ++a[0];
            a[1] = tick;
        }
        if (!kept && times >= 2 && wantedTexts.add(text) && onWanted != null) {
            onWanted.run();
        }
    }

    /**
     * One page of the rows of {@code root}'s order that match, and their total. When every row
     * matches ({@code all}), the page is cut by position; otherwise the rows are walked in order,
     * stopping once the page is full when the total is already known ({@code known >= 0}).
     */
    private Matches walk(RowTree.Node root, ScannerQuery q, int known, boolean all) {
        int n = RowTree.size(root);
        long from = (long) (q.page() - 1) * q.pageSize();
        long to = from + q.pageSize();
        List<ScannerRow> page = new ArrayList<>((int) Math.max(0, Math.min(q.pageSize(), n - from)));
        if (all) {
            if (from < n) {
                RowTree.Cursor c = new RowTree.Cursor(root, (int) from, q.descending());
                for (long k = from; k < Math.min(to, n); k++) {
                    page.add(c.next());
                }
            }
            looked.add(page.size());
            return new Matches(page, n);
        }
        RowTree.Cursor c = new RowTree.Cursor(root, 0, q.descending());
        int total = 0;
        int seen = 0;
        for (ScannerRow r = c.next(); r != null; r = c.next()) {
            seen++;
            if (q.matches(r)) {
                if (total >= from && total < to) {
                    page.add(r);
                }
                total++;
                if (known >= 0 && total >= to) {
                    break; // the page is full and the count is known: the rest need not be looked at
                }
            }
        }
        looked.add(seen);
        return new Matches(page, known >= 0 ? known : total);
    }

    /** A sort key not kept yet: this view's rows sorted once (kept per view), and the writer asked to keep it. */
    private ScannerRow[] sortedOnce(View v, ScannerQuery.Sort sort) {
        if (wanted.add(sort) && onWanted != null) {
            onWanted.run();
        }
        ScannerRow[] rows = v.byName();
        Arrays.sort(rows, order(sort));
        return rows;
    }

    private Matches counted(ScannerRow[] sorted, ScannerQuery q) {
        looked.add(sorted.length);
        return query(sorted, q);
    }

    static Matches query(ScannerRow[] sorted, ScannerQuery q) {
        int from = (q.page() - 1) * q.pageSize();
        int to = from + q.pageSize();
        int n = sorted.length;
        List<ScannerRow> page = new ArrayList<>(Math.min(q.pageSize(), n));
        if (q.filtersNothing()) {
            for (int i = from; i < Math.min(to, n); i++) {
                page.add(sorted[q.descending() ? n - 1 - i : i]);
            }
            return new Matches(page, n);
        }
        int total = 0;
        for (int i = 0; i < n; i++) {
            ScannerRow r = sorted[q.descending() ? n - 1 - i : i];
            if (q.matches(r)) {
                if (total >= from && total < to) {
                    page.add(r);
                }
                total++;
            }
        }
        return new Matches(page, total);
    }

    /**
     * How many rows match, from the value counts, when the query filters by one kind of value
     * only (a row has one status, one binding mode, at most one creator; groups overlap, so only
     * one group); -1 otherwise.
     */
    static int knownTotal(ScannerQuery q, FilterValues values) {
        if (q.q() != null) {
            return -1;
        }
        int kinds = (q.status().isEmpty() ? 0 : 1) + (q.bindingMode().isEmpty() ? 0 : 1)
                + (q.createdBy().isEmpty() ? 0 : 1) + (q.group().isEmpty() ? 0 : 1);
        if (kinds != 1) {
            return -1;
        }
        if (!q.status().isEmpty()) {
            return sum(values.status(), q.status());
        }
        if (!q.bindingMode().isEmpty()) {
            return sum(values.bindingMode(), q.bindingMode());
        }
        if (!q.createdBy().isEmpty()) {
            return sum(values.createdBy(), q.createdBy());
        }
        return q.group().size() == 1 ? sum(values.group(), q.group()) : -1;
    }

    private static int sum(List<FilterValues.ValueCount> counts, Set<String> wanted) {
        int total = 0;
        for (FilterValues.ValueCount c : counts) {
            if (wanted.contains(c.value())) {
                total += c.count();
            }
        }
        return total;
    }
}
