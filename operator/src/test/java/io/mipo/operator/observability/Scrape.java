package io.mipo.operator.observability;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A Prometheus text exposition (GET /q/metrics) read into metric families and samples. */
record Scrape(String text, Map<String, String> types, Set<String> sampleNames) {
    private static final Pattern TYPE = Pattern.compile("^# TYPE (\\S+) (\\S+)$");
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*})? (\\S+)");

    static Scrape parse(String text) {
        Map<String, String> types = new LinkedHashMap<>();
        Set<String> samples = new LinkedHashSet<>();
        for (String line : text.split("\n")) {
            Matcher t = TYPE.matcher(line);
            if (t.matches()) {
                types.put(t.group(1), t.group(2));
                continue;
            }
            Matcher s = SAMPLE.matcher(line);
            if (!line.startsWith("#") && s.find()) {
                samples.add(s.group(1));
            }
        }
        return new Scrape(text, Map.copyOf(types), Set.copyOf(samples));
    }

    /** The value of the first sample of {@code name} whose labels contain every one of {@code labels}. */
    Optional<Double> value(String name, String... labels) {
        for (String line : text.split("\n")) {
            Matcher s = SAMPLE.matcher(line);
            if (line.startsWith("#") || !s.find() || !s.group(1).equals(name)) {
                continue;
            }
            String l = s.group(2) == null ? "" : s.group(2);
            boolean all = true;
            for (String want : labels) {
                all &= l.contains(want);
            }
            if (all) {
                return Optional.of(Double.parseDouble(s.group(3)));
            }
        }
        return Optional.empty();
    }

    /** The lines of the exposition that mention {@code name}, for failure messages. */
    String linesOf(String name) {
        StringBuilder b = new StringBuilder();
        for (String line : text.split("\n")) {
            if (line.contains(name)) {
                b.append(line).append('\n');
            }
        }
        return b.length() == 0 ? "(no line mentions " + name + ")" : b.toString();
    }
}
