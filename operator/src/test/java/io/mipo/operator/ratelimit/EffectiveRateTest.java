package io.mipo.operator.ratelimit;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EffectiveRateTest {

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
            # case                                        | scanner | subnet | enabled | portList | rate      | limitedBy
            600 pps over 3 members is 200 each            | 0       | 600    | 3       | 0        | 200.0     | subnet
            10 pps over 20 members is 0.5, not unlimited  | 0       | 10     | 20      | 0        | 0.5       | subnet
            1 pps over 3 members stays positive           | 0       | 1      | 3       | 0        | 0.3333333333333333 | subnet
            a disabled member gives its share back (3->2) | 0       | 600    | 2       | 0        | 300.0     | subnet
            all limits 0 is unlimited                     | 0       | 0      | 5       | 0        | 0.0       | none
            all limits 0 with no enabled member           | 0       | 0      | 0       | 0        | 0.0       | none
            scanner limit below the share                 | 50      | 600    | 3       | 0        | 50.0      | scanner
            scanner limit above the share                 | 500     | 600    | 3       | 0        | 200.0     | subnet
            only the scanner limit                        | 75      | 0      | 4       | 0        | 75.0      | scanner
            only the port-list limit                      | 0       | 0      | 4       | 30       | 30.0      | portList
            port-list limit lowest                        | 100     | 600    | 3       | 20       | 20.0      | portList
            port-list limit is not divided                | 0       | 600    | 3       | 250      | 200.0     | subnet
            zero scanner limit is not a limit             | 0       | 90     | 3       | 100      | 30.0      | subnet
            tie scanner = share goes to scanner           | 200     | 600    | 3       | 0        | 200.0     | scanner
            tie share = port list goes to subnet          | 0       | 600    | 3       | 200      | 200.0     | subnet
            tie all three goes to scanner                 | 200     | 600    | 3       | 200      | 200.0     | scanner
            tie scanner = port list goes to scanner       | 40      | 0      | 3       | 40       | 40.0      | scanner
            largest limits                                | 100000  | 100000 | 1       | 100000   | 100000.0  | scanner
            smallest share                                | 0       | 1      | 10000   | 0        | 0.0001    | subnet
            """)
    void lowestNonZeroLimitWins(String name, int scanner, int subnet, int enabled, int portList, double rate, LimitedBy by) {
        EffectiveRate r = EffectiveRate.compute(scanner, subnet, enabled, portList);
        assertEquals(rate, r.maxProbesPerSecond(), 1e-12, name + ": got " + r);
        assertEquals(by, r.limitedBy(), name + ": got " + r);
    }

    @Test
    void aPositiveLimitNeverBecomesUnlimited() {
        for (int limit : List.of(1, 2, 7, 10, 99)) {
            for (int n = 1; n <= 10_000; n *= 3) {
                EffectiveRate r = EffectiveRate.compute(0, limit, n, 0);
                assertTrue(r.maxProbesPerSecond() > 0, limit + " over " + n + " gave " + r);
                assertTrue(r.maxProbesPerSecond() * n <= limit * (1 + 1e-12), "members together exceed " + limit + ": " + r);
            }
        }
    }

    @Test
    void shareDividesExactly() {
        assertEquals(0.5, EffectiveRate.share(10, 20));
        assertEquals(0.0, EffectiveRate.share(0, 20));
        assertEquals(0.0, EffectiveRate.share(null, 3));
        assertEquals(null, EffectiveRate.share(10, 0));
    }

    @Test
    void nonsenseInputIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> EffectiveRate.compute(-1, 0, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> EffectiveRate.compute(0, 10, 0, 0));
    }

    @Test
    void nullLimitsCountAsZero() {
        assertEquals(EffectiveRate.UNLIMITED, EffectiveRate.compute((Integer) null, null, 2, null));
        assertEquals(new EffectiveRate(5.0, LimitedBy.subnet), EffectiveRate.compute(null, 10, 2, null));
    }
}
