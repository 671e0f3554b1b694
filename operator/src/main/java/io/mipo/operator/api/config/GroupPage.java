package io.mipo.operator.api.config;

import java.util.List;

/** One page of the groups list: {@code {items, total, page, pageSize}}. */
public record GroupPage(List<GroupView> items, int total, int page, int pageSize) {
}
