using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Threading.RateLimiting;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace ActorPool.Cli.Download;

/// <summary>
/// The work of the three pipeline stages. Each method runs as one ActorPool task and returns the
/// job instead of throwing, so one bad file never fails the stream.
/// </summary>
internal sealed class DownloadStages
{
    private const int BufferSize = 64 * 1024;
    private static readonly ResiliencePropertyKey<DownloadJob> JobKey = new("actorpool.download.job");

    private readonly DownloadSettings _settings;
    private readonly HttpClient _http;
    private readonly BandwidthLimiter? _bandwidth;
    private readonly RateLimiter? _requests;
    private readonly HostThrottles _hosts;
    private readonly DownloadProgress _progress;
    private readonly TimeProvider _time;
    private readonly CancellationToken _hardStop;
    private readonly ResiliencePipeline<Attempt> _fetch;

    /// <summary>Creates the stages of one run.</summary>
    public DownloadStages(
        DownloadSettings settings,
        HttpClient http,
        BandwidthLimiter? bandwidth,
        RateLimiter? requests,
        HostThrottles hosts,
        DownloadProgress progress,
        TimeProvider time,
        CancellationToken hardStop)
    {
        _settings = settings;
        _http = http;
        _bandwidth = bandwidth;
        _requests = requests;
        _hosts = hosts;
        _progress = progress;
        _time = time;
        _hardStop = hardStop;
        _fetch = BuildFetchPipeline(settings, progress, time);
    }

    /// <summary>One HTTP attempt's result: done, or why not and whether another attempt may help.</summary>
    private readonly record struct Attempt(bool Done, string? Failure, bool Transient, TimeSpan? RetryAfter)
    {
        public static Attempt Success { get; } = new(true, null, false, null);
    }

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
                job.Request = job.ReservedName is { } name ? request with { FileName = name } : request;
            }
        }

        return Task.FromResult(job);
    }

    /// <summary>Download: skips a file already present, else streams the body to <c>.part</c>, with retries, limits and the per-file timeout.</summary>
    public async Task<DownloadJob> DownloadAsync(DownloadJob job, CancellationToken cancellationToken)
    {
        _progress.Dequeued();
        if (job.Outcome is not null || job.Request is null)
        {
            return job;
        }

        if (_progress.ShuttingDown)
        {
            return job.End(FileOutcome.Dropped, "shutdown before it started");
        }

        job.FinalPath = Path.Combine(_settings.Output, job.Request.FileName);
        using var perFile = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _hardStop);
        if (!_settings.Overwrite && File.Exists(job.FinalPath))
        {
            return await CheckPresentAsync(job, perFile.Token);
        }

        job.Started = true;
        job.StartedAt = _time.GetTimestamp();
        job.TempPath = job.FinalPath + ".part";
        var slot = _progress.Occupy(job.Name);
        try
        {
            await FetchAsync(job, slot, perFile.Token);
        }
        catch (OperationCanceledException) when (_hardStop.IsCancellationRequested || cancellationToken.IsCancellationRequested)
        {
            var length = Volatile.Read(ref slot.Length);
            job.End(FileOutcome.Cancelled, length > 0
                ? string.Create(CultureInfo.InvariantCulture, $"{100 * slot.Bytes / length}% complete")
                : $"{DownloadFormat.Size(slot.Bytes)} received");
        }
        catch (TimeoutRejectedException)
        {
            job.End(FileOutcome.Failed, $"timed out after {DownloadFormat.Duration(_settings.Timeout)}");
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
            _progress.Free(slot);
            job.EndedAt = _time.GetTimestamp();
            if (job.Outcome is not null)
            {
                ReleasePart(job);
            }
        }

        return job;
    }

    /// <summary>Checksum: verifies the SHA-256 when asked, then renames the temporary file to its final name.</summary>
    public async Task<DownloadJob> ChecksumAsync(DownloadJob job, CancellationToken cancellationToken)
    {
        if (job.Outcome is not null || job.Request is null || job.TempPath is null)
        {
            return job;
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _hardStop);
        try
        {
            if (_settings.Verify || _settings.ReportPath is not null)
            {
                job.Sha256 = await Sha256Async(job.TempPath, stop.Token);
            }

            if (_settings.Verify)
            {
                var actual = job.Sha256!;
                if (job.Request.ExpectedSha256 is not { } expected)
                {
                    job.Detail = $"sha256 {actual[..16]}…, none expected";
                }
                else if (actual != expected)
                {
                    // Wrong bytes are never worth resuming.
                    DeleteQuietly(job.TempPath);
                    return job.End(FileOutcome.Failed, $"checksum mismatch: expected {expected[..16]}…, got {actual[..16]}…");
                }
                else
                {
                    job.Detail = "✓ checksum verified";
                }
            }

            File.Move(job.TempPath, job.FinalPath!, overwrite: true);
            job.TempPath = null;
            return job;
        }
        catch (OperationCanceledException)
        {
            ReleasePart(job.End(FileOutcome.Cancelled, "during checksum"));
            return job;
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

    /// <summary>
    /// Retries and the per-file timeout, from Polly: the timeout is outermost, so it covers every
    /// attempt and every wait between them, as <c>--timeout</c> promises. The delays come from
    /// <see cref="RetryPolicy.DelayAfter"/> (exponential, or the server's Retry-After even when
    /// longer than the cap), so that rule stays a plain test.
    /// </summary>
    private static ResiliencePipeline<Attempt> BuildFetchPipeline(DownloadSettings settings, DownloadProgress progress, TimeProvider time)
    {
        var retry = settings.Retry;
        var builder = new ResiliencePipelineBuilder<Attempt> { TimeProvider = time }.AddTimeout(settings.Timeout);
        if (retry.MaxAttempts > 1)
        {
            builder.AddRetry(new RetryStrategyOptions<Attempt>
            {
                MaxRetryAttempts = retry.MaxAttempts - 1,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome switch
                {
                    // Connection refused or reset, or the body ended early.
                    { Exception: HttpRequestException or HttpIOException } => !args.Context.CancellationToken.IsCancellationRequested,
                    { Result.Transient: true } => true,
                    _ => false,
                }),
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(retry.DelayAfter(args.AttemptNumber + 1, args.Outcome.Result.RetryAfter)),
                OnRetry = args =>
                {
                    var job = args.Context.Properties.GetValue(JobKey, null!);
                    var failure = args.Outcome.Exception?.Message ?? args.Outcome.Result.Failure;
                    progress.Notice(string.Create(CultureInfo.InvariantCulture, $"⚠ {job.Name}: {failure}; attempt {args.AttemptNumber + 2}/{retry.MaxAttempts} in {DownloadFormat.Duration(args.RetryDelay)}"));
                    return default;
                },
            });
        }

        return builder.Build();
    }

    private async Task FetchAsync(DownloadJob job, WorkerSlot slot, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(JobKey, job);
        Attempt last;
        try
        {
            last = await _fetch.ExecuteAsync(
                static (ctx, state) => state.Self.AttemptAsync(state.Job, state.Slot, ctx.CancellationToken),
                context,
                (Self: this, Job: job, Slot: slot));
        }
        catch (Exception ex) when (ex is HttpRequestException or HttpIOException && !cancellationToken.IsCancellationRequested)
        {
            throw new DownloadFailedException(GaveUp(ex.Message, job.Attempts), ex);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }

        if (!last.Done)
        {
            throw new DownloadFailedException(last.Transient ? GaveUp(last.Failure!, job.Attempts) : last.Failure!);
        }
    }

    private static string GaveUp(string failure, int attempts) =>
        attempts > 1 ? string.Create(CultureInfo.InvariantCulture, $"{failure}; gave up after {attempts} attempts") : failure;

    private async ValueTask<Attempt> AttemptAsync(DownloadJob job, WorkerSlot slot, CancellationToken cancellationToken)
    {
        var request = job.Request!;
        job.Attempts++;
        var host = _hosts.For(request.Url);
        await host.WaitAsync(cancellationToken);
        if (_requests is not null)
        {
            using var lease = await _requests.AcquireAsync(1, cancellationToken);
        }

        _progress.RequestStarted();
        var offset = _settings.Continue && File.Exists(job.TempPath) ? new FileInfo(job.TempPath!).Length : 0;
        var response = await SendAsync(request.Url, offset, cancellationToken);
        if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable && offset > 0)
        {
            // The kept part is as long as the file or longer: it cannot be extended, so start over.
            response.Dispose();
            _progress.Notice($"⚠ {job.Name}: the kept .part does not fit the file on the server; downloading in full");
            DeleteQuietly(job.TempPath);
            offset = 0;
            response = await SendAsync(request.Url, offset, cancellationToken);
        }

        using (response)
        {
            if (response.IsSuccessStatusCode)
            {
                host.Succeeded();
                var resumed = offset > 0 && response.StatusCode == HttpStatusCode.PartialContent && response.Content.Headers.ContentRange?.From == offset;
                if (offset > 0 && !resumed)
                {
                    _progress.Notice($"⚠ {job.Name}: the server ignored the Range request; downloading in full");
                }

                var start = resumed ? offset : 0;
                slot.Reset(job.Name, Volatile.Read(ref slot.StartedAt), start);
                Volatile.Write(ref slot.Length, response.Content.Headers.ContentLength is { } length ? start + length : -1);
                await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
                job.Bytes = start + await CopyAsync(body, job.TempPath!, append: resumed, slot, cancellationToken);
                return Attempt.Success;
            }

            var failure = string.Create(CultureInfo.InvariantCulture, $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
            var retryAfter = RetryPolicy.RetryAfter(response.Headers.RetryAfter, _time.GetUtcNow());
            if (response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable || retryAfter is not null)
            {
                var rate = host.Throttled(retryAfter);
                _progress.Notice(HostThrottles.Notice(host.Host, rate));
            }

            return new Attempt(false, failure, RetryPolicy.IsTransient(response.StatusCode), retryAfter);
        }
    }

    private async Task<HttpResponseMessage> SendAsync(Uri url, long offset, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(HttpMethod.Get, url);
        if (offset > 0)
        {
            message.Headers.Range = new RangeHeaderValue(offset, null);
        }

        return await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    }

    /// <summary>A file of this name is already in the output folder and <c>--overwrite</c> was not given: never replace it silently.</summary>
    private async Task<DownloadJob> CheckPresentAsync(DownloadJob job, CancellationToken cancellationToken)
    {
        var path = job.FinalPath!;
        try
        {
            job.Bytes = new FileInfo(path).Length;
            if (job.Request!.ExpectedSha256 is { } expected)
            {
                job.Sha256 = await Sha256Async(path, cancellationToken);
                return job.Sha256 == expected
                    ? job.End(FileOutcome.Skipped, "already present, SHA-256 matches")
                    : job.End(FileOutcome.Failed, $"{job.Name} is already present with a different SHA-256 ({job.Sha256[..16]}…); --overwrite replaces it");
            }

            if (_settings.ReportPath is not null)
            {
                job.Sha256 = await Sha256Async(path, cancellationToken);
            }

            return job.End(FileOutcome.Skipped, "already present; --overwrite replaces it");
        }
        catch (OperationCanceledException)
        {
            return job.End(FileOutcome.Cancelled, "while checking the present file");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return job.End(FileOutcome.Failed, ex.Message);
        }
    }

    private async Task<long> CopyAsync(Stream body, string path, bool append, WorkerSlot slot, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            var chunk = Math.Min(buffer.Length, _bandwidth?.MaxChunk ?? BufferSize);
            await using var file = new FileStream(path, append ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, BufferSize, FileOptions.Asynchronous);
            long total = 0;
            int read;
            while ((read = await body.ReadAsync(buffer.AsMemory(0, chunk), cancellationToken)) > 0)
            {
                if (_bandwidth is not null)
                {
                    await _bandwidth.WaitAsync(read, cancellationToken);
                }

                await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                total += read;
                _progress.Transferred(slot, read);
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

    /// <summary>
    /// A download that ended without a file: with <c>--continue</c>, a non-empty <c>.part</c>
    /// stays for the next run to resume; otherwise it goes, so a run never leaves partial files.
    /// </summary>
    private void ReleasePart(DownloadJob job)
    {
        if (job.TempPath is not { } part)
        {
            return;
        }

        if (_settings.Continue && job.Outcome is FileOutcome.Cancelled or FileOutcome.Failed && File.Exists(part) && new FileInfo(part).Length > 0)
        {
            job.Detail = $"{job.Detail}; kept {Path.GetFileName(part)} for --continue";
            return;
        }

        DeleteQuietly(part);
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
