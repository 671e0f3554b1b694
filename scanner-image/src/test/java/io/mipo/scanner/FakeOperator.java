package io.mipo.scanner;

import com.sun.net.httpserver.HttpServer;
import io.mipo.scanner.json.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Plays the operator's agent API on 127.0.0.1 (never anything else) and records every request. */
public final class FakeOperator implements AutoCloseable {
    /** One recorded request. */
    public record Request(String method, String path, String authorization, Map<String, Object> body, long nanos) {
    }

    /** What a handler answers. */
    public record Response(int status, String contentType, String body) {
        public static Response ok(Object json) {
            return new Response(200, "application/json", Json.write(json));
        }

        public static Response problem(int status, String code, String title) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("type", "about:blank");
            p.put("title", title);
            p.put("status", status);
            p.put("detail", title + " (detail)");
            p.put("code", code);
            return new Response(status, "application/problem+json", Json.write(p));
        }
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(4);
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Map<String, Function<Request, Response>> handlers = new ConcurrentHashMap<>();

    public FakeOperator() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        server.setExecutor(executor);
        server.createContext("/", exchange -> {
            try (exchange) {
                byte[] in = exchange.getRequestBody().readAllBytes();
                String text = new String(in, StandardCharsets.UTF_8);
                Map<String, Object> body = text.isBlank() ? Map.of() : Json.parseObject(text);
                Request r = new Request(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                        exchange.getRequestHeaders().getFirst("Authorization"), body, System.nanoTime());
                requests.add(r);
                Function<Request, Response> h = handlers.get(r.method() + " " + r.path());
                Response resp = h == null ? Response.problem(404, "NOT_FOUND", "no such path") : h.apply(r);
                byte[] out = resp.body().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", resp.contentType());
                exchange.sendResponseHeaders(resp.status(), out.length == 0 ? -1 : out.length);
                if (out.length > 0) {
                    try (OutputStream os = exchange.getResponseBody()) {
                        os.write(out);
                    }
                }
            } catch (RuntimeException e) {
                e.printStackTrace();
                throw e;
            }
        });
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public FakeOperator on(String methodAndPath, Function<Request, Response> handler) {
        handlers.put(methodAndPath, handler);
        return this;
    }

    public List<Request> requests(String path) {
        return requests.stream().filter(r -> r.path().equals(path)).collect(Collectors.toList());
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    /** Polls until {@code condition} holds, failing after {@code millis}. */
    public static void await(String what, long millis, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + millis * 1_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out after " + millis + " ms waiting for: " + what);
            }
            Thread.sleep(10);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
