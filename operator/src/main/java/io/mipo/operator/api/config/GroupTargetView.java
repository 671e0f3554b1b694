package io.mipo.operator.api.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.mipo.operator.model.GroupTarget;

/** A group target in the groups API, in requests and answers: {@code {subnet, ports, rateLimit, portListRateLimit}}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GroupTargetView(String subnet, String ports, Integer rateLimit, Integer portListRateLimit) {

    static GroupTargetView of(GroupTarget t) {
        return new GroupTargetView(t.getSubnet(), t.getPorts(), zeroIfNull(t.getRateLimit()), zeroIfNull(t.getPortListRateLimit()));
    }

    private static Integer zeroIfNull(Integer v) {
        return v == null ? 0 : v;
    }
}
