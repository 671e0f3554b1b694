package io.mipo.operator.liveness;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What mipo_leader reports: 1 while this replica runs the reconcilers. */
class LeadershipTest {

    @Test
    void withoutElectionEveryReplicaLeads() {
        assertTrue(new Leadership().isLeader());
    }

    @Test
    void withElectionOnlyWhileHoldingTheLease() {
        Leadership l = new Leadership();
        l.exitWatchdog = new ExitWatchdog(Duration.ofDays(1), status -> { });
        l.electionConfigured();
        assertFalse(l.isLeader(), "a replica waiting for the Lease does not lead");
        l.startedLeading();
        assertTrue(l.isLeader());
        l.stoppedLeading();
        assertFalse(l.isLeader(), "a replica that lost the Lease no longer leads");
        assertTrue(l.exitWatchdog.armed(), "losing the Lease arms the exit watchdog");
    }

    @Test
    void aDeposedLeaderWhoseExitHangsIsHaltedWithStatusOne() throws InterruptedException {
        java.util.concurrent.ArrayBlockingQueue<Integer> halted = new java.util.concurrent.ArrayBlockingQueue<>(4);
        ExitWatchdog watchdog = new ExitWatchdog(Duration.ofMillis(50), halted::add);
        Thread t = watchdog.arm();
        assertTrue(t != null && t.isDaemon(), "the watchdog runs on a daemon thread, so it never holds the JVM up itself");
        assertEquals(null, watchdog.arm(), "arming twice starts one countdown");
        Integer status = halted.poll(10, TimeUnit.SECONDS);
        assertEquals(1, status, "the watchdog halts with status 1 when the exit has not finished");
        t.join(10_000);
        assertEquals(null, halted.poll(), "halted once, saw: " + halted);
    }

    @Test
    void withoutElectionStoppingArmsNothing() {
        Leadership l = new Leadership();
        l.exitWatchdog = new ExitWatchdog(Duration.ofDays(1), status -> { });
        l.stoppedLeading();
        assertFalse(l.exitWatchdog.armed(), "without leader election no Lease is lost, and the process does not exit");
    }

    private static final Instant T0 = Instant.parse("2026-05-01T10:00:00Z");
    private static final Duration OFFLINE_AFTER = Duration.ofSeconds(20);

    /** A leader since T0 whose monotonic clock reads {@code nanos} and whose wall clock is set with {@link #at}. */
    private static Leadership leadingSince(AtomicLong nanos) {
        Leadership l = new Leadership();
        l.nanoTime = nanos::get;
        at(l, T0);
        l.electionConfigured();
        l.startedLeading();
        return l;
    }

    private static void at(Leadership l, Instant t) {
        l.clock = Clock.fixed(t, ZoneOffset.UTC);
    }

    /** Signs of life every 250 ms of both clocks, from {@code from} for {@code seconds}. */
    private static void running(Leadership l, AtomicLong nanos, Instant from, int seconds) {
        for (int q = 0; q <= seconds * 4; q++) {
            at(l, from.plusMillis(250L * q));
            l.awake();
            nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(250));
        }
    }

    @Test
    void aNewLeaderMarksNothingOfflineForOneOfflineAfter() {
        AtomicLong nanos = new AtomicLong(-5_000_000_000L); // nanoTime may be negative
        Leadership l = leadingSince(nanos);
        running(l, nanos, T0, 30);
        assertEquals(T0.plus(OFFLINE_AFTER), l.graceUntil(T0.plusSeconds(30), OFFLINE_AFTER));
    }

    @Test
    void aPauseOfTheProcessRestartsTheGraceBecauseItsViewWentStale() {
        AtomicLong nanos = new AtomicLong(42);
        Leadership l = leadingSince(nanos);
        running(l, nanos, T0, 30);
        // frozen for 25 s (SIGSTOP, a stop-the-world pause, a frozen VM): the first question after it sees the gap
        nanos.addAndGet(TimeUnit.SECONDS.toNanos(25));
        Instant resumed = T0.plusSeconds(55);
        at(l, resumed);
        assertEquals(resumed.plus(OFFLINE_AFTER), l.graceUntil(resumed, OFFLINE_AFTER),
                "after a pause nothing may be marked Offline for one offline-after: watches delivered nothing meanwhile");
        running(l, nanos, resumed, 2);
        assertEquals(resumed.plus(OFFLINE_AFTER), l.graceUntil(resumed.plusSeconds(2), OFFLINE_AFTER),
                "the grace starts once, not again with every sign of life");
    }

    @Test
    void gapsUpToFiveSecondsAreNoPause() {
        AtomicLong nanos = new AtomicLong(0);
        Leadership l = leadingSince(nanos);
        l.awake();
        nanos.addAndGet(Leadership.STALL.toNanos());
        at(l, T0.plus(Leadership.STALL));
        l.awake();
        assertEquals(T0.plus(OFFLINE_AFTER), l.graceUntil(T0.plus(Leadership.STALL), OFFLINE_AFTER));
    }

    @Test
    void wallClockJumpsAreNoPause() {
        // tests and NTP move the wall clock; only real time lost counts
        AtomicLong nanos = new AtomicLong(0);
        Leadership l = leadingSince(nanos);
        l.awake();
        nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(250));
        assertEquals(T0.plus(OFFLINE_AFTER), l.graceUntil(T0.plus(Duration.ofMinutes(10)), OFFLINE_AFTER));
    }

    @Test
    void afterAPauseALeaderIsUnsureOfTheLeaseForTheRenewDeadlineAndRetries() {
        AtomicLong nanos = new AtomicLong(0);
        Leadership l = leadingSince(nanos);
        l.unsureAfterPause(Duration.ofSeconds(12));
        running(l, nanos, T0, 10);
        assertFalse(l.unsureOfTheLease(), "no pause, no doubt");
        nanos.addAndGet(TimeUnit.SECONDS.toNanos(25));
        l.awake();
        assertTrue(l.unsureOfTheLease(), "frozen past its Lease, it may have been deposed: refreshes wait");
        nanos.addAndGet(TimeUnit.SECONDS.toNanos(11));
        assertTrue(l.unsureOfTheLease());
        nanos.addAndGet(TimeUnit.SECONDS.toNanos(2));
        assertFalse(l.unsureOfTheLease(), "still running 12 s later: it renewed the Lease (or it would have exited)");
    }
}
