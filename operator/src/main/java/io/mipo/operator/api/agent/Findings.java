package io.mipo.operator.api.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.mipo.operator.api.ApiException;
import io.mipo.operator.net.IpAddresses;
import io.mipo.operator.validation.FieldError;

import java.net.InetAddress;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A batch of {@code POST /scanner/results}: {@code {findings: [{ip, port, state, observedAt}]}}, at
 * most {@link #MAX_BATCH} findings. A batch is taken whole or refused whole (400 naming the bad
 * fields), so an agent never has to guess which of its findings were kept. Unknown fields are
 * ignored, so newer agents can send more.
 */
public final class Findings {
    public static final int MAX_BATCH = 1000;
    public static final Set<String> STATES = Set.of("open", "closed", "filtered");
    /** Enough to fix a batch; a broken agent would otherwise get a thousand identical messages. */
    private static final int MAX_ERRORS_REPORTED = 20;

    /** One finding as checked: address normalised, time in UTC. */
    public record Finding(String ip, int port, String state, String observedAt) {
    }

    private Findings() {
    }

    /** @throws ApiException 400 for a malformed batch or finding, 413 for too many findings */
    public static List<Finding> parse(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw ApiException.invalid(List.of(new FieldError("findings", "Required", "send {\"findings\": [{ip, port, state, observedAt}, ...]}")));
        }
        JsonNode list = body.get("findings");
        if (list == null || !list.isArray()) {
            throw ApiException.invalid(List.of(new FieldError("findings", "Required", "findings must be an array of {ip, port, state, observedAt}")));
        }
        if (list.size() > MAX_BATCH) {
            throw new ApiException(413, "BATCH_TOO_LARGE", "Payload too large",
                    "the batch has " + list.size() + " findings; send at most " + MAX_BATCH + " per request");
        }
        List<FieldError> errors = new ArrayList<>();
        List<Finding> out = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            Finding f = finding("findings[" + i + "]", list.get(i), errors);
            if (f != null) {
                out.add(f);
            }
        }
        if (!errors.isEmpty()) {
            List<FieldError> shown = errors.size() > MAX_ERRORS_REPORTED ? errors.subList(0, MAX_ERRORS_REPORTED) : errors;
            throw ApiException.invalid(shown);
        }
        return out;
    }

    private static Finding finding(String path, JsonNode n, List<FieldError> errors) {
        if (n == null || !n.isObject()) {
            errors.add(new FieldError(path, "InvalidFinding", path + " must be an object {ip, port, state, observedAt}"));
            return null;
        }
        int before = errors.size();
        String ip = null;
        JsonNode ipNode = n.get("ip");
        Optional<InetAddress> addr = ipNode != null && ipNode.isTextual() ? IpAddresses.parse(ipNode.asText()) : Optional.empty();
        if (addr.isEmpty()) {
            errors.add(new FieldError(path + ".ip", "InvalidAddress", path + ".ip must be an IPv4 or IPv6 address"));
        } else {
            ip = IpAddresses.format(addr.get());
        }
        JsonNode portNode = n.get("port");
        int port = portNode != null && portNode.isIntegralNumber() && portNode.canConvertToInt() ? portNode.asInt() : -1;
        if (port < 1 || port > 65_535) {
            errors.add(new FieldError(path + ".port", "InvalidPort", path + ".port must be a whole number from 1 to 65535"));
        }
        JsonNode stateNode = n.get("state");
        String state = stateNode != null && stateNode.isTextual() ? stateNode.asText() : null;
        if (state == null || !STATES.contains(state)) {
            errors.add(new FieldError(path + ".state", "InvalidState", path + ".state must be open, closed or filtered"));
        }
        JsonNode timeNode = n.get("observedAt");
        String observedAt = timeNode != null && timeNode.isTextual() ? rfc3339(timeNode.asText()) : null;
        if (observedAt == null) {
            errors.add(new FieldError(path + ".observedAt", "InvalidTime",
                    path + ".observedAt must be an RFC 3339 time such as 2024-05-01T12:00:00Z"));
        }
        return errors.size() == before ? new Finding(ip, port, state, observedAt) : null;
    }

    /** The instant in UTC ("…Z"), or null when the text is not an RFC 3339 date-time with an offset. */
    static String rfc3339(String text) {
        if (text.length() > 64) {
            return null;
        }
        try {
            // RFC 3339 allows a lower-case t and z; ISO_OFFSET_DATE_TIME wants them upper-case.
            Instant t = OffsetDateTime.parse(text.toUpperCase(java.util.Locale.ROOT), DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
            return t.toString();
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
