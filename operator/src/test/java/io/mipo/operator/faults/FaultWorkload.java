package io.mipo.operator.faults;

import io.mipo.operator.api.agent.AgentCalls;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.List;

/** What the fault tests do as an agent and as a UI user: calls over real HTTP, retried as those clients retry. */
final class FaultWorkload {
    private FaultWorkload() {
    }

    /** An agent's registration: the same registrationId on every try, retried on 5xx, 429 and 408 as the agent does. */
    static String register(String token, String what) {
        Map<String, Object> body = AgentCalls.registration(token);
        body.put("registrationId", UUID.randomUUID().toString());
        Response r = retried(() -> AgentCalls.register(body), FaultWorkload::agentRetries, "register " + what);
        if (r.statusCode() != 200) {
            throw new AssertionError("invariant registration-completes: " + what + " answered " + r.statusCode() + " " + r.asString());
        }
        return r.jsonPath().getString("apiKey");
    }

    static boolean agentRetries(Response r) {
        return r.statusCode() >= 500 || r.statusCode() == 429 || r.statusCode() == 408;
    }

    /** A UI user retries a call that failed on the server's side or met a concurrent change (409 CONFLICT says "retry"). */
    static boolean userRetries(Response r) {
        return r.statusCode() >= 500 || (r.statusCode() == 409 && "CONFLICT".equals(r.jsonPath().getString("code")));
    }

    static Response retried(Supplier<Response> call, java.util.function.Predicate<Response> again, String what) {
        long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        Response r = call.get();
        int tries = 1;
        while (again.test(r) && System.nanoTime() < until) {
            System.out.println("FaultWorkload: " + what + " answered " + r.statusCode() + " " + r.jsonPath().getString("code") + ", retrying");
            sleep(200L * Math.min(tries, 5));
            r = call.get();
            tries++;
        }
        return r;
    }

    static io.restassured.specification.RequestSpecification admin(String token) {
        return RestAssured.given().header("Authorization", "Bearer " + token).contentType(ContentType.JSON);
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Collects the log records at WARN or above that carry an exception, to tell a few faults from an exception storm. */
    static final class LoggedExceptions extends Handler {
        final List<LogRecord> records = new CopyOnWriteArrayList<>();

        static LoggedExceptions install() {
            LoggedExceptions h = new LoggedExceptions();
            java.util.logging.Logger.getLogger("").addHandler(h);
            return h;
        }

        void uninstall() {
            java.util.logging.Logger.getLogger("").removeHandler(this);
        }

        @Override
        public void publish(LogRecord r) {
            if (r.getLevel().intValue() >= Level.WARNING.intValue() && r.getThrown() != null) {
                records.add(r);
            }
        }

        long since(long millis) {
            return records.stream().filter(r -> r.getMillis() >= millis).count();
        }

        String describe(long millis) {
            StringBuilder b = new StringBuilder();
            records.stream().filter(r -> r.getMillis() >= millis).limit(10).forEach(r -> b.append("\n  ").append(r.getLoggerName())
                    .append(": ").append(r.getMessage()).append(" / ").append(r.getThrown()));
            return b.toString();
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }
}
