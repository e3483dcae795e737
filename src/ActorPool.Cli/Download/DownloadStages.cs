using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Threading.RateLimiting;

namespace ActorPool.Cli.Download;

/// <summary>
/// The work of the three pipeline stages. Each method runs as one ActorPool task and returns the
/// job instead of throwing, so one bad file never fails the stream.
/// </summary>
internal sealed class DownloadStages(
    DownloadSettings settings,
    HttpClient http,
    BandwidthLimiter? bandwidth,
    RateLimiter? requests,
    DownloadProgress progress,
    TimeProvider time,
    CancellationToken hardStop)
{
    private const int BufferSize = 64 * 1024;
    private readonly Lock _commitGate = new();
    /// <summary>Final names saved in this run, guarded by <see cref="_commitGate"/>; file times are too coarse to tell.</summary>
    private readonly HashSet<string> _savedThisRun = new(StringComparer.Ordinal);

    /// <summary>Validate: parses the line; bad lines end here as <see cref="FileOutcome.Invalid"/>.</summary>
    public static Task<DownloadJob> ValidateAsync(DownloadJob job, CancellationToken cancellationToken)
    {
        if (job.Outcome is null)
        {
            var request = UrlList.TryParse(job.Line, out var error);
            if (request is null)
            {
                job.End(FileOutcome.Invalid, error);
            }
            else
            {
                job.Request = request;
            }
        }

        return Task.FromResult(job);
    }

    /// <summary>Download: streams the body to a temporary file, with retries, limits and the per-file timeout.</summary>
    public async Task<DownloadJob> DownloadAsync(DownloadJob job, CancellationToken cancellationToken)
    {
        progress.Dequeued();
        if (job.Outcome is not null || job.Request is null)
        {
            return job;
        }

        if (progress.ShuttingDown)
        {
            return job.End(FileOutcome.Dropped, null);
        }

        job.Started = true;
        job.StartedAt = Stopwatch.GetTimestamp();
        job.TempPath = Path.Combine(settings.Output, string.Create(CultureInfo.InvariantCulture, $"{job.Request.FileName}.{job.Line.LineNumber}.part"));
        var slot = progress.Occupy(job.Name);
        using var perFile = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, hardStop);
        perFile.CancelAfter(settings.Timeout);
        try
        {
            await FetchAsync(job, slot, perFile.Token);
        }
        catch (OperationCanceledException) when (hardStop.IsCancellationRequested || cancellationToken.IsCancellationRequested)
        {
            var length = Volatile.Read(ref slot.Length);
            job.End(FileOutcome.Cancelled, length > 0
                ? string.Create(CultureInfo.InvariantCulture, $"{100 * slot.Bytes / length}% complete")
                : $"{DownloadFormat.Size(slot.Bytes)} received");
        }
        catch (OperationCanceledException) when (perFile.IsCancellationRequested)
        {
            job.End(FileOutcome.Failed, $"timed out after {DownloadFormat.Duration(settings.Timeout)}");
        }
        catch (DownloadFailedException ex)
        {
            job.End(FileOutcome.Failed, ex.Message);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            job.End(FileOutcome.Failed, ex.Message);
        }
        finally
        {
            progress.Free(slot);
            if (job.Outcome is not null)
            {
                DeleteQuietly(job.TempPath);
            }
        }

        return job;
    }

    /// <summary>Checksum: verifies the SHA-256 when asked, then renames the temporary file to its final name.</summary>
    public async Task<DownloadJob> ChecksumAsync(DownloadJob job, CancellationToken cancellationToken)
    {
        if (job.Outcome is not null || job.Request is null || job.TempPath is null)
        {
            DeleteQuietly(job.TempPath);
            return job;
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, hardStop);
        try
        {
            if (settings.Verify)
            {
                var actual = await Sha256Async(job.TempPath, stop.Token);
                if (job.Request.ExpectedSha256 is not { } expected)
                {
                    job.Detail = $"sha256 {actual[..16]}…, none expected";
                }
                else if (actual != expected)
                {
                    DeleteQuietly(job.TempPath);
                    return job.End(FileOutcome.Failed, $"checksum mismatch: expected {expected[..16]}…, got {actual[..16]}…");
                }
                else
                {
                    job.Detail = "✓ checksum verified";
                }
            }

            Commit(job);
            return job;
        }
        catch (OperationCanceledException)
        {
            DeleteQuietly(job.TempPath);
            return job.End(FileOutcome.Cancelled, "during checksum");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            DeleteQuietly(job.TempPath);
            return job.End(FileOutcome.Failed, ex.Message);
        }
    }

    /// <summary>All three stages in one task: the plain worker-pool mode without <c>--pipeline</c>.</summary>
    public async Task<DownloadJob> AllAsync(DownloadJob job, CancellationToken cancellationToken)
    {
        await ValidateAsync(job, cancellationToken);
        await DownloadAsync(job, cancellationToken);
        return await ChecksumAsync(job, cancellationToken);
    }

    private async Task FetchAsync(DownloadJob job, WorkerSlot slot, CancellationToken cancellationToken)
    {
        var request = job.Request!;
        var retry = settings.Retry;
        for (var attempt = 1; ; attempt++)
        {
            job.Attempts = attempt;
            if (requests is not null)
            {
                using var lease = await requests.AcquireAsync(1, cancellationToken);
            }

            string failure;
            TimeSpan? retryAfter = null;
            try
            {
                using var response = await http.GetAsync(request.Url, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    slot.Reset(job.Name);
                    Volatile.Write(ref slot.Length, response.Content.Headers.ContentLength ?? -1);
                    await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
                    job.Bytes = await CopyAsync(body, job.TempPath!, slot, cancellationToken);
                    return;
                }

                failure = string.Create(CultureInfo.InvariantCulture, $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
                if (!RetryPolicy.IsTransient(response.StatusCode))
                {
                    throw new DownloadFailedException(failure);
                }

                retryAfter = RetryPolicy.RetryAfter(response.Headers.RetryAfter, time.GetUtcNow());
            }
            catch (Exception ex) when (ex is HttpRequestException or HttpIOException && !cancellationToken.IsCancellationRequested)
            {
                // Connection refused or reset, or the body ended early: worth another try.
                failure = ex.Message;
            }

            if (attempt >= retry.MaxAttempts)
            {
                throw new DownloadFailedException(string.Create(CultureInfo.InvariantCulture, $"{failure}; gave up after {attempt} attempts"));
            }

            var delay = retry.DelayAfter(attempt, retryAfter);
            progress.Say(string.Create(CultureInfo.InvariantCulture, $"⚠ {job.Name}: {failure}; attempt {attempt + 1}/{retry.MaxAttempts} in {DownloadFormat.Duration(delay)}"));
            await Task.Delay(delay, time, cancellationToken);
        }
    }

    private async Task<long> CopyAsync(Stream body, string path, WorkerSlot slot, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            var chunk = Math.Min(buffer.Length, bandwidth?.MaxChunk ?? BufferSize);
            await using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, BufferSize, FileOptions.Asynchronous);
            long total = 0;
            int read;
            while ((read = await body.ReadAsync(buffer.AsMemory(0, chunk), cancellationToken)) > 0)
            {
                if (bandwidth is not null)
                {
                    await bandwidth.WaitAsync(read, cancellationToken);
                }

                await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                total += read;
                progress.Transferred(slot, read);
            }

            return total;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task<string> Sha256Async(string path, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.Asynchronous | FileOptions.SequentialScan);
        var hash = await SHA256.HashDataAsync(file, cancellationToken);
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>Renames the verified file; a name already saved in this run gets the line number appended.</summary>
    private void Commit(DownloadJob job)
    {
        var name = job.Request!.FileName;
        lock (_commitGate)
        {
            var final = Path.Combine(settings.Output, name);
            if (!_savedThisRun.Add(final))
            {
                final = Path.Combine(settings.Output, string.Create(CultureInfo.InvariantCulture, $"{Path.GetFileNameWithoutExtension(name)}-{job.Line.LineNumber}{Path.GetExtension(name)}"));
            }

            File.Move(job.TempPath!, final, overwrite: true);
            job.TempPath = null;
        }
    }

    private static void DeleteQuietly(string? path)
    {
        if (path is null)
        {
            return;
        }

        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Only a .part name can be left behind, never a final one.
        }
    }
}
