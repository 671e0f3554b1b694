package io.mipo.operator.group;

import io.mipo.operator.model.Scanner;
import io.mipo.operator.model.ScannerGroup;
import io.mipo.operator.model.ScannerGroupStatus;

import java.time.Instant;
import java.util.List;

/** A part of a ScannerGroup's status computed from its members (e.g. per-target per-member rates). */
public interface GroupStatusContributor {
    int order();

    void contribute(ScannerGroup group, List<Scanner> members, ScannerGroupStatus previous, ScannerGroupStatus next, Instant now);
}
