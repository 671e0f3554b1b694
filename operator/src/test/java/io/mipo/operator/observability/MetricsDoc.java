package io.mipo.operator.observability;

import io.mipo.operator.testing.TestResources;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * docs/metrics.md read as data: each table row whose first cell is a backticked metric name and
 * whose second is its type; a name ending in {@code *} documents a family of metrics by prefix.
 */
record MetricsDoc(Map<String, String> metrics, List<String> families) {
    private static final Pattern ROW = Pattern.compile("^\\|\\s*`([a-zA-Z_:][a-zA-Z0-9_:]*\\*?)`\\s*\\|\\s*(counter|gauge|histogram|summary)\\s*\\|");

    static MetricsDoc read() throws IOException {
        Map<String, String> metrics = new TreeMap<>();
        List<String> families = new ArrayList<>();
        for (String line : Files.readAllLines(TestResources.projectRoot().resolve("docs/metrics.md"))) {
            Matcher m = ROW.matcher(line);
            if (!m.find()) {
                continue;
            }
            String name = m.group(1);
            if (name.endsWith("*")) {
                families.add(name.substring(0, name.length() - 1));
            } else if (metrics.put(name, m.group(2)) != null) {
                throw new AssertionError("docs/metrics.md lists " + name + " twice");
            }
        }
        return new MetricsDoc(metrics, families);
    }
}
