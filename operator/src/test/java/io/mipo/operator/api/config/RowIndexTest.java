package io.mipo.operator.api.config;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The facade's incremental index: every query answered exactly as a from-scratch sort of the same
 * rows would answer it, and a change to one row costing O(log n), not a pass over all rows.
 */
class RowIndexTest {
    private static final String[] STATUSES = {"Pending", "Active", "Offline", "Disabled"};
    private static final String[] MODES = {"none", "ip", "subnet", "asn"};
    private static final String[] USERS = {null, "alice", "bob", "Carol", "dave"};
    private static final String[] GROUPS = {"g-a", "g-b", "g-c"};
    private static final String[] WORDS = {"rack", "edge", "Core", "lab", "dmz"};

    static ScannerRow row(Random rnd, String id) {
        String name = WORDS[rnd.nextInt(WORDS.length)] + "-" + rnd.nextInt(50) + "-" + id;
        String description = rnd.nextInt(4) == 0 ? "" : WORDS[rnd.nextInt(WORDS.length)] + " " + rnd.nextInt(1000);
        String mode = MODES[rnd.nextInt(MODES.length)];
        String value = mode.equals("none") || rnd.nextBoolean() ? null : "10.0." + rnd.nextInt(4) + ".0/24";
        List<String> groups = new ArrayList<>();
        for (String g : GROUPS) {
            if (rnd.nextInt(3) == 0) {
                groups.add(g);
            }
        }
        // few distinct values, so that ties (broken by name, then id) are common
        String created = rnd.nextInt(10) == 0 ? null : Instant.ofEpochSecond(1_700_000_000L + rnd.nextInt(20) * 60L).toString();
        String heartbeat = rnd.nextInt(5) == 0 ? null : Instant.ofEpochSecond(1_700_000_000L + rnd.nextInt(30)).toString();
        ScannerView v = new ScannerView(id, name, description, STATUSES[rnd.nextInt(STATUSES.length)],
                new ScannerView.BindingSummary(mode, value, mode.equals("none") ? null : "Enforce", 0),
                USERS[rnd.nextInt(USERS.length)], rnd.nextInt(4) * 100, created, heartbeat, null, List.copyOf(groups),
                "External", List.of());
        return ScannerRow.of(v, "" + rnd.nextInt(1_000_000), ("{\"id\":\"" + id + "\"}").getBytes(StandardCharsets.UTF_8));
    }

    static ScannerQuery randomQuery(Random rnd) {
        List<String> status = rnd.nextInt(3) == 0 ? List.of(STATUSES[rnd.nextInt(4)] + (rnd.nextBoolean() ? "," + STATUSES[rnd.nextInt(4)] : "")) : List.of();
        List<String> modes = rnd.nextInt(4) == 0 ? List.of(MODES[rnd.nextInt(4)]) : List.of();
        List<String> users = rnd.nextInt(4) == 0 ? List.of(USERS[1 + rnd.nextInt(USERS.length - 1)]) : List.of();
        List<String> groups = rnd.nextInt(4) == 0 ? List.of(GROUPS[rnd.nextInt(3)] + (rnd.nextBoolean() ? "," + GROUPS[rnd.nextInt(3)] : "")) : List.of();
        String text = rnd.nextInt(5) == 0 ? WORDS[rnd.nextInt(WORDS.length)].toUpperCase(Locale.ROOT).substring(0, 3) : null;
        ScannerQuery.Sort sort = ScannerQuery.Sort.values()[rnd.nextInt(ScannerQuery.Sort.values().length)];
        int pageSize = 1 + rnd.nextInt(rnd.nextBoolean() ? 10 : 200);
        int page = 1 + rnd.nextInt(rnd.nextInt(4) == 0 ? 40 : 3);
        return ScannerQuery.parse(status, modes, users, groups, text, sort.name(), rnd.nextBoolean() ? "desc" : "asc", "" + page, "" + pageSize);
    }

    private static String describe(RowIndex.Matches m) {
        return m.total() + " " + m.rows().stream().map(ScannerRow::id).toList();
    }

    /** Rows known to be in the index, each order sorted from scratch once (on first use). */
    private record Truth(Map<String, ScannerRow> rows, Map<ScannerQuery.Sort, List<ScannerRow>> sorted) {
        Truth(Map<String, ScannerRow> rows) {
            this(Map.copyOf(rows), new HashMap<>());
        }

        List<ScannerRow> sortedBy(ScannerQuery.Sort sort) {
            return sorted.computeIfAbsent(sort, k -> {
                List<ScannerRow> all = new ArrayList<>(rows.values());
                all.sort(RowIndex.order(k));
                return all;
            });
        }

        /** The answer of a sort of all rows from scratch: what the index must match. */
        RowIndex.Matches expected(ScannerQuery q) {
            List<ScannerRow> sorted = new ArrayList<>(sortedBy(q.sort()));
            if (q.descending()) {
                Collections.reverse(sorted);
            }
            List<ScannerRow> matching = sorted.stream().filter(q::matches).toList();
            int from = Math.min(matching.size(), (q.page() - 1) * q.pageSize());
            int to = Math.min(matching.size(), from + q.pageSize());
            return new RowIndex.Matches(matching.subList(from, to), matching.size());
        }
    }

    private static void assertSame(Truth truth, RowIndex index, RowIndex.View view, ScannerQuery q) {
        assertEquals(describe(truth.expected(q)), describe(index.query(view, q)), "query " + q);
    }

    private static FilterValues countsOf(java.util.Collection<ScannerRow> rows) {
        Map<String, Integer> status = new TreeMap<>();
        Map<String, Integer> mode = new TreeMap<>();
        Map<String, Integer> createdBy = new TreeMap<>();
        Map<String, Integer> group = new TreeMap<>();
        for (ScannerRow r : rows) {
            status.merge(r.view().status(), 1, Integer::sum);
            mode.merge(r.view().binding().mode(), 1, Integer::sum);
            if (r.view().createdBy() != null) {
                createdBy.merge(r.view().createdBy(), 1, Integer::sum);
            }
            r.view().groups().forEach(g -> group.merge(g, 1, Integer::sum));
        }
        java.util.function.Function<Map<String, Integer>, List<FilterValues.ValueCount>> list = m -> m.entrySet().stream()
                .map(e -> new FilterValues.ValueCount(e.getKey(), e.getValue())).toList();
        return new FilterValues(list.apply(status), list.apply(mode), list.apply(createdBy), list.apply(group));
    }

    @Test
    void afterRandomWritesDeletesAndStatusChangesEveryQueryMatchesASortFromScratch() {
        for (long seed = 1; seed <= 6; seed++) {
            Random rnd = new Random(seed);
            Map<String, ScannerRow> truth = new HashMap<>();
            // odd seeds sort a kept text's matches themselves, even ones walk the wanted order
            RowIndex index = new RowIndex(null, seed % 2 == 1 ? RowIndex.SORT_MATCHES_AT_MOST : 0);
            List<ScannerRow> initial = new ArrayList<>();
            for (int i = 0; i < 50 * seed; i++) {
                ScannerRow r = row(rnd, "s" + i);
                initial.add(r);
                truth.put(r.id(), r);
            }
            index.load(initial);
            RowIndex.View previous = index.publish();
            Truth previousTruth = new Truth(truth);
            int nextId = initial.size();
            for (int step = 0; step < 400; step++) {
                int op = rnd.nextInt(10);
                List<String> ids = new ArrayList<>(truth.keySet());
                if (op < 3 || ids.isEmpty()) {
                    ScannerRow r = row(rnd, "s" + nextId++);
                    truth.put(r.id(), r);
                    index.put(r);
                } else if (op < 5) {
                    String id = ids.get(rnd.nextInt(ids.size()));
                    truth.remove(id);
                    index.remove(id);
                } else if (op < 7) {
                    // a status change only (heartbeats, the reconciler): the sort by status moves it
                    ScannerRow old = truth.get(ids.get(rnd.nextInt(ids.size())));
                    ScannerView v = old.view();
                    ScannerView changed = new ScannerView(v.id(), v.name(), v.description(), STATUSES[rnd.nextInt(4)], v.binding(),
                            v.createdBy(), v.rateLimit(), v.createdAt(), Instant.ofEpochSecond(1_700_000_000L + rnd.nextInt(30)).toString(),
                            v.agent(), v.groups(), v.deploymentMode(), v.assignments());
                    ScannerRow r = ScannerRow.of(changed, old.resourceVersion() + "1", old.json());
                    truth.put(r.id(), r);
                    index.put(r);
                } else {
                    // anything may change, the id stays
                    String id = ids.get(rnd.nextInt(ids.size()));
                    ScannerRow r = row(rnd, id);
                    truth.put(id, r);
                    index.put(r);
                }
                if (rnd.nextInt(5) == 0) {
                    index.keepWanted();
                }
                if (rnd.nextInt(4) == 0) {
                    RowIndex.View view = index.publish();
                    Truth now = new Truth(truth);
                    for (int k = 0; k < 15; k++) {
                        ScannerQuery q = randomQuery(rnd);
                        assertSame(now, index, view, q);
                        // an older view answers as it did: writes never change what a reader holds
                        assertSame(previousTruth, index, previous, q);
                    }
                    assertEquals(countsOf(truth.values()), view.values(), "filter value counts");
                    assertEquals(truth.size(), view.size());
                    previous = view;
                    previousTruth = now;
                }
            }
            assertTrue(!index.keptTexts().isEmpty(), "texts asked for again are kept (and answered above)");
            RowIndex.View view = index.publish();
            index.keepWanted();
            RowIndex.View all = index.publish();
            Truth end = new Truth(truth);
            for (ScannerQuery.Sort sort : ScannerQuery.Sort.values()) {
                for (String order : List.of("asc", "desc")) {
                    for (int page = 1; page <= 4; page++) {
                        ScannerQuery q = ScannerQuery.parse(List.of(), List.of(), List.of(), List.of(), null, sort.name(), order, "" + page, "7");
                        assertSame(end, index, view, q);
                        assertSame(end, index, all, q);
                    }
                }
            }
        }
    }

    /** Comparator calls for one scanner created, one changed (status and heartbeat), one deleted. */
    private static long costOfOneChangeEach(int rows) {
        Random rnd = new Random(7);
        RowIndex index = new RowIndex(null);
        List<ScannerRow> all = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            all.add(row(rnd, "s" + i));
        }
        index.load(all);
        index.publish();
        long before = index.comparisons();
        index.put(row(rnd, "new-one"));
        index.publish();
        ScannerView v = all.get(rows / 2).view();
        index.put(ScannerRow.of(new ScannerView(v.id(), v.name(), v.description(), v.status().equals("Active") ? "Offline" : "Active",
                v.binding(), v.createdBy(), v.rateLimit(), v.createdAt(), "2026-12-03T15:00:00Z", v.agent(), v.groups(),
                v.deploymentMode(), v.assignments()), "2", v.id().getBytes(StandardCharsets.UTF_8)));
        index.publish();
        index.remove(all.get(rows / 3).id());
        index.publish();
        return index.comparisons() - before;
    }

    @Test
    void oneChangeCostsLogarithmicallyManyComparisonsNotASortOfAllRows() {
        long small = costOfOneChangeEach(100);
        long large = costOfOneChangeEach(10_000);
        // one sort key kept from the start, a path of at most 1.44 log2(n) nodes; a sort of 10,000
        // rows would take over 100,000 comparisons
        assertTrue(large <= 3 * small, "100 rows: " + small + " comparisons; 10,000 rows: " + large);
        assertTrue(large < 4 * 3 * 2 * 20, "10,000 rows: " + large + " comparisons for three changes");
    }

    /** A heartbeat puts its row again in each kept order: an order nobody asked for costs it nothing. */
    @Test
    void aHeartbeatReplacesItsRowOnlyInTheOrdersAskedFor() {
        Random rnd = new Random(11);
        RowIndex index = new RowIndex(null);
        List<ScannerRow> all = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            all.add(row(rnd, "s" + i));
        }
        index.load(all);
        index.publish();
        ScannerView v = all.get(4_321).view();
        long before = index.comparisons();
        index.put(ScannerRow.of(new ScannerView(v.id(), v.name(), v.description(), v.status(), v.binding(), v.createdBy(),
                v.rateLimit(), v.createdAt(), "2026-12-04T04:00:00Z", v.agent(), v.groups(), v.deploymentMode(), v.assignments()),
                "2", v.id().getBytes(StandardCharsets.UTF_8)));
        long byNameOnly = index.comparisons() - before;
        assertTrue(byNameOnly <= 21, "a heartbeat with only the name order kept took " + byNameOnly + " comparisons");

        for (String sort : List.of("status", "createdAt", "rateLimit")) {
            index.query(index.view(), ScannerQuery.parse(List.of(), List.of(), List.of(), List.of(), null, sort, "asc", "1", "1"));
        }
        index.keepWanted();
        index.publish();
        before = index.comparisons();
        index.put(ScannerRow.of(new ScannerView(v.id(), v.name(), v.description(), v.status(), v.binding(), v.createdBy(),
                v.rateLimit(), v.createdAt(), "2026-12-04T04:00:05Z", v.agent(), v.groups(), v.deploymentMode(), v.assignments()),
                "3", v.id().getBytes(StandardCharsets.UTF_8)));
        long byFour = index.comparisons() - before;
        assertTrue(byFour > 3 * byNameOnly, "once asked for, the three orders are kept too: " + byFour + " comparisons against "
                + byNameOnly);
    }

    @Test
    void aSortKeyFirstAskedForIsSortedOnceThenKeptIncrementally() {
        Random rnd = new Random(3);
        boolean[] asked = {false};
        RowIndex index = new RowIndex(() -> asked[0] = true);
        List<ScannerRow> all = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            all.add(row(rnd, "s" + i));
        }
        index.load(all);
        ScannerQuery byHeartbeat = ScannerQuery.parse(List.of(), List.of(), List.of(), List.of(), null, "lastHeartbeatAt", "desc", "1", "20");
        index.query(index.publish(), byHeartbeat);
        assertTrue(asked[0], "the writer was asked to keep the new sort key");
        index.keepWanted();
        index.publish();
        long before = index.comparisons();
        index.put(row(rnd, "s5"));
        index.publish();
        long cost = index.comparisons() - before;
        assertTrue(cost < 5 * 3 * 2 * 15, "five kept keys at 1,000 rows, one change: " + cost + " comparisons");
    }

    private static ScannerQuery text(String q, String sort, String order, int page, int pageSize, String... status) {
        return ScannerQuery.parse(List.of(status), List.of(), List.of(), List.of(), q, sort, order, "" + page, "" + pageSize);
    }

    /** The row with another name, description and status, everything else the same. */
    private static ScannerRow changed(ScannerRow r, String name, String description, String status) {
        ScannerView v = r.view();
        return ScannerRow.of(new ScannerView(v.id(), name, description, status, v.binding(), v.createdBy(), v.rateLimit(), v.createdAt(),
                v.lastHeartbeatAt(), v.agent(), v.groups(), v.deploymentMode(), v.assignments()), r.resourceVersion() + "1", r.json());
    }

    /** Asks for the query's text twice, lets the writer keep it, and answers the view that has it. */
    private static RowIndex.View keep(RowIndex index, ScannerQuery q) {
        index.query(index.publish(), q);
        index.query(index.publish(), q);
        index.keepWanted();
        return index.publish();
    }

    private static Map<String, ScannerRow> byId(List<ScannerRow> rows) {
        Map<String, ScannerRow> out = new HashMap<>();
        rows.forEach(r -> out.put(r.id(), r));
        return out;
    }

    /** 10,000 rows, one in a hundred named with "needle". */
    private static List<ScannerRow> haystack(Random rnd) {
        List<ScannerRow> all = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            ScannerRow r = row(rnd, "s" + i);
            if (i % 100 == 0) {
                r = changed(r, "needle-" + i, r.view().description(), r.view().status());
            }
            all.add(r);
        }
        return all;
    }

    @Test
    void aTextAskedForAgainIsKeptAndThenOnlyItsMatchesAreLookedAt() {
        Random rnd = new Random(11);
        int[] wanted = {0};
        RowIndex index = new RowIndex(() -> wanted[0]++);
        List<ScannerRow> all = haystack(rnd);
        index.load(all);
        Map<String, ScannerRow> truth = byId(all);
        RowIndex.View view = index.publish();

        ScannerQuery first = text("NEEDLE", "name", "asc", 2, 20);
        long before = index.rowsLookedAt();
        assertSame(new Truth(truth), index, view, first);
        assertTrue(index.rowsLookedAt() - before >= 10_000, "a text not kept yet is looked for in every row");
        assertEquals(0, wanted[0], "a text asked for once costs the writer nothing");
        index.keepWanted();
        assertEquals(java.util.Set.of(), index.keptTexts());

        assertSame(new Truth(truth), index, view, first);
        assertEquals(1, wanted[0], "asked for again: the writer is asked to keep it");
        index.keepWanted();
        assertEquals(java.util.Set.of("needle"), index.keptTexts());
        view = index.publish();

        // the kept text follows the rows: one gains the text, one loses it, one with it is deleted
        ScannerRow gains = changed(all.get(1), all.get(1).view().name(), "next to the needle", "Active");
        index.put(gains);
        ScannerRow loses = row(rnd, all.get(200).id());
        index.put(loses);
        index.remove(all.get(300).id());
        truth.put(gains.id(), gains);
        truth.put(loses.id(), loses);
        truth.remove(all.get(300).id());
        view = index.publish();
        Truth now = new Truth(truth);
        for (ScannerQuery q : List.of(text("needle", "name", "asc", 1, 50), text("needle", "name", "desc", 2, 30),
                text("needle", "status", "asc", 1, 25), text("needle", "createdAt", "desc", 3, 10),
                text("needle", "name", "asc", 1, 10, "Active"), text("needle", "lastHeartbeatAt", "asc", 1, 10, "Offline,Pending"))) {
            long was = index.rowsLookedAt();
            assertSame(now, index, view, q);
            long looked = index.rowsLookedAt() - was;
            assertTrue(looked <= 100, q + ": looked at " + looked + " rows, not only the text's 100 matches");
        }
    }

    @Test
    void aKeptTextThatMatchesNothingIsAnsweredAndLaterMatchesAreFound() {
        Random rnd = new Random(13);
        RowIndex index = new RowIndex(null);
        List<ScannerRow> all = haystack(rnd);
        index.load(all);
        ScannerQuery none = text("no-such-text", "name", "asc", 1, 50);
        RowIndex.View view = keep(index, none);
        assertEquals(java.util.Set.of("no-such-text"), index.keptTexts());
        assertEquals("0 []", describe(index.query(view, none)));
        assertEquals("0 []", describe(index.query(view, text("no-such-text", "status", "desc", 1, 50))));

        ScannerRow found = changed(all.get(7), all.get(7).view().name(), "no-such-text after all", all.get(7).view().status());
        index.put(found);
        assertEquals("1 [" + found.id() + "]", describe(index.query(index.publish(), none)));
        index.remove(found.id());
        assertEquals("0 []", describe(index.query(index.publish(), none)));
    }

    @Test
    void aKeptTextWithManyMatchesInAnOrderNotKeptYetGetsThatOrderKept() {
        RowIndex index = new RowIndex(null, 10); // more than 10 matches: not sorted by the query itself
        List<ScannerRow> all = haystack(new Random(17));
        index.load(all);
        Map<String, ScannerRow> truth = byId(all);
        RowIndex.View view = keep(index, text("needle", "name", "asc", 1, 10));
        assertEquals(java.util.Set.of("needle"), index.keptTexts());
        ScannerQuery q = text("needle", "lastHeartbeatAt", "desc", 2, 10);
        assertSame(new Truth(truth), index, view, q);
        index.keepWanted();
        view = index.publish();
        assertTrue(view.kept()[ScannerQuery.Sort.lastHeartbeatAt.ordinal()], "the order the text was asked in is kept now");
        assertSame(new Truth(truth), index, view, q);
    }

    @Test
    void atMostSixteenTextsAreKeptAndTheLeastRecentlyAskedGiveWay() {
        RowIndex index = new RowIndex(null);
        index.load(haystack(new Random(5)));
        RowIndex.View view = index.publish();
        for (int i = 0; i <= RowIndex.MAX_TEXTS; i++) {
            ScannerQuery q = text("needle-" + i + "00", "name", "asc", 1, 10);
            index.query(view, q);
            index.query(view, q);
        }
        index.query(view, text("needle-000", "name", "asc", 1, 10)); // asked for again: the most recent
        index.keepWanted();
        java.util.Set<String> kept = index.keptTexts();
        assertEquals(RowIndex.MAX_TEXTS, kept.size(), "kept: " + kept);
        assertTrue(kept.contains("needle-000"), "kept: " + kept);
        assertTrue(!kept.contains("needle-100"), "the least recently asked for gave way; kept: " + kept);
    }

    /** The written-out orders sort exactly as the composed comparators they replace. */
    @Test
    void writtenOutOrdersAgreeWithTheirComposedForm() {
        Comparator<ScannerRow> name = Comparator.comparing(ScannerRow::nameKey).thenComparing(ScannerRow::id);
        Map<String, Comparator<ScannerRow>[]> pairs = new LinkedHashMap<>();
        pairs.put("name", pair(RowIndex.BY_NAME, name));
        pairs.put("status", pair(RowIndex.BY_STATUS, Comparator.comparing((ScannerRow r) -> r.view().status()).thenComparing(name)));
        pairs.put("createdAt", pair(RowIndex.BY_CREATED, Comparator
                .comparing(ScannerRow::createdAt, Comparator.nullsLast(Comparator.<Instant>naturalOrder())).thenComparing(ScannerRow::id)));
        pairs.put("rateLimit", pair(RowIndex.BY_RATE, Comparator.comparingInt((ScannerRow r) -> r.view().rateLimit()).thenComparing(name)));
        pairs.put("lastHeartbeatAt", pair(RowIndex.BY_HEARTBEAT, Comparator.comparing(ScannerRow::lastHeartbeat,
                Comparator.nullsFirst(Comparator.<Instant>naturalOrder())).thenComparing(name)));
        Random rnd = new Random(7);
        List<ScannerRow> rows = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            rows.add(row(rnd, "id-" + rnd.nextInt(300)));
        }
        for (Map.Entry<String, Comparator<ScannerRow>[]> p : pairs.entrySet()) {
            for (ScannerRow a : rows) {
                for (int k = 0; k < 40; k++) {
                    ScannerRow b = rows.get(rnd.nextInt(rows.size()));
                    assertEquals(Integer.signum(p.getValue()[1].compare(a, b)), Integer.signum(p.getValue()[0].compare(a, b)),
                            p.getKey() + " order of " + a.view() + " and " + b.view());
                }
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Comparator<ScannerRow>[] pair(Comparator<ScannerRow> written, Comparator<ScannerRow> composed) {
        return new Comparator[]{written, composed};
    }
}
