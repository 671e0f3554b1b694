package io.mipo.operator.api.config;

import java.util.List;

/**
 * Body of {@code POST /api/config/scanner-groups} and {@code PUT …/{id}}:
 * {@code {name, description?, scanners: [id…] (≥ 1), targets?}}. On PUT an absent field is left as it is.
 */
public record GroupRequest(String name, String description, List<String> scanners, List<GroupTargetView> targets) {
}
