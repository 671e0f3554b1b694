package io.mipo.operator.standalone;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Lists in pages: slices of one kept result, forgotten after a while or when too many are kept. */
class ListPagesTest {
    private static final String REQUEST = "/api/v1/namespaces/default/configmaps?labelSelector=a%3Db";

    private static List<String> items(int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add("{\"i\":" + i + "}");
        }
        return out;
    }

    @Test
    void aShortListOrNoLimitIsOnePage() {
        ListPages pages = new ListPages();
        ListPages.Page all = pages.first(REQUEST, items(3), 7, 0);
        assertEquals(3, all.items().size());
        assertNull(all.next());
        ListPages.Page fits = pages.first(REQUEST, items(3), 7, 3);
        assertNull(fits.next(), "a list that fits in one page has no next page");
        assertEquals(0, pages.kept(), "nothing is kept for a list answered whole");
    }

    @Test
    void pagesFollowOneAnotherAndTheLastForgetsTheList() throws Exception {
        ListPages pages = new ListPages();
        ListPages.Page p = pages.first(REQUEST, items(7), 42, 3);
        List<String> seen = new ArrayList<>(p.items());
        assertEquals(4, p.remaining());
        while (p.next() != null) {
            p = pages.next(REQUEST, p.next(), 3);
            assertEquals(42, p.version());
            seen.addAll(p.items());
        }
        assertEquals(items(7), seen);
        assertEquals(0, pages.kept(), "the last page forgets the list");
    }

    @Test
    void aListNotContinuedForFiveMinutesExpires() throws Exception {
        AtomicLong now = new AtomicLong();
        ListPages pages = new ListPages(now::get);
        ListPages.Page p = pages.first(REQUEST, items(10), 1, 2);
        now.addAndGet(TimeUnit.MINUTES.toNanos(4));
        p = pages.next(REQUEST, p.next(), 2); // in time: continuing keeps it another five minutes
        now.addAndGet(TimeUnit.MINUTES.toNanos(4));
        p = pages.next(REQUEST, p.next(), 2);
        now.addAndGet(ListPages.KEEP.toNanos() + 1);
        String token = p.next();
        assertThrows(ListPages.Expired.class, () -> pages.next(REQUEST, token, 2));
    }

    @Test
    void theOldestListsAreDroppedBeyondTheLimit() throws Exception {
        ListPages pages = new ListPages();
        String oldest = pages.first(REQUEST, items(5), 1, 1).next();
        for (int i = 0; i < ListPages.MAX_LISTS; i++) {
            pages.first(REQUEST, items(5), 1, 1);
        }
        assertEquals(ListPages.MAX_LISTS, pages.kept());
        assertThrows(ListPages.Expired.class, () -> pages.next(REQUEST, oldest, 1));
    }

    @Test
    void aTokenOfAnotherListIsRefused() {
        ListPages pages = new ListPages();
        String token = pages.first(REQUEST, items(5), 1, 2).next();
        assertThrows(ListPages.Mismatch.class, () -> pages.next("/api/v1/namespaces/default/secrets", token, 2));
        assertThrows(ListPages.Mismatch.class, () -> pages.next(REQUEST, "not base64 at all!", 2));
    }
}
