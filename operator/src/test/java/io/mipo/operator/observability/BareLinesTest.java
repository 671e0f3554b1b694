package io.mipo.operator.observability;

import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.logging.Level;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The stdout sink prints each finding as it is: no date, level, category or JSON log envelope. */
class BareLinesTest {

    @Test
    void eachRecordIsItsMessageOnOneLine() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ResultsSink.BareLines handler = new ResultsSink.BareLines(new PrintStream(bytes, false, StandardCharsets.UTF_8));
        String a = "{\"namespace\":\"ns\",\"scanner\":\"edge\",\"ip\":\"192.0.2.1\",\"port\":22,\"state\":\"open\"}";
        String b = "{\"namespace\":\"ns\",\"scanner\":\"edge\",\"ip\":\"192.0.2.1\",\"port\":80,\"state\":\"closed\",\"note\":\"{0} %s\"}";
        handler.publish(new ExtLogRecord(Level.INFO, a, ResultsSink.class.getName()));
        handler.publish(new ExtLogRecord(Level.INFO, b, ResultsSink.class.getName()));
        assertEquals(a + "\n" + b + "\n", bytes.toString(StandardCharsets.UTF_8));
    }
}
