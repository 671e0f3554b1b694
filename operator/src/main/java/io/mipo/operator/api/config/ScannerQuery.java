package io.mipo.operator.api.config;

import io.mipo.operator.api.ApiException;
import io.mipo.operator.model.BindingMode;
import io.mipo.operator.model.Phase;
import io.mipo.operator.validation.FieldError;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import static io.mipo.operator.api.config.QueryParams.quoted;
import static io.mipo.operator.api.config.QueryParams.bounded;
import static io.mipo.operator.api.config.QueryParams.split;

/**
 * The list query of GET /api/config/scanners, parsed and checked. Filters of one kind may repeat
 * or be comma-separated (status=Active,Offline) and are OR-ed; different kinds are AND-ed.
 */
record ScannerQuery(Set<String> status, Set<String> bindingMode, Set<String> createdBy, Set<String> group,
                    String q, Sort sort, boolean descending, int page, int pageSize) {
    static final int DEFAULT_PAGE_SIZE = 50;
    static final int MAX_PAGE_SIZE = 200;
    static final int MAX_PAGE = 1_000_000;

    enum Sort {
        name, status, createdAt, rateLimit,
        // the web console sorts by each of its columns
        description, binding, createdBy,
        // the live last heartbeat (memory and every replica's ledger)
        lastHeartbeatAt
    }

    static ScannerQuery parse(List<String> status, List<String> bindingMode, List<String> createdBy, List<String> group,
                              String q, String sort, String order, String page, String pageSize) {
        List<FieldError> errors = new ArrayList<>();
        Set<String> statuses = new LinkedHashSet<>();
        for (String s : split(status)) {
            Phase p = Arrays.stream(Phase.values()).filter(x -> x.name().equalsIgnoreCase(s)).findFirst().orElse(null);
            if (p == null) {
                errors.add(new FieldError("status", "UnknownStatus", "status '" + quoted(s) + "' is not one of Pending, Active, Offline, Disabled"));
            } else {
                statuses.add(p.name());
            }
        }
        Set<String> modes = new LinkedHashSet<>();
        for (String m : split(bindingMode)) {
            BindingMode b = Arrays.stream(BindingMode.values()).filter(x -> x.name().equalsIgnoreCase(m)).findFirst().orElse(null);
            if (b == null) {
                errors.add(new FieldError("bindingMode", "UnknownBindingMode", "bindingMode '" + quoted(m) + "' is not one of ip, subnet, asn, none"));
            } else {
                modes.add(b.name());
            }
        }
        Sort s = Sort.name;
        if (sort != null && !sort.isBlank()) {
            s = Arrays.stream(Sort.values()).filter(x -> x.name().equalsIgnoreCase(sort.trim())).findFirst().orElse(null);
            if (s == null) {
                errors.add(new FieldError("sort", "UnknownSort", "sort '" + quoted(sort) + "' is not one of name, description, status, binding, createdBy, rateLimit, createdAt, lastHeartbeatAt"));
            }
        }
        boolean desc = false;
        if (order != null && !order.isBlank()) {
            if (order.trim().equalsIgnoreCase("desc")) {
                desc = true;
            } else if (!order.trim().equalsIgnoreCase("asc")) {
                errors.add(new FieldError("order", "UnknownOrder", "order must be asc or desc"));
            }
        }
        int p = bounded("page", page, 1, 1, MAX_PAGE, errors);
        int size = bounded("pageSize", pageSize, DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE, errors);
        String text = q == null || q.isBlank() ? null : q.trim().toLowerCase(Locale.ROOT);
        if (text != null && text.length() > 200) {
            errors.add(new FieldError("q", "QueryTooLong", "q is limited to 200 characters"));
        }
        if (!errors.isEmpty()) {
            throw ApiException.invalid(errors);
        }
        return new ScannerQuery(statuses, modes, Set.copyOf(split(createdBy)), Set.copyOf(split(group)), text, s, desc, p, size);
    }

    /** Whether the row passes every filter. Plain loops: this runs for each of 10,000 rows per query. */
    boolean matches(ScannerRow r) {
        ScannerView v = r.view();
        if (!status.isEmpty() && !status.contains(v.status())) {
            return false;
        }
        if (!bindingMode.isEmpty() && !bindingMode.contains(v.binding().mode())) {
            return false;
        }
        if (!createdBy.isEmpty() && (v.createdBy() == null || !createdBy.contains(v.createdBy()))) {
            return false;
        }
        if (!group.isEmpty()) {
            boolean member = false;
            for (String g : group) {
                if (r.groups().contains(g)) {
                    member = true;
                    break;
                }
            }
            if (!member) {
                return false;
            }
        }
        return q == null || r.searchText().contains(q);
    }

    /** Whether the text is the only filter. */
    boolean onlyText() {
        return q != null && status.isEmpty() && bindingMode.isEmpty() && createdBy.isEmpty() && group.isEmpty();
    }

    boolean filtersNothing() {
        return status.isEmpty() && bindingMode.isEmpty() && createdBy.isEmpty() && group.isEmpty() && q == null;
    }
}
