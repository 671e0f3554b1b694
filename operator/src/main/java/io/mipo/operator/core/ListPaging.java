package io.mipo.operator.core;

/**
 * How many objects the operator's informers ask for per list request. A fleet of 100,000 scanners
 * is 100,000 Scanners and 200,000 Secrets; listed in one response, each is hundreds of megabytes that
 * the API server builds, and the client reads, within one request timeout. In pages (as client-go's
 * reflector lists, and with its page size) each request stays small, whatever the fleet's size.
 */
public final class ListPaging {
    /** Objects per page of an informer's initial list (and of every relist after a 410 Gone). */
    public static final long PAGE = 500;

    private ListPaging() {
    }
}
