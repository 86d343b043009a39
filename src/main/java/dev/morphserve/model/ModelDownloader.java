package dev.morphserve.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

/**
 * Fetches Hugging Face files into a local cache, once. A download goes to {@code <file>.part} and
 * resumes from where it stopped (HTTP Range) after an interruption; only a complete file takes the
 * final name, so a cached file is always whole.
 *
 * <pre>
 * cacheDir/owner/repo/path/in/repo.gguf        complete
 * cacheDir/owner/repo/path/in/repo.gguf.part   being downloaded
 * </pre>
 */
public final class ModelDownloader {
    /** Called with bytes downloaded so far and the total (-1 when the server does not say). */
    @FunctionalInterface
    public interface Progress {
        void update(long bytes, long totalBytes);
    }

    private final URI endpoint;
    private final Path cacheDir;
    private final HttpClient http = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NORMAL)
            .connectTimeout(Duration.ofSeconds(15))
            .build();

    public ModelDownloader(URI endpoint, Path cacheDir) {
        this.endpoint = endpoint;
        this.cacheDir = cacheDir;
    }

    /** The default cache: $MORPHSERVE_CACHE, else ~/.cache/morphserve/models. */
    public static Path defaultCacheDir() {
        String env = System.getenv("MORPHSERVE_CACHE");
        return env != null ? Path.of(env) : Path.of(System.getProperty("user.home"), ".cache", "morphserve", "models");
    }

    /** The default endpoint: $HF_ENDPOINT (as huggingface_hub reads it), else huggingface.co. */
    public static URI defaultEndpoint() {
        String env = System.getenv("HF_ENDPOINT");
        return URI.create(env != null ? env : "https://huggingface.co");
    }

    /** A local path for the reference, downloading it first when it is remote and not cached. */
    public Path resolve(ModelReference reference, Progress progress) throws IOException {
        return switch (reference) {
            case ModelReference.LocalFile f -> f.path();
            case ModelReference.HuggingFace hf -> cached(hf, progress);
        };
    }

    private Path cached(ModelReference.HuggingFace hf, Progress progress) throws IOException {
        Path target = cacheDir.resolve(hf.owner()).resolve(hf.repo()).resolve(hf.file());
        if (Files.isRegularFile(target)) {
            return target;
        }
        Files.createDirectories(target.getParent());
        Path partial = target.resolveSibling(target.getFileName() + ".part");
        URI uri = endpoint.resolve("/" + hf.resolvePath());
        try {
            download(uri, partial, progress);
        } catch (UnknownHostException | ConnectException | HttpConnectTimeoutException e) {
            throw new IOException("cannot download " + uri + ": no network connection to " + endpoint.getHost()
                    + " (" + e.getClass().getSimpleName() + "). Download the file elsewhere and pass its path with --model,"
                    + " or set HF_ENDPOINT to a reachable mirror", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("download of " + uri + " interrupted; it will resume from " + Files.size(partial) + " bytes", e);
        }
        Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
        return target;
    }

    private void download(URI uri, Path partial, Progress progress) throws IOException, InterruptedException {
        long have = Files.exists(partial) ? Files.size(partial) : 0;
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(30));
        if (have > 0) {
            request.header("Range", "bytes=" + have + "-");
        }
        HttpResponse<InputStream> response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        int status = response.statusCode();
        if (status == 416 && have > 0) {
            response.body().close();
            return; // the part file already holds everything
        }
        if (status != 200 && status != 206) {
            response.body().close();
            throw new IOException("cannot download " + uri + ": HTTP " + status
                    + (status == 404 ? " (no such file in that repository)" : status == 401 || status == 403 ? " (gated or private: set up access)" : ""));
        }
        boolean resuming = status == 206;
        long start = resuming ? have : 0;
        long length = response.headers().firstValueAsLong("Content-Length").orElse(-1);
        long total = length < 0 ? -1 : start + length;
        try (InputStream in = response.body();
                OutputStream out = Files.newOutputStream(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        resuming ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
            byte[] buffer = new byte[1 << 16];
            long done = start;
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                out.write(buffer, 0, n);
                done += n;
                progress.update(done, total);
            }
            if (total >= 0 && done != total) {
                throw new IOException("download of " + uri + " ended at " + done + " of " + total + " bytes; run again to resume");
            }
        }
    }
}
