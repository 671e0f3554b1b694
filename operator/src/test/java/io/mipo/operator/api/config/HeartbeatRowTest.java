package io.mipo.operator.api.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mipo.operator.liveness.LivenessView;
import io.mipo.operator.model.Phase;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.model.ScannerStatus;
import io.mipo.operator.testing.TestResources;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * What a heartbeat does to a facade row: the row copied with its new last heartbeat must be the row
 * the index would have made from scratch (same view, same sort and filter keys, same JSON), and the
 * heartbeat's instant must be what parsing the shown text gives.
 */
class HeartbeatRowTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final io.mipo.operator.model.ScannerBinding NO_BINDING = null;
    private static final Instant REGISTERED = Instant.parse("2026-12-04T10:00:00Z");

    private static byte[] json(ScannerView v) {
        try {
            return MAPPER.writeValueAsBytes(v);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Scanner registered(String lastHeartbeatInStatus) {
        Scanner s = TestResources.scanner("ns", "edge-7", "Edge-7");
        s.getMetadata().setCreationTimestamp("2026-12-01T08:30:00Z");
        s.getSpec().setDescription("Rack 17, Frankfurt");
        ScannerStatus st = new ScannerStatus();
        st.setPhase(Phase.Active);
        st.setRegisteredAt(REGISTERED.toString());
        st.setLastHeartbeatTime(lastHeartbeatInStatus);
        s.setStatus(st);
        return s;
    }

    /** A liveness view that answers one scanner's last heartbeat from memory. */
    private static final class Remembered extends LivenessView {
        Instant last;

        @Override
        public Optional<Instant> lastHeartbeat(String namespace, String name) {
            return Optional.ofNullable(last);
        }
    }

    @Test
    void aRowCopiedWithItsNewHeartbeatIsTheRowMadeFromScratch() {
        Scanner s = registered("2026-12-04T10:05:00Z");
        List<String> groups = List.of("frankfurt", "racks");
        ScannerView before = ScannerViews.of(s, NO_BINDING, groups, REGISTERED.plusSeconds(400), Duration.ofMinutes(2),
                "2026-12-04T10:06:40Z", Phase.Active);
        ScannerRow old = ScannerRow.of(before, "41", HeartbeatRowTest::json);
        old.json(); // shown once: the copy must not keep the old JSON

        ScannerRow copied = old.withLastHeartbeat("2026-12-04T10:07:10Z", Instant.parse("2026-12-04T10:07:10Z"), HeartbeatRowTest::json);
        ScannerRow fresh = ScannerRow.of(ScannerViews.of(s, NO_BINDING, groups, REGISTERED.plusSeconds(430), Duration.ofMinutes(2),
                "2026-12-04T10:07:10Z", Phase.Active), "41", HeartbeatRowTest::json);

        assertEquals(fresh.view(), copied.view());
        assertEquals(fresh.resourceVersion(), copied.resourceVersion());
        assertEquals(fresh.nameKey(), copied.nameKey());
        assertEquals(fresh.searchText(), copied.searchText());
        assertEquals(fresh.groups(), copied.groups());
        assertEquals(fresh.createdAt(), copied.createdAt());
        assertEquals(fresh.lastHeartbeat(), copied.lastHeartbeat());
        assertEquals(0, RowIndex.BY_HEARTBEAT.compare(fresh, copied));
        assertEquals(false, copied.jsonMade(), "the copy's JSON is made when first asked for");
        assertArrayEquals(fresh.json(), copied.json(), () -> "copied: " + new String(copied.json(), StandardCharsets.UTF_8)
                + "\nfresh:  " + new String(fresh.json(), StandardCharsets.UTF_8));
    }

    @Test
    void theInstantOfAShownHeartbeatIsWhatParsingItGives() {
        Scanner s = registered("2026-12-04T10:05:00Z");
        LiveHeartbeat.Parsed times = new LiveHeartbeat.Parsed(s);
        Remembered liveness = new Remembered();

        // Nothing newer in memory: the status's time is shown.
        String shown = LiveHeartbeat.of(times, liveness);
        assertEquals("2026-12-04T10:05:00Z", shown);
        assertEquals(Instant.parse(shown), times.instantOf(shown));

        // A live heartbeat with a fraction of a second: shown, and sorted by, to the second.
        liveness.last = Instant.parse("2026-12-04T10:06:41.734Z");
        shown = LiveHeartbeat.of(times, liveness);
        assertEquals("2026-12-04T10:06:41Z", shown);
        assertEquals(Instant.parse(shown), times.instantOf(shown));
        assertSame(times.instantOf(shown), times.instantOf(LiveHeartbeat.of(times, liveness)), "the same heartbeat is not parsed again");

        liveness.last = Instant.parse("2026-12-04T10:07:12.001Z");
        shown = LiveHeartbeat.of(times, liveness);
        assertEquals(Instant.parse("2026-12-04T10:07:12Z"), times.instantOf(shown));

        // Any other text is parsed as a row would parse it.
        assertEquals(Instant.parse("2026-12-04T09:00:00Z"), times.instantOf("2026-12-04T09:00:00Z"));
        assertNull(times.instantOf(null));
        assertNull(times.instantOf("not a time"));
    }
}
