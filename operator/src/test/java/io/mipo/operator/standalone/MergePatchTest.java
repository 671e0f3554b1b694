package io.mipo.operator.standalone;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class MergePatchTest {

    private static String merge(String target, String patch) {
        return Json.write(MergePatch.apply(Json.read(target), Json.read(patch)));
    }

    @Test
    void followsRfc7386() {
        // examples of RFC 7386, appendix A
        assertEquals("{\"a\":\"z\"}", merge("{\"a\":\"b\"}", "{\"a\":\"z\"}"));
        assertEquals("{\"b\":\"c\"}", merge("{\"a\":\"b\",\"b\":\"c\"}", "{\"a\":null}"));
        assertEquals("{\"a\":[\"c\"]}", merge("{\"a\":[\"b\"]}", "{\"a\":[\"c\"]}"));
        assertEquals("{\"a\":{\"b\":\"d\"}}", merge("{\"a\":{\"b\":\"c\"}}", "{\"a\":{\"b\":\"d\",\"c\":null}}"));
        assertEquals("[\"c\"]", merge("{\"a\":\"foo\"}", "[\"c\"]"));
        assertEquals("{\"e\":null,\"a\":1}", merge("{\"e\":null}", "{\"a\":1}"));
        assertEquals("{\"a\":{\"bb\":{}}}", merge("{}", "{\"a\":{\"bb\":{\"ccc\":null}}}"));
    }

    @Test
    void replacesListsInsteadOfAppending() {
        // removing one finalizer of two must leave exactly the other
        assertEquals("{\"metadata\":{\"finalizers\":[\"b\"]}}",
                merge("{\"metadata\":{\"finalizers\":[\"a\",\"b\"]}}", "{\"metadata\":{\"finalizers\":[\"b\"]}}"));
    }

    @Test
    void readsStrategicPatchesWithoutTheirDirectives() {
        String patch = "{\"$setElementOrder/containers\":[{\"name\":\"a\"}],\"data\":{\"k\":\"dg==\"},"
                + "\"list\":[{\"$patch\":\"delete\",\"name\":\"x\"},{\"name\":\"y\"}]}";
        assertEquals("{\"data\":{\"k\":\"dg==\"},\"list\":[{\"name\":\"y\"}]}",
                Json.write(MergePatch.withoutDirectives(Json.read(patch))));
    }
}
