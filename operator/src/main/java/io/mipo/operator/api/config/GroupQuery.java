package io.mipo.operator.api.config;

import io.mipo.operator.api.ApiException;
import io.mipo.operator.validation.FieldError;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;

import static io.mipo.operator.api.config.QueryParams.quoted;
import static io.mipo.operator.api.config.QueryParams.bounded;
import static io.mipo.operator.api.config.QueryParams.split;

/**
 * The list query of GET /api/config/scanner-groups, parsed and checked, with the conventions of the
 * scanner list: filters of one kind may repeat or be comma-separated and are OR-ed, different kinds
 * are AND-ed; {@code page} is 1-based.
 */
record GroupQuery(Set<String> status, Set<String> createdBy, Set<String> scanner, String q, Comparator<GroupView> order,
                  int page, int pageSize) {
    static final int DEFAULT_PAGE_SIZE = 50;
    static final int MAX_PAGE_SIZE = 200;
    static final int MAX_PAGE = 1_000_000;
    static final List<String> STATUSES = List.of(GroupStatuses.READY, GroupStatuses.NO_MEMBERS, GroupStatuses.INVALID);
    static final List<String> SORTS = List.of("name", "status", "createdAt", "memberCount");

    static GroupQuery parse(List<String> status, List<String> createdBy, List<String> scanner, String q, String sort,
                            String order, String page, String pageSize) {
        List<FieldError> errors = new ArrayList<>();
        Set<String> statuses = new LinkedHashSet<>();
        for (String s : split(status)) {
            String known = STATUSES.stream().filter(x -> x.equalsIgnoreCase(s)).findFirst().orElse(null);
            if (known == null) {
                errors.add(new FieldError("status", "UnknownStatus", "status '" + quoted(s) + "' is not one of " + String.join(", ", STATUSES)));
            } else {
                statuses.add(known);
            }
        }
        String sortKey = sort == null || sort.isBlank() ? "name" : SORTS.stream().filter(x -> x.equalsIgnoreCase(sort.trim())).findFirst().orElse(null);
        if (sortKey == null) {
            errors.add(new FieldError("sort", "UnknownSort", "sort '" + quoted(sort) + "' is not one of " + String.join(", ", SORTS)));
            sortKey = "name";
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
        Comparator<GroupView> c = comparator(sortKey);
        return new GroupQuery(statuses, Set.copyOf(split(createdBy)), Set.copyOf(split(scanner)), text,
                desc ? c.reversed() : c, p, size);
    }

    Predicate<GroupView> filter() {
        return v -> (status.isEmpty() || status.contains(v.status()))
                && (createdBy.isEmpty() || (v.createdBy() != null && createdBy.contains(v.createdBy())))
                && (scanner.isEmpty() || scanner.stream().anyMatch(v.scanners()::contains))
                && (q == null || contains(v.name(), q) || contains(v.description(), q));
    }

    private static Comparator<GroupView> comparator(String key) {
        Comparator<GroupView> byName = Comparator.comparing((GroupView v) -> v.name().toLowerCase(Locale.ROOT)).thenComparing(GroupView::id);
        return switch (key) {
            case "status" -> Comparator.comparing(GroupView::status).thenComparing(byName);
            case "createdAt" -> Comparator.comparing((GroupView v) -> v.createdAt() == null ? "" : v.createdAt()).thenComparing(byName);
            case "memberCount" -> Comparator.comparingInt(GroupView::memberCount).thenComparing(byName);
            default -> byName;
        };
    }

    private static boolean contains(String haystack, String lowerNeedle) {
        return haystack != null && haystack.toLowerCase(Locale.ROOT).contains(lowerNeedle);
    }
}
