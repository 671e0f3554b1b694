package io.mipo.operator.standalone;

import java.time.Duration;

/**
 * Renders an elapsed time the way kube-apiserver renders {@code date} printer columns ("45s",
 * "5m3s", "3h", "12d"), so {@code kubectl get} against the embedded API server reads like it does
 * against a cluster: precise while recent, coarser as the age grows.
 */
public final class HumanAge {
    private HumanAge() {
    }

    public static String of(Duration elapsed) {
        long seconds = elapsed.getSeconds();
        // clocks of two machines may differ a little: a timestamp up to a second ahead counts as now
        if (seconds < -1) {
            return "<invalid>";
        }
        if (seconds < 0) {
            return "0s";
        }
        if (seconds < 120) {
            return seconds + "s";
        }
        long minutes = seconds / 60;
        if (minutes < 10) {
            long s = seconds % 60;
            return s == 0 ? minutes + "m" : minutes + "m" + s + "s";
        }
        if (minutes < 180) {
            return minutes + "m";
        }
        long hours = seconds / 3600;
        if (hours < 8) {
            long m = minutes % 60;
            return m == 0 ? hours + "h" : hours + "h" + m + "m";
        }
        if (hours < 48) {
            return hours + "h";
        }
        if (hours < 24 * 8) {
            long h = hours % 24;
            return h == 0 ? hours / 24 + "d" : hours / 24 + "d" + h + "h";
        }
        if (hours < 24 * 365 * 2) {
            return hours / 24 + "d";
        }
        if (hours < 24 * 365 * 8) {
            long days = (hours / 24) % 365;
            return days == 0 ? hours / 24 / 365 + "y" : hours / 24 / 365 + "y" + days + "d";
        }
        return hours / 24 / 365 + "y";
    }
}
